//! Member accounts: id, owner email, environment, OU, tags, budget and IAM.
use crate::model::iam::Iam;
use crate::model::names::UnitPath;
use crate::model::org::{Environment, Tags};
use crate::policy::AccountId;

/// An AWS account of the organization.
///
/// # Existing accounts are adopted
///
/// Every account in a model has an id, so it exists: the artifacts adopt it and never create
/// it. The CloudFormation management template declares no `AWS::Organizations::Account` for
/// it (CloudFormation would create a new account), and the Terraform management module
/// imports it (`import` blocks, Terraform 1.5+) so moving it between OUs and its tags are
/// managed without creating anything. Only an account marked [`AccountBuilder::create`]
/// (`"create": true` in a model file) is created by the management template; its `id` is
/// then the id the model uses until AWS assigns the real one (the template's
/// `Account<Name>AccountId` output), which goes back into the model, without `create`.
///
/// ```
/// use iam_model::model::{Account, Environment, Budget, BudgetTimeUnit};
/// use iam_model::policy::AccountId;
/// let sandbox = Account::builder(AccountId::from_static("333333333333"), "aws-sandbox@example.com", Environment::Sandbox)
///     .unit("Sandbox".parse()?)
///     .tag("Environment", "Sandbox")
///     .budget(Budget::new(50, BudgetTimeUnit::Monthly).threshold(80, ["finance@example.com"]))
///     .build();
/// assert_eq!(sandbox.environment(), &Environment::Sandbox);
/// assert_eq!(sandbox.budget().map(|b| b.amount), Some(50));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub(crate) id: AccountId,
    pub(crate) email: String,
    pub(crate) environment: Environment,
    pub(crate) unit: Option<UnitPath>,
    pub(crate) tags: Tags,
    pub(crate) budget: Option<Budget>,
    pub(crate) iam: Iam,
    pub(crate) create: bool,
    /// The account's own IAM when OU baselines added to `iam`.
    pub(crate) own: Option<Iam>,
}

impl Account {
    /// A builder for an account directly under the root, with no IAM entities.
    pub fn builder(
        id: AccountId,
        email: impl Into<String>,
        environment: Environment,
    ) -> AccountBuilder {
        AccountBuilder(Self {
            id,
            email: email.into(),
            environment,
            unit: None,
            tags: Tags::new(),
            budget: None,
            iam: Iam::default(),
            create: false,
            own: None,
        })
    }

    /// The 12-digit id.
    pub fn id(&self) -> AccountId {
        self.id
    }

    /// The owner email (the root user's sign-in).
    pub fn email(&self) -> &str {
        &self.email
    }

    /// The environment it stands for.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// The OU it is in; `None` for the root.
    pub fn unit(&self) -> Option<&UnitPath> {
        self.unit.as_ref()
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// The cost budget.
    pub fn budget(&self) -> Option<&Budget> {
        self.budget.as_ref()
    }

    /// The IAM users, groups, roles, policies and providers of the account, with what the
    /// baselines of its OUs give it (what validation and the evaluator see).
    pub fn iam(&self) -> &Iam {
        &self.iam
    }

    /// The account's own IAM, without its OUs' baselines (what its own template deploys;
    /// the baselines are deployed by StackSets).
    pub fn own_iam(&self) -> &Iam {
        self.own.as_ref().unwrap_or(&self.iam)
    }

    /// Whether the management template creates the account (it does not exist yet); `false`
    /// for an existing account, which is adopted (see [`Account`]).
    pub fn create(&self) -> bool {
        self.create
    }

    /// The account's own IAM entities ([`Account::own_iam`]: what its template deploys), for
    /// changes. Where OU baselines apply, call [`crate::model::Model::apply_baselines`]
    /// afterwards so that [`Account::iam`] (what validation and the evaluator see) holds the
    /// change too.
    pub fn iam_mut(&mut self) -> &mut Iam {
        self.own.as_mut().unwrap_or(&mut self.iam)
    }
}

/// Builds an [`Account`]; see [`Account::builder`].
#[derive(Debug, Clone)]
pub struct AccountBuilder(Account);

impl AccountBuilder {
    /// Place the account in an OU.
    pub fn unit(mut self, path: UnitPath) -> Self {
        self.0.unit = Some(path);
        self
    }

    /// Add a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.tags.insert(key.into(), value.into());
        self
    }

    /// Set the budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        self.0.budget = Some(budget);
        self
    }

    /// Set the IAM entities.
    pub fn iam(mut self, iam: Iam) -> Self {
        self.0.iam = iam;
        self
    }

    /// Mark the account as new: the management template creates it.
    pub fn create(mut self) -> Self {
        self.0.create = true;
        self
    }

    /// The account.
    pub fn build(self) -> Account {
        self.0
    }
}

/// The period a budget covers (AWS Budgets `TimeUnit`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BudgetTimeUnit {
    /// Every day.
    Daily,
    /// Every month.
    Monthly,
    /// Every quarter.
    Quarterly,
    /// Every year.
    Annually,
}

/// An alert at a share of the budget, sent by email.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct BudgetThreshold {
    /// Percent of the budgeted amount (actual spend) that triggers the alert.
    pub percent: u32,
    /// Email addresses to notify.
    pub subscribers: Vec<String>,
}

/// An AWS Budgets cost budget for one account: the seeds' sandbox cost control.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// The budgeted amount, in whole units of the currency.
    pub amount: u64,
    /// The currency; AWS Budgets uses `USD`.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// The period.
    pub time_unit: BudgetTimeUnit,
    /// Alerts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<BudgetThreshold>,
}

fn default_currency() -> String {
    "USD".to_string()
}

impl Budget {
    /// A budget in USD with no alerts.
    pub fn new(amount: u64, time_unit: BudgetTimeUnit) -> Self {
        Self {
            amount,
            currency: default_currency(),
            time_unit,
            thresholds: Vec::new(),
        }
    }

    /// Add an alert at `percent` of the amount, mailed to `subscribers`.
    pub fn threshold<S: Into<String>>(
        mut self,
        percent: u32,
        subscribers: impl IntoIterator<Item = S>,
    ) -> Self {
        self.thresholds.push(BudgetThreshold {
            percent,
            subscribers: subscribers.into_iter().map(Into::into).collect(),
        });
        self
    }
}
