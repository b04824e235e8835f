//! AWS Organizations: the management account, nested OUs, SCPs and RCPs with their targets.
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::model::baseline::Baseline;
use crate::model::names::{AccountName, OrgPolicyName, UnitPath};
use crate::policy::kind::{Rcp, Scp};
use crate::policy::{Kind, Policy};

/// Tags: key → value, sorted by key.
pub type Tags = BTreeMap<String, String>;

/// What an account stands for. The seeds' environments have their own variants; any other
/// name is [`Environment::Custom`]. In a model file it is a plain string.
///
/// ```
/// use iam_model::model::Environment;
/// assert_eq!("production".parse::<Environment>(), Ok(Environment::Production));
/// assert_eq!("qa".parse::<Environment>(), Ok(Environment::Custom("qa".into())));
/// assert_eq!(Environment::Custom("qa".into()).as_str(), "qa");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Environment {
    /// The organization's management account.
    Management,
    /// Security tooling (audit, GuardDuty administrator, …).
    Security,
    /// Log archive.
    Logging,
    /// Temporary experiments.
    Sandbox,
    /// Active development.
    Development,
    /// QA and integration tests.
    Testing,
    /// Pre-production.
    Staging,
    /// Real users and real data.
    Production,
    /// Any other environment, by name.
    Custom(String),
}

impl Environment {
    /// The known environments, in the order above.
    pub const KNOWN: [Environment; 8] = [
        Self::Management,
        Self::Security,
        Self::Logging,
        Self::Sandbox,
        Self::Development,
        Self::Testing,
        Self::Staging,
        Self::Production,
    ];

    /// The name as written in a model file.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Management => "management",
            Self::Security => "security",
            Self::Logging => "logging",
            Self::Sandbox => "sandbox",
            Self::Development => "development",
            Self::Testing => "testing",
            Self::Staging => "staging",
            Self::Production => "production",
            Self::Custom(name) => name,
        }
    }
}

impl FromStr for Environment {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.is_empty() {
            return Err(ParseError::Value {
                what: "environment",
                input: String::new(),
                reason: "it is empty".to_string(),
            });
        }
        Ok(Self::KNOWN
            .into_iter()
            .find(|e| e.as_str() == input)
            .unwrap_or_else(|| Self::Custom(input.to_string())))
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an SCP or RCP is attached: the organization root, an OU, or an account.
///
/// In a model file: `"root"`, `"unit:Workloads/Prod"` or `"account:production"` (a prefix,
/// so an OU and an account with the same name cannot be confused).
///
/// ```
/// use iam_model::model::Target;
/// let t: Target = "unit:Workloads/Prod".parse()?;
/// assert_eq!(t.to_string(), "unit:Workloads/Prod");
/// assert_eq!("Workloads".parse::<Target>().unwrap_err().to_string(),
///     "invalid policy target `Workloads`: expected `root`, `unit:PATH` or `account:NAME`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// The organization root: every account.
    Root,
    /// An OU and everything under it.
    Unit(UnitPath),
    /// One account.
    Account(AccountName),
}

impl FromStr for Target {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ParseError::Value {
            what: "policy target",
            input: input.to_string(),
            reason,
        };
        if input == "root" {
            return Ok(Self::Root);
        }
        if let Some(path) = input.strip_prefix("unit:") {
            return path.parse().map(Self::Unit).map_err(|e| err(e.to_string()));
        }
        if let Some(name) = input.strip_prefix("account:") {
            return name
                .parse()
                .map(Self::Account)
                .map_err(|e| err(e.to_string()));
        }
        Err(err(
            "expected `root`, `unit:PATH` or `account:NAME`".to_string()
        ))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => f.write_str("root"),
            Self::Unit(path) => write!(f, "unit:{path}"),
            Self::Account(name) => write!(f, "account:{name}"),
        }
    }
}

/// An organizational unit: child OUs and tags. Its name is its key in the parent's map.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unit {
    pub(crate) units: BTreeMap<String, Unit>,
    pub(crate) tags: Tags,
    pub(crate) baseline: Option<Baseline>,
}

impl Unit {
    /// An empty OU.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a child OU.
    pub fn unit(mut self, name: impl Into<String>, unit: Unit) -> Self {
        self.units.insert(name.into(), unit);
        self
    }

    /// Add a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Give every account in the OU or below it the IAM of `baseline` (see [`Baseline`] and
    /// [`Baseline::builder`]); a second call replaces the first.
    ///
    /// ```
    /// use iam_model::model::{Unit, OidcProvider};
    /// use iam_model::model::baseline::Baseline;
    /// let github = OidcProvider { url: "https://token.actions.githubusercontent.com".into(),
    ///     client_ids: vec!["sts.amazonaws.com".into()], thumbprints: vec![], tags: Default::default() };
    /// let unit = Unit::new().with_baseline(Baseline::builder().oidc_provider("github".parse()?, github).build());
    /// assert_eq!(unit.baseline().map(|b| b.template().oidc_providers().len()), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_baseline(mut self, baseline: Baseline) -> Self {
        self.baseline = Some(baseline);
        self
    }

    /// The child OUs by name.
    pub fn units(&self) -> &BTreeMap<String, Unit> {
        &self.units
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// The IAM every account under the OU gets (see [`Baseline`]).
    pub fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }
}

/// Whether `text` has the form of an AWS Organizations policy id: `p-` followed by 8 to 128
/// letters, digits or underscores. AWS's own policies have ids such as `p-FullAWSAccess`.
///
/// AWS Organizations API reference, `DescribePolicy` (`PolicyId`): "The regex pattern for
/// a policy ID string requires \"p-\" followed by from 8 to 128 lowercase or uppercase
/// letters, digits, or the underscore character (_)" (`^p-[0-9a-zA-Z_]{8,128}$`).
///
/// ```
/// use iam_model::model::is_policy_id;
/// assert!(is_policy_id("p-examplepolicyid111"));
/// assert!(is_policy_id("p-FullAWSAccess"));
/// assert!(!is_policy_id("p-1234567"));
/// assert!(!is_policy_id("p-1234-5678"));
/// ```
pub fn is_policy_id(text: &str) -> bool {
    text.strip_prefix("p-").is_some_and(|rest| {
        (8..=128).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// An SCP or RCP: a policy document, where it is attached, a description and tags, and the
/// id AWS gave it when it exists (kept by `import`, used for Terraform `import` blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPolicy<K: Kind> {
    pub(crate) id: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) targets: Vec<Target>,
    pub(crate) document: Policy<K>,
    pub(crate) tags: Tags,
}

/// A service control policy.
pub type ServiceControlPolicy = OrgPolicy<Scp>;
/// A resource control policy.
pub type ResourceControlPolicy = OrgPolicy<Rcp>;

impl<K: Kind> OrgPolicy<K> {
    /// A builder for a policy attached nowhere yet.
    pub fn builder(document: Policy<K>) -> OrgPolicyBuilder<K> {
        OrgPolicyBuilder(Self {
            id: None,
            description: None,
            targets: Vec::new(),
            document,
            tags: Tags::new(),
        })
    }

    /// The id AWS gave the policy (`p-…`), when the model knows it.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Where it is attached.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The policy document.
    pub fn document(&self) -> &Policy<K> {
        &self.document
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }
}

/// Builds an [`OrgPolicy`]; see [`OrgPolicy::builder`].
#[derive(Debug, Clone)]
pub struct OrgPolicyBuilder<K: Kind>(OrgPolicy<K>);

impl<K: Kind> OrgPolicyBuilder<K> {
    /// Set the id AWS gave the policy (`p-…`; validation checks its form).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.0.id = Some(id.into());
        self
    }

    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.0.description = Some(text.into());
        self
    }

    /// Attach to a target.
    pub fn target(mut self, target: Target) -> Self {
        self.0.targets.push(target);
        self
    }

    /// Add a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.tags.insert(key.into(), value.into());
        self
    }

    /// The policy.
    pub fn build(self) -> OrgPolicy<K> {
        self.0
    }
}

/// The organization: which account manages it, its OUs, and its SCPs and RCPs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub(crate) management_account: AccountName,
    pub(crate) units: BTreeMap<String, Unit>,
    pub(crate) scps: BTreeMap<OrgPolicyName, ServiceControlPolicy>,
    pub(crate) rcps: BTreeMap<OrgPolicyName, ResourceControlPolicy>,
}

impl Organization {
    /// An organization managed by the named account, with no OUs or policies.
    pub fn new(management_account: AccountName) -> Self {
        Self {
            management_account,
            units: BTreeMap::new(),
            scps: BTreeMap::new(),
            rcps: BTreeMap::new(),
        }
    }

    /// Add a top-level OU.
    pub fn unit(mut self, name: impl Into<String>, unit: Unit) -> Self {
        self.units.insert(name.into(), unit);
        self
    }

    /// Add an SCP.
    pub fn scp(mut self, name: OrgPolicyName, policy: ServiceControlPolicy) -> Self {
        self.scps.insert(name, policy);
        self
    }

    /// Add an RCP.
    pub fn rcp(mut self, name: OrgPolicyName, policy: ResourceControlPolicy) -> Self {
        self.rcps.insert(name, policy);
        self
    }

    /// The management account's name in the model.
    pub fn management_account(&self) -> &AccountName {
        &self.management_account
    }

    /// The top-level OUs.
    pub fn units(&self) -> &BTreeMap<String, Unit> {
        &self.units
    }

    /// Every OU with its path, parents before children, in sorted order.
    pub fn unit_paths(&self) -> Vec<(UnitPath, &Unit)> {
        fn walk<'a>(
            prefix: Option<&UnitPath>,
            units: &'a BTreeMap<String, Unit>,
            out: &mut Vec<(UnitPath, &'a Unit)>,
        ) {
            for (name, unit) in units {
                let path = match prefix {
                    Some(p) => p.child(name),
                    None => UnitPath::top(name),
                };
                // Names were checked when the model was read or built; a bad one has no path.
                if let Ok(path) = path {
                    out.push((path.clone(), unit));
                    walk(Some(&path), &unit.units, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(None, &self.units, &mut out);
        out
    }

    /// The OU at a path.
    pub fn find_unit(&self, path: &UnitPath) -> Option<&Unit> {
        let mut units = &self.units;
        let mut found = None;
        for segment in path.segments() {
            let unit = units.get(segment)?;
            units = &unit.units;
            found = Some(unit);
        }
        found
    }

    /// The SCPs by name.
    pub fn scps(&self) -> &BTreeMap<OrgPolicyName, ServiceControlPolicy> {
        &self.scps
    }

    /// The RCPs by name.
    pub fn rcps(&self) -> &BTreeMap<OrgPolicyName, ResourceControlPolicy> {
        &self.rcps
    }
}
