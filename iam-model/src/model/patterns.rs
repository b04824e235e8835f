//! Safe helpers for the seeds' patterns. Each one emits the safe form and has no way to be
//! built unsafe:
//!
//! - [`GithubDeployRole`]: a GitHub Actions deploy role trusted through the GitHub OIDC
//!   provider, `aud` pinned to `sts.amazonaws.com` and `sub` pinned to one repository and a
//!   branch, tag or environment ([`GithubRef`]). A role for any ref of a repository exists
//!   only through [`GithubDeployRole::any_ref_of_repository_i_accept_the_risk`], and then
//!   uses `StringLike`, never `StringEquals` with a wildcard.
//! - [`ThirdPartyRole`]: a role trusted by another AWS account with a required
//!   [`ExternalId`] and an optional MFA requirement, and [`third_party_assume_policy`], the
//!   policy the third party attaches on their side.
//! - [`mfa_enforcement_policy`]: AWS's "allow MFA-authenticated IAM users to manage their
//!   own credentials" group policy, which denies everything else until the user signs in
//!   with MFA.
//! - [`break_glass_role`]: the emergency administrator role, MFA required, one-hour sessions.
//! - [`service_role`], [`ec2_instance_role`] with [`with_instance_profile`], and
//!   [`lambda_role`]: roles for AWS services.
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::model::iam::{
    Iam, InstanceProfile, MaxSessionDuration, OidcProvider, Role, RoleBuilder,
};
use crate::model::names::{ExternalId, IamPath, InstanceProfileName, OidcProviderName, RoleName};
use crate::model::org::Tags;
use crate::policy::kind::{Identity, Trust};
use crate::policy::{
    AccountId, ConditionOperator, ConditionValue, Operator, Policy, Principal, Resource, Statement,
};

/// Parse text that is valid by construction: a literal of this crate (every one is
/// exercised by the tests of the helper or preset that uses it), or text assembled from
/// names and ids that were already parsed.
#[expect(
    clippy::expect_used,
    reason = "only called with literals covered by tests or text built from parsed parts"
)]
pub(crate) fn known<T>(text: &str) -> T
where
    T: FromStr,
    T::Err: fmt::Debug,
{
    text.parse()
        .expect("a literal or an assembled value of iam-model is well formed")
}

/// The issuer URL of GitHub Actions' OIDC tokens.
pub const GITHUB_OIDC_URL: &str = "https://token.actions.githubusercontent.com";
/// The host IAM names the GitHub OIDC provider by, and the prefix of its condition keys.
pub const GITHUB_OIDC_HOST: &str = "token.actions.githubusercontent.com";
/// The audience GitHub's `aws-actions/configure-aws-credentials` requests.
pub const GITHUB_AUDIENCE: &str = "sts.amazonaws.com";
/// The model name the helpers give the GitHub OIDC provider.
pub const GITHUB_PROVIDER_NAME: OidcProviderName = OidcProviderName::from_static("github");

/// The GitHub Actions OIDC provider (`AWS::IAM::OIDCProvider`) with client id
/// `sts.amazonaws.com`. AWS no longer needs thumbprints for GitHub ("Create an OpenID
/// Connect (OIDC) identity provider in IAM": IAM uses its library of trusted CAs).
///
/// ```
/// use iam_model::model::patterns::github_oidc_provider;
/// let p = github_oidc_provider();
/// assert_eq!(p.host(), "token.actions.githubusercontent.com");
/// assert_eq!(p.client_ids, ["sts.amazonaws.com"]);
/// ```
pub fn github_oidc_provider() -> OidcProvider {
    OidcProvider {
        url: GITHUB_OIDC_URL.to_string(),
        client_ids: vec![GITHUB_AUDIENCE.to_string()],
        thumbprints: Vec::new(),
        tags: Tags::new(),
    }
}

/// Whether text can stand in a pinned `sub` claim: not empty, no wildcard, no white space
/// or control characters, and no `:` (which separates the claim's parts).
fn check_claim_part(what: &'static str, text: &str) -> Result<(), ParseError> {
    let reason = if text.is_empty() {
        Some("it is empty".to_string())
    } else {
        text.chars()
            .find(|c| matches!(c, '*' | '?' | ':') || c.is_whitespace() || c.is_control())
            .map(|c| format!("`{c}` is not allowed; a pinned subject has no wildcard"))
    };
    match reason {
        Some(reason) => Err(ParseError::Value {
            what,
            input: text.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// A GitHub repository, `OWNER/NAME`: the owner is letters, digits and `-`; the name is
/// letters, digits and `-_.`. No wildcards.
///
/// ```
/// use iam_model::model::patterns::GithubRepository;
/// let repo: GithubRepository = "example/app".parse()?;
/// assert_eq!(repo.to_string(), "example/app");
/// assert_eq!("example/*".parse::<GithubRepository>().unwrap_err().to_string(),
///     "invalid GitHub repository `example/*`: expected `OWNER/NAME` without wildcards");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GithubRepository {
    owner: String,
    name: String,
}

impl GithubRepository {
    /// The owner (user or organization).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The repository name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl FromStr for GithubRepository {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = || ParseError::Value {
            what: "GitHub repository",
            input: input.to_string(),
            reason: "expected `OWNER/NAME` without wildcards".to_string(),
        };
        let (owner, name) = input.split_once('/').ok_or_else(err)?;
        let owner_ok = !owner.is_empty()
            && owner.len() <= 39
            && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        let name_ok = !name.is_empty()
            && name.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if owner_ok && name_ok {
            Ok(Self {
                owner: owner.to_string(),
                name: name.to_string(),
            })
        } else {
            Err(err())
        }
    }
}

impl fmt::Display for GithubRepository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// What a GitHub Actions workflow must run from for the role to trust it; each gives one
/// exact `sub` claim ("Configuring OpenID Connect in Amazon Web Services", GitHub docs:
/// example subject claims).
///
/// ```
/// use iam_model::model::patterns::GithubRef;
/// assert_eq!(GithubRef::branch("main")?.subject_suffix(), "ref:refs/heads/main");
/// assert_eq!(GithubRef::tag("v1.2.0")?.subject_suffix(), "ref:refs/tags/v1.2.0");
/// assert_eq!(GithubRef::environment("production")?.subject_suffix(), "environment:production");
/// assert!(GithubRef::branch("release/*").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GithubRef {
    /// A push to or a workflow on one branch: `ref:refs/heads/BRANCH`.
    Branch(GithubRefName),
    /// A tag: `ref:refs/tags/TAG`.
    Tag(GithubRefName),
    /// A job that names a GitHub environment: `environment:NAME`.
    Environment(GithubRefName),
}

/// A branch, tag or environment name without wildcards, white space or `:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GithubRefName(String);

impl GithubRefName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for GithubRefName {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        check_claim_part("GitHub ref name", input)?;
        Ok(Self(input.to_string()))
    }
}

impl GithubRef {
    /// A branch.
    pub fn branch(name: &str) -> Result<Self, ParseError> {
        name.parse().map(Self::Branch)
    }

    /// A tag.
    pub fn tag(name: &str) -> Result<Self, ParseError> {
        name.parse().map(Self::Tag)
    }

    /// A GitHub environment.
    pub fn environment(name: &str) -> Result<Self, ParseError> {
        name.parse().map(Self::Environment)
    }

    /// What follows `repo:OWNER/NAME:` in the `sub` claim.
    pub fn subject_suffix(&self) -> String {
        match self {
            Self::Branch(n) => format!("ref:refs/heads/{}", n.as_str()),
            Self::Tag(n) => format!("ref:refs/tags/{}", n.as_str()),
            Self::Environment(n) => format!("environment:{}", n.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Subjects {
    // INVARIANT: not empty.
    Pinned(Vec<GithubRef>),
    AnyRef,
}

/// A GitHub Actions deploy role: trusted through the GitHub OIDC provider of its account,
/// `aud` pinned to `sts.amazonaws.com` and `sub` pinned with `StringEquals` to one
/// repository and one or more branches, tags or environments.
///
/// ```
/// use iam_model::model::patterns::{GithubDeployRole, GithubRef};
/// use iam_model::policy::AccountId;
/// let deploy = GithubDeployRole::new(AccountId::from_static("222222222222"),
///     "example/app".parse()?, GithubRef::branch("main")?);
/// assert_eq!(deploy.trust_policy().to_json_compact(),
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:example/app:ref:refs/heads/main"}}}]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A bare repository wildcard needs the explicitly named constructor, and uses `StringLike`:
///
/// ```
/// use iam_model::model::patterns::GithubDeployRole;
/// use iam_model::policy::AccountId;
/// let any = GithubDeployRole::any_ref_of_repository_i_accept_the_risk(
///     AccountId::from_static("222222222222"), "example/app".parse()?);
/// assert!(any.trust_policy().to_json_compact().contains(
///     r#""StringLike":{"token.actions.githubusercontent.com:sub":"repo:example/app:*"}"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubDeployRole {
    account: AccountId,
    repository: GithubRepository,
    subjects: Subjects,
}

impl GithubDeployRole {
    /// A role in `account` for workflows of `repository` running from `git_ref`.
    pub fn new(account: AccountId, repository: GithubRepository, git_ref: GithubRef) -> Self {
        Self {
            account,
            repository,
            subjects: Subjects::Pinned(vec![git_ref]),
        }
    }

    /// Also trust workflows running from another branch, tag or environment of the same
    /// repository.
    pub fn or_ref(mut self, git_ref: GithubRef) -> Self {
        match &mut self.subjects {
            Subjects::Pinned(refs) => refs.push(git_ref),
            // Every ref is already trusted.
            Subjects::AnyRef => {}
        }
        self
    }

    /// A role for any branch, tag, environment or pull request of `repository`: anyone who
    /// can push a branch or open a pull request can deploy. The `sub` condition is
    /// `StringLike` `repo:OWNER/NAME:*`; validation does not warn, because this constructor
    /// is the explicit choice.
    pub fn any_ref_of_repository_i_accept_the_risk(
        account: AccountId,
        repository: GithubRepository,
    ) -> Self {
        Self {
            account,
            repository,
            subjects: Subjects::AnyRef,
        }
    }

    /// The `sub` values the trust policy accepts.
    pub fn subjects(&self) -> Vec<String> {
        match &self.subjects {
            Subjects::Pinned(refs) => refs
                .iter()
                .map(|r| format!("repo:{}:{}", self.repository, r.subject_suffix()))
                .collect(),
            Subjects::AnyRef => vec![format!("repo:{}:*", self.repository)],
        }
    }

    /// The ARN of the GitHub OIDC provider in the role's account.
    pub fn provider_arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:oidc-provider/{GITHUB_OIDC_HOST}",
            self.account.as_str()
        )
    }

    /// The trust policy.
    pub fn trust_policy(&self) -> Policy<Trust> {
        let aud = known(&format!("{GITHUB_OIDC_HOST}:aud"));
        let sub = known(&format!("{GITHUB_OIDC_HOST}:sub"));
        let equals = ConditionOperator::new(Operator::StringEquals);
        let subjects = self
            .subjects()
            .into_iter()
            .map(ConditionValue::String)
            .collect::<Vec<_>>();
        let statement = Statement::trust()
            .allow()
            .principal(Principal::federated(known(&self.provider_arn())))
            .action(known("sts:AssumeRoleWithWebIdentity"))
            .condition(
                equals,
                aud,
                [ConditionValue::String(GITHUB_AUDIENCE.to_string())],
            );
        let statement = match self.subjects {
            Subjects::Pinned(_) => statement.condition(equals, sub, subjects),
            Subjects::AnyRef => {
                statement.condition(ConditionOperator::new(Operator::StringLike), sub, subjects)
            }
        };
        Policy::builder().statement(statement.build()).build()
    }

    /// A role builder with the trust policy, a one-hour maximum session and a description;
    /// add the deploy permissions.
    pub fn role(&self) -> RoleBuilder<Policy<Trust>> {
        Role::builder()
            .trust_policy(self.trust_policy())
            .description(format!("GitHub Actions deploys from {}", self.repository))
            .max_session_duration(MaxSessionDuration::MIN)
    }
}

/// A role in our account for a third party (a contractor, a partner, a vendor): trusted by
/// their account only when they pass the agreed [`ExternalId`] (the confused-deputy
/// protection of "Access to AWS accounts owned by third parties"), and optionally only with
/// MFA. The AWS console's switch-role cannot pass an ExternalId, so the third party assumes
/// the role with the CLI or an SDK.
///
/// ```
/// use iam_model::model::patterns::ThirdPartyRole;
/// use iam_model::model::names::ExternalId;
/// use iam_model::policy::AccountId;
/// const ACME: AccountId = AccountId::from_static("999999999999");
/// const ID: ExternalId = ExternalId::from_static("acme-7f3b9c2e");
/// let role = ThirdPartyRole::new(ACME, ID).require_mfa();
/// assert_eq!(role.trust_policy().to_json_compact(),
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"acme-7f3b9c2e"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThirdPartyRole {
    their_account: AccountId,
    external_id: ExternalId,
    mfa: bool,
}

impl ThirdPartyRole {
    /// A role trusted by `their_account` with `external_id`.
    pub fn new(their_account: AccountId, external_id: ExternalId) -> Self {
        Self {
            their_account,
            external_id,
            mfa: false,
        }
    }

    /// Require that their principal signed in with MFA (`aws:MultiFactorAuthPresent`).
    pub fn require_mfa(mut self) -> Self {
        self.mfa = true;
        self
    }

    /// The trusted account.
    pub fn their_account(&self) -> AccountId {
        self.their_account
    }

    /// The ExternalId they must pass.
    pub fn external_id(&self) -> &ExternalId {
        &self.external_id
    }

    /// The trust policy.
    pub fn trust_policy(&self) -> Policy<Trust> {
        let mut statement = Statement::trust()
            .allow()
            .principal(Principal::arn(known(&self.their_account.root_arn())))
            .action(known("sts:AssumeRole"))
            .condition(
                ConditionOperator::new(Operator::StringEquals),
                known("sts:ExternalId"),
                [ConditionValue::String(
                    self.external_id.as_str().to_string(),
                )],
            );
        if self.mfa {
            statement = statement.condition(
                ConditionOperator::new(Operator::Bool),
                known("aws:MultiFactorAuthPresent"),
                [ConditionValue::String("true".to_string())],
            );
        }
        Policy::builder().statement(statement.build()).build()
    }

    /// A role builder with the trust policy and a one-hour maximum session; add the least
    /// privilege the third party needs.
    pub fn role(&self) -> RoleBuilder<Policy<Trust>> {
        Role::builder()
            .trust_policy(self.trust_policy())
            .max_session_duration(MaxSessionDuration::MIN)
    }
}

/// The policy the third party attaches to their own users or roles so that they can assume
/// our role: `sts:AssumeRole` on that one role ARN (the other half of the two-way handshake).
///
/// ```
/// use iam_model::model::patterns::third_party_assume_policy;
/// use iam_model::model::names::{IamPath, RoleName};
/// use iam_model::policy::AccountId;
/// let policy = third_party_assume_policy(AccountId::from_static("222222222222"),
///     &IamPath::root(), &RoleName::from_static("acme-contractor"));
/// assert_eq!(policy.to_json_compact(),
///     r#"{"Version":"2012-10-17","Statement":[{"Sid":"AssumeRoleInCustomerAccount","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/acme-contractor"}]}"#);
/// ```
pub fn third_party_assume_policy(
    our_account: AccountId,
    path: &IamPath,
    role: &RoleName,
) -> Policy<Identity> {
    let arn = format!("arn:aws:iam::{}:role{path}{role}", our_account.as_str());
    Policy::builder()
        .statement(
            Statement::builder()
                .sid("AssumeRoleInCustomerAccount")
                .allow()
                .action(known("sts:AssumeRole"))
                .resource(known::<Resource>(&arn))
                .build(),
        )
        .build()
}

/// An allow statement of literal actions on literal resources.
pub(crate) fn allow(sid: &str, actions: &[&str], resources: &[&str]) -> Statement {
    Statement::builder()
        .sid(sid)
        .allow()
        .actions(actions.iter().map(|a| known(a)))
        .resources(resources.iter().map(|r| known(r)))
        .build()
}

/// The statements of [`mfa_enforcement_policy`] that let users manage their own
/// credentials, and the final deny.
const SELF: &str = "arn:aws:iam::*:user/${aws:username}";

/// AWS's documented group policy "AWS: Allows MFA-authenticated IAM users to manage their
/// own credentials on the Security credentials page" (IAM User Guide, example policies):
/// users may view account information and manage their own password, access keys, signing
/// certificates, SSH keys, Git credentials and MFA device, and everything except setting up
/// MFA is denied until they sign in with MFA (`BoolIfExists aws:MultiFactorAuthPresent false`).
/// Attach it to every group of human IAM users.
///
/// ```
/// use iam_model::model::patterns::mfa_enforcement_policy;
/// let policy = mfa_enforcement_policy();
/// let last = policy.document().statements().last().unwrap();
/// assert_eq!(last.sid(), Some("DenyAllExceptListedIfNoMFA"));
/// ```
pub fn mfa_enforcement_policy() -> Policy<Identity> {
    let deny = Statement::builder()
        .sid("DenyAllExceptListedIfNoMFA")
        .deny()
        .not_action()
        .actions(
            [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:GetMFADevice",
                "iam:ListMFADevices",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetSessionToken",
            ]
            .iter()
            .map(|a| known(a)),
        )
        .resource(Resource::Any)
        .condition(
            known("BoolIfExists"),
            known("aws:MultiFactorAuthPresent"),
            [ConditionValue::String("false".to_string())],
        )
        .build();
    Policy::builder()
        .statement(allow(
            "AllowViewAccountInfo",
            &["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
            &["*"],
        ))
        .statements([
            allow(
                "AllowManageOwnPasswords",
                &["iam:ChangePassword", "iam:GetUser"],
                &[SELF],
            ),
            allow(
                "AllowManageOwnAccessKeys",
                &[
                    "iam:CreateAccessKey",
                    "iam:DeleteAccessKey",
                    "iam:ListAccessKeys",
                    "iam:UpdateAccessKey",
                    "iam:GetAccessKeyLastUsed",
                ],
                &[SELF],
            ),
            allow(
                "AllowManageOwnSigningCertificates",
                &[
                    "iam:DeleteSigningCertificate",
                    "iam:ListSigningCertificates",
                    "iam:UpdateSigningCertificate",
                    "iam:UploadSigningCertificate",
                ],
                &[SELF],
            ),
            allow(
                "AllowManageOwnSSHPublicKeys",
                &[
                    "iam:DeleteSSHPublicKey",
                    "iam:GetSSHPublicKey",
                    "iam:ListSSHPublicKeys",
                    "iam:UpdateSSHPublicKey",
                    "iam:UploadSSHPublicKey",
                ],
                &[SELF],
            ),
            allow(
                "AllowManageOwnGitCredentials",
                &[
                    "iam:CreateServiceSpecificCredential",
                    "iam:DeleteServiceSpecificCredential",
                    "iam:ListServiceSpecificCredentials",
                    "iam:ResetServiceSpecificCredential",
                    "iam:UpdateServiceSpecificCredential",
                ],
                &[SELF],
            ),
            allow(
                "AllowManageOwnVirtualMFADevice",
                &["iam:CreateVirtualMFADevice"],
                &["arn:aws:iam::*:mfa/*"],
            ),
            allow(
                "AllowManageOwnUserMFA",
                &[
                    "iam:DeactivateMFADevice",
                    "iam:EnableMFADevice",
                    "iam:ListMFADevices",
                    "iam:ResyncMFADevice",
                ],
                &[SELF],
            ),
            deny,
        ])
        .build()
}

/// The name [`break_glass_role`] is meant to be given; the practice checks treat roles,
/// groups and permission sets named like it as administrators.
pub const BREAK_GLASS_ROLE: RoleName = RoleName::from_static("BreakGlassAdmin");

/// The break-glass emergency administrator role of an account: `AdministratorAccess`,
/// trusted by the account itself only with MFA signed in within the last hour, one-hour
/// sessions. Who may assume it is decided by the account's identity policies (give
/// `sts:AssumeRole` on it only to the emergency admins); use it when IAM Identity Center is
/// unavailable.
///
/// ```
/// use iam_model::model::patterns::break_glass_role;
/// use iam_model::policy::AccountId;
/// let role = break_glass_role(AccountId::from_static("111111111111"));
/// assert_eq!(role.permissions().aws_managed_policies(), ["AdministratorAccess"]);
/// assert!(role.trust_policy().to_json_compact().contains(r#""Bool":{"aws:MultiFactorAuthPresent":"true"}"#));
/// ```
pub fn break_glass_role(account: AccountId) -> Role {
    let statement = Statement::trust()
        .allow()
        .principal(Principal::arn(known(&account.root_arn())))
        .action(known("sts:AssumeRole"))
        .condition(
            ConditionOperator::new(Operator::Bool),
            known("aws:MultiFactorAuthPresent"),
            [ConditionValue::String("true".to_string())],
        )
        .condition(
            ConditionOperator::new(Operator::NumericLessThan),
            known("aws:MultiFactorAuthAge"),
            [ConditionValue::String("3600".to_string())],
        )
        .build();
    Role::builder()
        .trust_policy(Policy::builder().statement(statement).build())
        .description("Break-glass emergency administrator; MFA required")
        .max_session_duration(MaxSessionDuration::MIN)
        .aws_managed_policy("AdministratorAccess")
        .tag("Purpose", "BreakGlass")
        .build()
}

/// A role an AWS service assumes (`ec2.amazonaws.com`, `lambda.amazonaws.com`, …): trusted
/// by the service principal only.
///
/// ```
/// use iam_model::model::patterns::service_role;
/// let role = service_role("ecs-tasks.amazonaws.com".parse()?).build();
/// assert_eq!(role.trust_policy().to_json_compact(),
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn service_role(service: crate::policy::ServicePrincipal) -> RoleBuilder<Policy<Trust>> {
    let statement = Statement::trust()
        .allow()
        .principal(Principal::service(service))
        .action(known("sts:AssumeRole"))
        .build();
    Role::builder().trust_policy(Policy::builder().statement(statement).build())
}

/// An EC2 instance role; add it with [`with_instance_profile`] so instances can carry it.
pub fn ec2_instance_role() -> RoleBuilder<Policy<Trust>> {
    service_role(known("ec2.amazonaws.com"))
}

/// A Lambda execution role with `AWSLambdaBasicExecutionRole` (CloudWatch Logs).
pub fn lambda_role() -> RoleBuilder<Policy<Trust>> {
    service_role(known("lambda.amazonaws.com")).aws_managed_policy("AWSLambdaBasicExecutionRole")
}

/// Add a role and an instance profile of the same name that carries it.
///
/// ```
/// use iam_model::model::Iam;
/// use iam_model::model::names::RoleName;
/// use iam_model::model::patterns::{ec2_instance_role, with_instance_profile};
/// let iam = with_instance_profile(Iam::new(), RoleName::from_static("web-server"),
///     ec2_instance_role().aws_managed_policy("AmazonSSMManagedInstanceCore").build());
/// assert_eq!(iam.instance_profiles()["web-server"].role().as_str(), "web-server");
/// ```
pub fn with_instance_profile(iam: Iam, name: RoleName, role: Role) -> Iam {
    // Role names (1–64 of the IAM set) are valid instance profile names (1–128, same set).
    let profile: InstanceProfileName = known(name.as_str());
    iam.instance_profile(profile, InstanceProfile::new(name.clone()))
        .role(name, role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::check_policy;

    #[test]
    fn helper_policies_pass_the_policy_checker() {
        let github = GithubDeployRole::new(
            AccountId::from_static("222222222222"),
            known("example/app"),
            GithubRef::environment("production").unwrap(),
        )
        .or_ref(GithubRef::tag("v1").unwrap());
        for (raw, kind) in [
            (
                github.trust_policy().document().to_raw(),
                crate::PolicyKind::Trust,
            ),
            (
                mfa_enforcement_policy().document().to_raw(),
                crate::PolicyKind::Identity,
            ),
            (
                break_glass_role(AccountId::from_static("111111111111"))
                    .trust_policy()
                    .document()
                    .to_raw(),
                crate::PolicyKind::Trust,
            ),
        ] {
            assert_eq!(check_policy(&raw, kind, "").findings(), []);
        }
        assert_eq!(
            github.subjects(),
            [
                "repo:example/app:environment:production",
                "repo:example/app:ref:refs/tags/v1"
            ]
        );
    }

    #[test]
    fn wildcards_and_separators_are_not_pinned_names() {
        for bad in ["", "*", "main*", "rel?", "a b", "a:b"] {
            assert!(GithubRef::branch(bad).is_err(), "{bad}");
        }
        assert_eq!(
            GithubRef::branch("feat/*").unwrap_err().to_string(),
            "invalid GitHub ref name `feat/*`: `*` is not allowed; a pinned subject has no wildcard"
        );
        for bad in ["example", "/app", "example/", "ex ample/app", "org/*"] {
            assert!(bad.parse::<GithubRepository>().is_err(), "{bad}");
        }
    }
}
