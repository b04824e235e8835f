//! The access model: one typed description of a whole AWS access setup, from the
//! organization down to each policy.
//!
//! A [`Model`] is built with builders in Rust or read from a JSON model file with
//! [`Model::from_json`]; [`Model::to_json`] writes it back. Reading checks the file's shape,
//! parses every name and decodes every policy by its kind; what the parts mean together
//! (references, limits, uniqueness) is checked by [`crate::validate::validate`].
pub mod account;
pub mod baseline;
pub mod file;
pub mod iam;
pub mod names;
pub mod org;
pub mod patterns;
pub mod sso;
pub mod synthetic;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use account::{Account, AccountBuilder, Budget, BudgetThreshold, BudgetTimeUnit};
pub use iam::{
    Group, GroupBuilder, Iam, InstanceProfile, ManagedPolicy, ManagedPolicyBuilder,
    ManagedPolicyRef, MaxSessionDuration, NoTrustPolicy, OidcProvider, PasswordPolicy, Permissions,
    Role, RoleBuilder, SamlProvider, User, UserBuilder,
};
pub use names::{AccountName, PermissionSetName, UnitPath};
pub use org::{
    Environment, OrgPolicy, OrgPolicyBuilder, Organization, ResourceControlPolicy,
    ServiceControlPolicy, Tags, Target, Unit, is_policy_id,
};
pub use sso::{
    Assignment, AssignmentPrincipal, ConfigName, CustomerPolicyRef, IdentityCenter, IdentitySource,
    OutputFormat, PermissionSet, PermissionSetBoundary, PermissionSetBuilder, REGIONS, Region,
    SessionDuration, SsoGroup, SsoSettings, SsoUser, StartUrl, is_membership_id,
};

use crate::error::{ModelError, ParseError};
use crate::policy::Action;

/// The URL model files name in `"$schema"`.
pub const SCHEMA_URL: &str = "https://iam-codegen.dev/schema/model-v1.json";

/// The model file format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole access setup: the organization, its accounts with their IAM entities, IAM
/// Identity Center, and access assertions to check with the evaluator.
///
/// ```
/// use iam_model::model::{Model, Organization, Account, Environment};
/// use iam_model::model::names::AccountName;
/// use iam_model::policy::AccountId;
/// const MANAGEMENT: AccountName = AccountName::from_static("management");
/// let model = Model::builder(Organization::new(MANAGEMENT))
///     .account(MANAGEMENT, Account::builder(AccountId::from_static("111111111111"),
///         "aws-management@example.com", Environment::Management).build())
///     .build();
/// let text = model.to_json();
/// assert!(text.starts_with("{\n  \"$schema\": \"https://iam-codegen.dev/schema/model-v1.json\",\n  \"version\": 1,"));
/// assert_eq!(Model::from_json(&text)?, model);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub(crate) organization: Organization,
    pub(crate) accounts: BTreeMap<AccountName, Account>,
    pub(crate) identity_center: Option<IdentityCenter>,
    pub(crate) assertions: Vec<Assertion>,
    pub(crate) allowed_findings: Vec<AllowedFinding>,
}

impl Model {
    /// A builder for a model of one organization.
    pub fn builder(organization: Organization) -> ModelBuilder {
        ModelBuilder(Self {
            organization,
            accounts: BTreeMap::new(),
            identity_center: None,
            assertions: Vec::new(),
            allowed_findings: Vec::new(),
        })
    }

    /// Read a model file. Malformed JSON, a wrong type or an unknown field is
    /// [`ModelError::Json`] with line, column and path; bad names, values and policies are
    /// [`ModelError::Invalid`] with every finding. A key written twice in an object (two
    /// `permission_sets` of one name: JSON keeps only the last) is a `duplicate-key` finding
    /// with both places.
    ///
    /// ```
    /// use iam_model::model::Model;
    /// let err = Model::from_json(r#"{"version": 1, "organisation": {}}"#).unwrap_err();
    /// assert_eq!(err.to_string(), "line 1 column 29 (at `/organisation`): unknown field `organisation`, \
    ///     expected one of `$schema`, `version`, `organization`, `accounts`, `identity_center`, `assertions`, `allow_findings`");
    /// ```
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let raw: file::ModelFile = crate::policy::read_json(text).map_err(ModelError::Json)?;
        let decoded = file::decode(&raw);
        let duplicates = crate::json::duplicate_keys(text);
        if duplicates.is_empty() {
            return decoded.map_err(ModelError::Invalid);
        }
        let mut findings = decoded.err().unwrap_or_default();
        for d in duplicates {
            // Policy conditions and principals report their own duplicates while decoding.
            if findings
                .iter()
                .any(|f| f.code == "duplicate-key" && f.path == d.pointer)
            {
                continue;
            }
            findings.push(crate::validate::Finding {
                code: "duplicate-key",
                severity: crate::validate::Severity::Error,
                path: d.pointer,
                message: format!(
                    "`{}` is written twice: at line {}, column {} and again at line {}, column {}",
                    d.key, d.first_line, d.first_column, d.line, d.column
                ),
                help: "a JSON reader keeps only the last of the two, so the first is silently lost; merge them or rename one".to_string(),
            });
        }
        Err(ModelError::Invalid(findings))
    }

    /// The model file: pretty JSON with a trailing newline, maps sorted by name, statements
    /// in the order written.
    pub fn to_json(&self) -> String {
        crate::json::to_pretty(&file::encode(self))
    }

    /// The organization.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// The accounts by name.
    pub fn accounts(&self) -> &BTreeMap<AccountName, Account> {
        &self.accounts
    }

    /// One account by name.
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.get(name)
    }

    /// The accounts, for changes. After moving an account to another OU, changing its id or
    /// its IAM ([`Account::iam_mut`]), call [`Model::apply_baselines`].
    pub fn accounts_mut(&mut self) -> &mut BTreeMap<AccountName, Account> {
        &mut self.accounts
    }

    /// Give every account under an OU with a baseline that baseline's roles, policies and
    /// OIDC providers, with the account's id for `${AWS::AccountId}` ([`Account::iam`]),
    /// keeping its own IAM apart ([`Account::own_iam`]). Reading a model file and
    /// [`ModelBuilder::build`] do this; it is idempotent, so call it again after changing
    /// accounts through [`Model::accounts_mut`].
    ///
    /// ```
    /// let mut model = iam_model::model::Model::from_json(include_str!("../../tests/fixtures/baseline-policy-attached.json"))?;
    /// let once = model.clone();
    /// model.apply_baselines();
    /// assert_eq!(model, once);
    /// assert!(model.account("other").unwrap().iam().policies().contains_key("ReadLogs"));
    /// // `other` leaves the OU, `new` joins it.
    /// use iam_model::model::{Account, Environment};
    /// use iam_model::policy::AccountId;
    /// let accounts = model.accounts_mut();
    /// accounts.insert("other".parse()?, Account::builder(AccountId::from_static("333333333333"),
    ///     "other@example.com", Environment::Production).build());
    /// accounts.insert("new".parse()?, Account::builder(AccountId::from_static("444444444444"),
    ///     "new@example.com", Environment::Production).unit("Workloads".parse()?).build());
    /// model.apply_baselines();
    /// assert!(model.account("other").unwrap().iam().policies().is_empty());
    /// assert!(model.account("new").unwrap().iam().policies().contains_key("ReadLogs"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_baselines(&mut self) {
        file::apply_baselines(&self.organization, &mut self.accounts);
    }

    /// IAM Identity Center, if used.
    pub fn identity_center(&self) -> Option<&IdentityCenter> {
        self.identity_center.as_ref()
    }

    /// The access assertions.
    pub fn assertions(&self) -> &[Assertion] {
        &self.assertions
    }

    /// The findings the model's authors accept, each with its reason (`allow_findings`).
    pub fn allowed_findings(&self) -> &[AllowedFinding] {
        &self.allowed_findings
    }

    /// The accounts of every OU, in it or below it, indexed once: for code that expands
    /// many OU targets, where [`Model::accounts_under`] would scan every account each time.
    ///
    /// ```
    /// let model = iam_model::model::Model::from_json(include_str!("../../tests/models/valid/organization.json"))?;
    /// let units = model.unit_accounts();
    /// let workloads: iam_model::model::UnitPath = "Workloads".parse()?;
    /// let names: Vec<&str> = units.under(&workloads).iter().map(|n| n.as_str()).collect();
    /// let scanned: Vec<&str> = model.accounts_under(&workloads).map(|n| n.as_str()).collect();
    /// assert_eq!(names, scanned);
    /// assert!(!names.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unit_accounts(&self) -> UnitAccounts<'_> {
        let mut under: BTreeMap<UnitPath, Vec<&AccountName>> = BTreeMap::new();
        // Accounts in name order, so every list is sorted.
        for (name, account) in &self.accounts {
            let mut unit = account.unit().cloned();
            while let Some(u) = unit {
                unit = u.parent();
                under.entry(u).or_default().push(name);
            }
        }
        UnitAccounts { under }
    }

    /// Every (account, permission set, principal) that the Identity Center assignments
    /// give, OUs expanded to the accounts in them or below them, each once, sorted by
    /// account, permission set and principal. Accounts the model does not have are left out
    /// (validation reports them). Work is proportional to the distinct grants: an OU target
    /// repeated by several assignments of one principal and permission set is expanded once.
    ///
    /// ```
    /// let model = iam_model::model::Model::from_json(include_str!("../../tests/models/valid/organization.json"))?;
    /// let grants: Vec<String> = model.grants().iter()
    ///     .map(|g| format!("{} {} {}", g.account, g.permission_set, g.principal))
    ///     .collect();
    /// assert_eq!(grants, [
    ///     "development AdminAccess group `AWS-Admins`",
    ///     "development DeveloperAccess group `AWS-Developers`",
    ///     "development TesterAccess group `AWS-Testers`",
    ///     "management AdminAccess group `AWS-Admins`",
    ///     "production AdminAccess group `AWS-Admins`",
    ///     "sandbox DeveloperAccess group `AWS-Developers`",
    /// ]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grants(&self) -> Vec<Grant<'_>> {
        let Some(ic) = self.identity_center() else {
            return Vec::new();
        };
        let units = self.unit_accounts();
        let mut out = std::collections::BTreeSet::new();
        let mut expanded = std::collections::BTreeSet::new();
        for assignment in ic.assignments() {
            let (set, principal) = (assignment.permission_set(), assignment.principal());
            for (account, _) in assignment
                .accounts()
                .iter()
                .filter_map(|a| self.accounts.get_key_value(a.as_str()))
            {
                out.insert(Grant {
                    account,
                    permission_set: set,
                    principal,
                });
            }
            for unit in assignment.units() {
                if !expanded.insert((principal, set, unit)) {
                    continue;
                }
                for &account in units.under(unit) {
                    out.insert(Grant {
                        account,
                        permission_set: set,
                        principal,
                    });
                }
            }
        }
        out.into_iter().collect()
    }

    /// The names of the accounts in an OU or below it, in sorted order. Scans every
    /// account; [`Model::unit_accounts`] indexes them once.
    pub fn accounts_under<'a>(
        &'a self,
        unit: &'a UnitPath,
    ) -> impl Iterator<Item = &'a AccountName> + 'a {
        self.accounts
            .iter()
            .filter(move |(_, a)| a.unit.as_ref().is_some_and(|u| u.is_within(unit)))
            .map(|(name, _)| name)
    }
}

/// The accounts in each OU or below it; see [`Model::unit_accounts`].
#[derive(Debug, Clone, Default)]
pub struct UnitAccounts<'a> {
    under: BTreeMap<UnitPath, Vec<&'a AccountName>>,
}

impl<'a> UnitAccounts<'a> {
    /// The accounts in `unit` or below it, by name; none for an OU no account is in.
    pub fn under(&self, unit: &UnitPath) -> &[&'a AccountName] {
        self.under.get(unit).map(Vec::as_slice).unwrap_or_default()
    }
}

/// One assignment expanded: a principal gets a permission set in one account; see
/// [`Model::grants`]. Ordered by account, permission set, then principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant<'a> {
    /// The account.
    pub account: &'a AccountName,
    /// The permission set.
    pub permission_set: &'a PermissionSetName,
    /// The group or user.
    pub principal: &'a AssignmentPrincipal,
}

/// Builds a [`Model`]; see [`Model::builder`].
#[derive(Debug, Clone)]
pub struct ModelBuilder(Model);

impl ModelBuilder {
    /// Add an account.
    pub fn account(mut self, name: AccountName, account: Account) -> Self {
        self.0.accounts.insert(name, account);
        self
    }

    /// Set IAM Identity Center.
    pub fn identity_center(mut self, identity_center: IdentityCenter) -> Self {
        self.0.identity_center = Some(identity_center);
        self
    }

    /// Add an access assertion.
    pub fn assertion(mut self, assertion: Assertion) -> Self {
        self.0.assertions.push(assertion);
        self
    }

    /// Accept one finding, with the reason ([`AllowedFinding`]).
    pub fn allow_finding(mut self, allowed: AllowedFinding) -> Self {
        self.0.allowed_findings.push(allowed);
        self
    }

    /// The model, with the OU baselines given to every account under their OU as reading a
    /// model file does ([`Model::apply_baselines`]). What its parts mean together is checked
    /// by [`crate::validate::validate`], including an account entity with the name of a
    /// baseline entity (`baseline-collision`, which reading a model file reports at once).
    pub fn build(self) -> Model {
        let mut model = self.0;
        model.apply_baselines();
        model
    }
}

/// A finding the model's authors accept, written in the model file as
/// `"allow_findings": [{"code": "…", "path": "…", "reason": "…"}]`: validation reports it
/// with its reason as accepted instead of as an error or warning (and `ACCESS.md` lists it).
/// The code and the JSON pointer must match a finding exactly; an entry that matches none is
/// a warning, so that stale entries do not pile up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedFinding {
    code: String,
    path: String,
    reason: String,
}

impl AllowedFinding {
    /// Accept the finding `code` at `path` for `reason`. An empty reason is an error finding
    /// when the model is validated.
    pub fn new(
        code: impl Into<String>,
        path: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// The finding code (`trust-open`).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The JSON pointer of the finding.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Why the finding is accepted.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The principal of an access assertion.
///
/// In a model file: `group:NAME` or `user:NAME` (Identity Center), `permission-set:NAME`,
/// `role:NAME` or `iam-user:NAME` (IAM, in the assertion's account), or
/// `external-account:ID` (a principal of another AWS account that its own administrators
/// allow to do anything: what reaches our account is decided by our trust and resource
/// policies, such as a third party assuming our role).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssertionPrincipal {
    /// Members of an Identity Center group, through every permission set assigned to it.
    Group(String),
    /// An Identity Center user, through every permission set assigned to them.
    User(String),
    /// A permission set's role in the account.
    PermissionSet(names::PermissionSetName),
    /// An IAM role of the account.
    Role(names::RoleName),
    /// An IAM user of the account.
    IamUser(names::UserName),
    /// A principal of another AWS account, fully allowed by its own account's policies.
    ExternalAccount(crate::policy::AccountId),
    /// A web identity caller of an OIDC provider of the model (in the assertion's account,
    /// else the only account that has one); its claims go in `context`.
    Oidc(names::OidcProviderName),
    /// A SAML caller of a SAML provider of the model; its claims go in `context`.
    Saml(names::SamlProviderName),
}

const EXPECTED_PRINCIPAL: &str = "expected `group:`, `user:`, `permission-set:`, `role:`, `iam-user:`, `external-account:`, `oidc:` or `saml:` and a name";

impl FromStr for AssertionPrincipal {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ParseError::Value {
            what: "assertion principal",
            input: input.to_string(),
            reason,
        };
        let Some((kind, name)) = input.split_once(':') else {
            return Err(err(EXPECTED_PRINCIPAL.to_string()));
        };
        let name_err = |e: ParseError| err(e.to_string());
        match kind {
            "group" if !name.is_empty() => Ok(Self::Group(name.to_string())),
            "user" if !name.is_empty() => Ok(Self::User(name.to_string())),
            "permission-set" => name.parse().map(Self::PermissionSet).map_err(name_err),
            "role" => name.parse().map(Self::Role).map_err(name_err),
            "iam-user" => name.parse().map(Self::IamUser).map_err(name_err),
            "external-account" => name.parse().map(Self::ExternalAccount).map_err(name_err),
            "oidc" => name.parse().map(Self::Oidc).map_err(name_err),
            "saml" => name.parse().map(Self::Saml).map_err(name_err),
            _ => Err(err(EXPECTED_PRINCIPAL.to_string())),
        }
    }
}

impl fmt::Display for AssertionPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Group(n) => write!(f, "group:{n}"),
            Self::User(n) => write!(f, "user:{n}"),
            Self::PermissionSet(n) => write!(f, "permission-set:{n}"),
            Self::Role(n) => write!(f, "role:{n}"),
            Self::IamUser(n) => write!(f, "iam-user:{n}"),
            Self::ExternalAccount(id) => write!(f, "external-account:{}", id.as_str()),
            Self::Oidc(n) => write!(f, "oidc:{n}"),
            Self::Saml(n) => write!(f, "saml:{n}"),
        }
    }
}

/// An expectation about access, checked by the evaluator: the principal can (or cannot) do
/// these actions on the resource in the account.
///
/// `context` holds request context values the evaluator sets on the request, by condition
/// key (`{"sts:ExternalId": "acme-7f3b9c2e"}`, `{"aws:MultiFactorAuthPresent": "true"}`);
/// keys not listed are absent from the request. In a model file it is the optional object
/// `"context"`.
///
/// ```
/// use iam_model::model::{Assertion, AssertionPrincipal};
/// use iam_model::model::names::AccountName;
/// use iam_model::policy::AccountId;
/// let a = Assertion::new(AssertionPrincipal::ExternalAccount(AccountId::from_static("999999999999")),
///         AccountName::from_static("production"))
///     .on("arn:aws:iam::222222222222:role/acme-contractor")
///     .with_context("sts:ExternalId".parse()?, "acme-7f3b9c2e")
///     .allow("sts:AssumeRole".parse()?);
/// assert_eq!(a.principal().to_string(), "external-account:999999999999");
/// assert_eq!(a.context().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub(crate) principal: AssertionPrincipal,
    pub(crate) account: AccountName,
    pub(crate) resource: String,
    pub(crate) context: BTreeMap<crate::policy::ConditionKey, String>,
    pub(crate) denied: Vec<Action>,
    pub(crate) allowed: Vec<Action>,
}

impl Assertion {
    /// An assertion on every resource (`*`) with no actions yet.
    pub fn new(principal: AssertionPrincipal, account: AccountName) -> Self {
        Self {
            principal,
            account,
            resource: "*".to_string(),
            context: BTreeMap::new(),
            denied: Vec::new(),
            allowed: Vec::new(),
        }
    }

    /// The same assertion on another resource.
    pub fn on(self, resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            ..self
        }
    }

    /// Set a request context value (a condition key and its value).
    pub fn with_context(
        mut self,
        key: crate::policy::ConditionKey,
        value: impl Into<String>,
    ) -> Self {
        self.context.insert(key, value.into());
        self
    }

    /// Expect the action to be denied.
    pub fn deny(mut self, action: Action) -> Self {
        self.denied.push(action);
        self
    }

    /// Expect the action to be allowed.
    pub fn allow(mut self, action: Action) -> Self {
        self.allowed.push(action);
        self
    }

    /// Who.
    pub fn principal(&self) -> &AssertionPrincipal {
        &self.principal
    }

    /// Where.
    pub fn account(&self) -> &AccountName {
        &self.account
    }

    /// On what (`*` or an ARN).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The request context values, by condition key.
    pub fn context(&self) -> &BTreeMap<crate::policy::ConditionKey, String> {
        &self.context
    }

    /// Actions that must be denied.
    pub fn denied(&self) -> &[Action] {
        &self.denied
    }

    /// Actions that must be allowed.
    pub fn allowed(&self) -> &[Action] {
        &self.allowed
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every assignment expanded one by one, the way `grants` must come out.
    fn expanded_one_by_one(model: &Model) -> Vec<(String, String, String)> {
        let mut out = BTreeSet::new();
        for a in model
            .identity_center()
            .map_or(&[][..], |ic| ic.assignments())
        {
            let mut accounts: Vec<&AccountName> = a
                .accounts()
                .iter()
                .filter(|n| model.account(n.as_str()).is_some())
                .collect();
            for unit in a.units() {
                accounts.extend(model.accounts_under(unit));
            }
            for account in accounts {
                out.insert((
                    account.to_string(),
                    a.permission_set().to_string(),
                    a.principal().to_string(),
                ));
            }
        }
        out.into_iter().collect()
    }

    #[test]
    fn grants_are_the_assignments_expanded_once_each() {
        // Every 100th synthetic assignment names an OU, most of them one named before.
        let model = synthetic::organization(30, 4, 3, 20, 1_000);
        let grants: Vec<(String, String, String)> = model
            .grants()
            .iter()
            .map(|g| {
                (
                    g.account.to_string(),
                    g.permission_set.to_string(),
                    g.principal.to_string(),
                )
            })
            .collect();
        assert_eq!(grants, expanded_one_by_one(&model));
        assert!(grants.len() > 30, "{}", grants.len());
    }
}
