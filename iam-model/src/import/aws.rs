//! The JSON the AWS CLI prints for the calls of `scripts/export-aws.sh`, as far as import
//! reads it. Field names are the API's (PascalCase); fields import does not use are
//! ignored, so newer CLI versions that add fields still read.
//!
//! Shapes from botocore 1.43.11's service models (`botocore/data/<service>/<date>/
//! service-2.json`: iam 2010-05-08, organizations 2016-11-28, sso-admin 2020-07-20,
//! identitystore 2020-06-15), the same shapes as the AWS API references' response syntax.
use serde::Deserialize;

/// `Key`/`Value` pairs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

// --- iam ------------------------------------------------------------------------------

/// `aws iam get-account-authorization-details`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails {
    #[serde(default)]
    pub user_detail_list: Vec<UserDetail>,
    #[serde(default)]
    pub group_detail_list: Vec<GroupDetail>,
    #[serde(default)]
    pub role_detail_list: Vec<RoleDetail>,
    #[serde(default)]
    pub policies: Vec<ManagedPolicyDetail>,
}

/// An inline policy: the CLI prints the URL-encoded document decoded as JSON.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDetail {
    pub policy_name: String,
    pub policy_document: serde_json::Value,
}

/// A managed policy attachment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_arn: String,
}

/// `PermissionsBoundary` of a user or role.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedBoundary {
    pub permissions_boundary_arn: String,
}

/// `UserDetailList` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail {
    #[serde(default)]
    pub path: Option<String>,
    pub user_name: String,
    #[serde(default)]
    pub user_policy_list: Vec<PolicyDetail>,
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<AttachedBoundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `GroupDetailList` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDetail {
    #[serde(default)]
    pub path: Option<String>,
    pub group_name: String,
    #[serde(default)]
    pub group_policy_list: Vec<PolicyDetail>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

/// An instance profile of a role.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    #[serde(default)]
    pub path: Option<String>,
    pub instance_profile_name: String,
}

/// `RoleDetailList` item. It has no `Description` or `MaxSessionDuration`: those come
/// from `aws iam list-roles`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    #[serde(default)]
    pub path: Option<String>,
    pub role_name: String,
    pub assume_role_policy_document: serde_json::Value,
    #[serde(default)]
    pub instance_profile_list: Vec<InstanceProfile>,
    #[serde(default)]
    pub role_policy_list: Vec<PolicyDetail>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<AttachedBoundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A version of a managed policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    pub document: serde_json::Value,
    #[serde(default)]
    pub version_id: String,
    #[serde(default)]
    pub is_default_version: bool,
}

/// `Policies` item: a customer managed policy with its versions.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicyDetail {
    /// Absent in moto 5.2.1's answer; the name is then the ARN's last part.
    #[serde(default)]
    pub policy_name: Option<String>,
    pub arn: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

/// `aws iam list-roles`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRoles {
    #[serde(default)]
    pub roles: Vec<RoleSummary>,
}

/// A role as `list-roles` gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleSummary {
    pub role_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub max_session_duration: Option<u32>,
}

/// `aws iam list-open-id-connect-providers`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListOidcProviders {
    #[serde(default, rename = "OpenIDConnectProviderList")]
    pub providers: Vec<ArnItem>,
}

/// `{"Arn": …}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArnItem {
    pub arn: String,
}

/// `aws iam get-open-id-connect-provider`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OidcProvider {
    pub url: String,
    #[serde(default, rename = "ClientIDList")]
    pub client_ids: Vec<String>,
    #[serde(default)]
    pub thumbprint_list: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `aws iam list-saml-providers`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListSamlProviders {
    #[serde(default, rename = "SAMLProviderList")]
    pub providers: Vec<ArnItem>,
}

/// `aws iam get-account-password-policy`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPasswordPolicy {
    pub password_policy: PasswordPolicy,
}

/// The account password policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    #[serde(default)]
    pub minimum_password_length: Option<u32>,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_uppercase_characters: bool,
    #[serde(default)]
    pub require_lowercase_characters: bool,
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    #[serde(default)]
    pub max_password_age: Option<u32>,
    #[serde(default)]
    pub password_reuse_prevention: Option<u32>,
    #[serde(default)]
    pub hard_expiry: bool,
}

/// `aws iam list-access-keys --user-name NAME`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAccessKeys {
    #[serde(default)]
    pub access_key_metadata: Vec<AccessKey>,
}

/// An access key's metadata (never the secret).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKey {
    pub access_key_id: String,
    #[serde(default)]
    pub status: String,
}

/// `aws iam get-login-profile --user-name NAME`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetLoginProfile {
    pub login_profile: LoginProfile,
}

/// A console password's metadata.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoginProfile {
    #[serde(default)]
    pub password_reset_required: bool,
}

// --- organizations --------------------------------------------------------------------

/// `aws organizations describe-organization`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeOrganization {
    pub organization: Organization,
}

/// The organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Organization {
    pub master_account_id: String,
}

/// `aws organizations list-roots`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRoots {
    #[serde(default)]
    pub roots: Vec<IdName>,
}

/// `aws organizations list-organizational-units-for-parent`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUnits {
    #[serde(default)]
    pub organizational_units: Vec<IdName>,
}

/// A root or an OU.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdName {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// `aws organizations list-accounts-for-parent`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAccounts {
    #[serde(default)]
    pub accounts: Vec<Account>,
}

/// A member account.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
}

/// `aws organizations list-policies --filter TYPE`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPolicies {
    #[serde(default)]
    pub policies: Vec<PolicySummary>,
}

/// A policy's summary.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicySummary {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub aws_managed: bool,
}

/// `aws organizations describe-policy`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribePolicy {
    pub policy: OrgPolicy,
}

/// A policy with its content.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrgPolicy {
    /// The policy document as a JSON string.
    pub content: String,
}

/// `aws organizations list-targets-for-policy`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTargets {
    #[serde(default)]
    pub targets: Vec<PolicyTarget>,
}

/// Where a policy is attached.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyTarget {
    pub target_id: String,
    /// `ROOT`, `ORGANIZATIONAL_UNIT` or `ACCOUNT`.
    #[serde(rename = "Type")]
    pub kind: String,
}

// --- sso-admin ------------------------------------------------------------------------

/// `aws sso-admin list-instances`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInstances {
    #[serde(default)]
    pub instances: Vec<Instance>,
}

/// An Identity Center instance.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    pub instance_arn: String,
    #[serde(default)]
    pub owner_account_id: Option<String>,
    /// `d-1234567890`: the default AWS access portal URL is
    /// `https://<IdentityStoreId>.awsapps.com/start`.
    #[serde(default)]
    pub identity_store_id: Option<String>,
}

/// `sso-admin/settings.json`, written by `scripts/export-aws.sh` (no AWS API returns them):
/// the AWS access portal URL (`--start-url`, else the default URL of the identity store) and
/// the region the instance was read in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SsoSettingsExport {
    #[serde(default)]
    pub start_url: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

/// `aws sso-admin list-permission-sets`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPermissionSets {
    #[serde(default)]
    pub permission_sets: Vec<String>,
}

/// `aws sso-admin describe-permission-set`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribePermissionSet {
    pub permission_set: PermissionSet,
}

/// A permission set.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionSet {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub session_duration: Option<String>,
    #[serde(default)]
    pub relay_state: Option<String>,
}

/// `aws sso-admin list-managed-policies-in-permission-set`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListManagedPolicies {
    #[serde(default)]
    pub attached_managed_policies: Vec<NameArn>,
}

/// `{"Name": …, "Arn": …}` (the name is not read).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NameArn {
    pub arn: String,
}

/// `aws sso-admin get-inline-policy-for-permission-set`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetInlinePolicy {
    /// The document as a JSON string; empty when there is none.
    #[serde(default)]
    pub inline_policy: Option<String>,
}

/// `aws sso-admin list-customer-managed-policy-references-in-permission-set`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListCustomerPolicies {
    #[serde(default)]
    pub customer_managed_policy_references: Vec<CustomerPolicyReference>,
}

/// A customer managed policy reference.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerPolicyReference {
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
}

/// `aws sso-admin get-permissions-boundary-for-permission-set`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetBoundary {
    pub permissions_boundary: Boundary,
}

/// A permission set's boundary: one of the two.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    #[serde(default)]
    pub customer_managed_policy_reference: Option<CustomerPolicyReference>,
    #[serde(default)]
    pub managed_policy_arn: Option<String>,
}

/// `aws sso-admin list-tags-for-resource`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTags {
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `aws sso-admin list-accounts-for-provisioned-permission-set`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListProvisionedAccounts {
    #[serde(default)]
    pub account_ids: Vec<String>,
}

/// `aws sso-admin list-account-assignments`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAssignments {
    #[serde(default)]
    pub account_assignments: Vec<AccountAssignment>,
}

/// One assignment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountAssignment {
    pub account_id: String,
    /// `USER` or `GROUP`.
    pub principal_type: String,
    pub principal_id: String,
}

// --- identitystore --------------------------------------------------------------------

/// `aws identitystore list-users`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsers {
    #[serde(default)]
    pub users: Vec<StoreUser>,
}

/// An Identity Center user.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreUser {
    pub user_id: String,
    pub user_name: String,
    #[serde(default)]
    pub name: Option<StoreName>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub emails: Vec<StoreEmail>,
    /// Set when a SCIM provisioner (Okta, Entra ID, Google, …) created the user.
    #[serde(default)]
    pub external_ids: Vec<serde_json::Value>,
}

/// A user's name parts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreName {
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
}

/// A user's email.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreEmail {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub primary: bool,
}

/// `aws identitystore list-groups`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroups {
    #[serde(default)]
    pub groups: Vec<StoreGroup>,
}

/// An Identity Center group.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreGroup {
    pub group_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// `aws identitystore list-group-memberships --group-id ID`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMemberships {
    #[serde(default)]
    pub group_memberships: Vec<Membership>,
}

/// One membership.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Membership {
    /// Absent in hand-written exports; AWS always gives it.
    #[serde(default)]
    pub membership_id: Option<String>,
    pub member_id: MemberId,
}

/// The member: a user id.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MemberId {
    #[serde(default)]
    pub user_id: Option<String>,
}
