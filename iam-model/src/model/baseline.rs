//! Per-OU baselines: IAM roles, customer managed policies and OIDC providers that every
//! account under an OU gets.
//!
//! In a model file a baseline is `organization.units.<name>[.units.<name>…].baseline`
//! ([`BaselineFile`]). Strings in it may name the account they are deployed in as
//! `${AWS::AccountId}` and the partition as `${AWS::Partition}`. When a model is read, every
//! account under the OU (at any depth) gets the baseline's entities with its own id in place
//! of the placeholder ([`crate::model::Account::iam`]), so validation, the access matrix,
//! `who-can` and `check` see them in every account; the account keeps its own IAM apart
//! ([`crate::model::Account::own_iam`]) for its own template, since the baseline is deployed
//! once per OU (a CloudFormation StackSet). An account entity with the name of a baseline
//! entity is the error `baseline-collision`; a finding in a baseline entity is reported once,
//! at its path in the baseline.
//!
//! ```
//! use iam_model::model::Model;
//! let model = Model::from_json(r#"{
//!   "version": 1,
//!   "organization": {"management_account": "management", "units": {"Workloads": {"baseline": {"roles": {
//!     "audit": {"trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!       "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]},
//!       "inline_policies": {"Read": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!         "Action": "s3:GetObject", "Resource": "arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}/*"}]}}}}}}}},
//!   "accounts": {
//!     "management": {"id": "111111111111", "email": "aws@example.com", "environment": "management"},
//!     "app": {"id": "222222222222", "email": "app@example.com", "environment": "production", "unit": "Workloads"}
//!   }
//! }"#)?;
//! let app = model.account("app").unwrap();
//! assert!(app.iam().roles().contains_key("audit"));
//! assert!(app.own_iam().roles().is_empty());
//! assert!(model.to_json().contains("logs-${AWS::AccountId}"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::marker::PhantomData;

use crate::model::file::BaselineFile;
use crate::model::iam::{Iam, ManagedPolicy, OidcProvider, Role};
use crate::model::names::{OidcProviderName, PolicyName, RoleName};
use crate::policy::AccountId;

pub use crate::model::file::{ACCOUNT_ID_PLACEHOLDER, PARTITION_PLACEHOLDER};

/// The account id a baseline is decoded with to stand for `${AWS::AccountId}`
/// ([`Baseline::template`]); no AWS account has it.
pub const TEMPLATE_ACCOUNT_ID: &str = "000000000000";

/// [`TEMPLATE_ACCOUNT_ID`] as an account id, for typed values of a baseline built in Rust
/// ([`Baseline::builder`]) that name the account they are deployed in.
///
/// ```
/// use iam_model::model::baseline::{TEMPLATE_ACCOUNT, TEMPLATE_ACCOUNT_ID};
/// assert_eq!(TEMPLATE_ACCOUNT.to_string(), TEMPLATE_ACCOUNT_ID);
/// ```
pub const TEMPLATE_ACCOUNT: AccountId = AccountId::from_static(TEMPLATE_ACCOUNT_ID);

/// A per-OU baseline: as written, and decoded with [`TEMPLATE_ACCOUNT_ID`].
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub(crate) file: BaselineFile,
    pub(crate) template: Iam,
}

impl Eq for Baseline {}

impl Baseline {
    /// A builder for a baseline; `build` exists once it has a role, a customer managed
    /// policy or an OIDC provider.
    ///
    /// Write the id of the account the baseline is deployed in as [`TEMPLATE_ACCOUNT_ID`]
    /// (typed values such as an account principal need a real 12-digit id): the baseline
    /// stores it as `${AWS::AccountId}`, exactly as if it had been read from a model file, and
    /// every account under the OU gets the baseline with its own id in its place once the
    /// model is built ([`crate::model::ModelBuilder::build`]).
    ///
    /// ```
    /// use iam_model::model::{Account, Environment, ManagedPolicy, Model, Organization, Role, Unit};
    /// use iam_model::model::baseline::{Baseline, TEMPLATE_ACCOUNT_ID};
    /// use iam_model::model::names::AccountName;
    /// use iam_model::policy::{AccountId, Policy, Principal, Statement, kind::{Identity, Trust}};
    /// const MANAGEMENT: AccountName = AccountName::from_static("management");
    /// let trust = Policy::<Trust>::builder()
    ///     .statement(Statement::trust().allow()
    ///         .principal(Principal::account(AccountId::from_static("111111111111")))
    ///         .action("sts:AssumeRole".parse()?).build())
    ///     .build();
    /// let read_logs = Policy::<Identity>::builder()
    ///     .statement(Statement::builder().allow().action("s3:GetObject".parse()?)
    ///         .resource(format!("arn:aws:s3:::logs-{TEMPLATE_ACCOUNT_ID}/*").parse()?).build())
    ///     .build();
    /// let baseline = Baseline::builder()
    ///     .role("audit".parse()?, Role::builder().trust_policy(trust)
    ///         .customer_managed_policy("ReadLogs".parse()?).build())
    ///     .policy("ReadLogs".parse()?, ManagedPolicy::builder(read_logs).build())
    ///     .build();
    /// let model = Model::builder(Organization::new(MANAGEMENT)
    ///         .unit("Workloads", Unit::new().with_baseline(baseline)))
    ///     .account(MANAGEMENT, Account::builder(AccountId::from_static("111111111111"),
    ///         "aws@example.com", Environment::Management).build())
    ///     .account("app".parse()?, Account::builder(AccountId::from_static("222222222222"),
    ///         "app@example.com", Environment::Production).unit("Workloads".parse()?).build())
    ///     .build();
    /// let app = model.account("app").unwrap();
    /// let policy = &app.iam().policies()["ReadLogs"];
    /// assert!(serde_json::to_string(policy.document())?.contains("logs-222222222222/*"));
    /// assert!(app.own_iam().roles().is_empty());
    /// assert!(model.to_json().contains("logs-${AWS::AccountId}/*"));
    /// assert_eq!(Model::from_json(&model.to_json())?, model);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A baseline with nothing in it does not compile:
    ///
    /// ```compile_fail
    /// use iam_model::model::baseline::Baseline;
    /// let empty = Baseline::builder().build();
    /// ```
    pub fn builder() -> BaselineBuilder<NoEntity> {
        BaselineBuilder {
            iam: Iam::default(),
            _state: PhantomData,
        }
    }

    /// The baseline as written, placeholders included.
    pub fn file(&self) -> &BaselineFile {
        &self.file
    }

    /// The baseline's IAM with [`TEMPLATE_ACCOUNT_ID`] for `${AWS::AccountId}` and `aws` for
    /// `${AWS::Partition}`: what emitters write, turning the stand-in id back into the
    /// placeholder.
    pub fn template(&self) -> &Iam {
        &self.template
    }
}

/// Typestate: the baseline has no role, policy or OIDC provider yet.
#[derive(Debug, Clone, Copy)]
pub struct NoEntity;
/// Typestate: the baseline has at least one role, policy or OIDC provider.
#[derive(Debug, Clone, Copy)]
pub struct HasEntity;

/// Builds a [`Baseline`]; see [`Baseline::builder`]. `S` is [`NoEntity`] until the first
/// role, policy or OIDC provider, then [`HasEntity`]. An entity added twice under one name
/// keeps the last.
#[derive(Debug, Clone)]
pub struct BaselineBuilder<S> {
    iam: Iam,
    _state: PhantomData<S>,
}

impl<S> BaselineBuilder<S> {
    /// Add a role.
    pub fn role(mut self, name: RoleName, role: Role) -> BaselineBuilder<HasEntity> {
        self.iam.roles.insert(name, role);
        self.retag()
    }

    /// Add a customer managed policy.
    pub fn policy(mut self, name: PolicyName, policy: ManagedPolicy) -> BaselineBuilder<HasEntity> {
        self.iam.policies.insert(name, policy);
        self.retag()
    }

    /// Add an OIDC provider, by model name.
    pub fn oidc_provider(
        mut self,
        name: OidcProviderName,
        provider: OidcProvider,
    ) -> BaselineBuilder<HasEntity> {
        self.iam.oidc_providers.insert(name, provider);
        self.retag()
    }

    fn retag<T>(self) -> BaselineBuilder<T> {
        BaselineBuilder {
            iam: self.iam,
            _state: PhantomData,
        }
    }
}

impl BaselineBuilder<HasEntity> {
    /// The baseline: [`TEMPLATE_ACCOUNT_ID`] in its strings is stored as `${AWS::AccountId}`
    /// ([`Baseline::file`]), so it equals the same baseline read from a model file.
    pub fn build(self) -> Baseline {
        let file = BaselineFile::from_template(&self.iam);
        // Decoded back as a model file's baseline is, so both forms are the same value; what
        // was typed decodes cleanly, the fallback only keeps `build` infallible.
        let template =
            crate::model::file::decode_baseline(&file, TEMPLATE_ACCOUNT_ID).unwrap_or(self.iam);
        Baseline { file, template }
    }
}
