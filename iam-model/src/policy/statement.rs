//! Statements and their builders.
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use crate::error::ParseError;
use crate::json::{OneOrMany, OrderedMap};
use crate::policy::condition::{Condition, ConditionKey, ConditionOperator, ConditionValue};
use crate::policy::{Action, Arn, Principal};

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// The text AWS writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::Deny => "Deny",
        }
    }
}

impl FromStr for Effect {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        // The IAM policy grammar spells the values exactly so (effect = "Allow" | "Deny").
        match input {
            "Allow" => Ok(Self::Allow),
            "Deny" => Ok(Self::Deny),
            _ => Err(ParseError::Effect {
                input: input.to_string(),
            }),
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `Resource` / `NotResource` value: `*` or an ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// `*`: every resource.
    Any,
    /// An ARN, possibly with wildcards and variables.
    Arn(Arn),
}

impl Resource {
    /// The text as written.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Any => "*",
            Self::Arn(arn) => arn.as_str(),
        }
    }
}

impl FromStr for Resource {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input == "*" {
            Ok(Self::Any)
        } else {
            input.parse().map(Self::Arn)
        }
    }
}

impl From<Arn> for Resource {
    fn from(arn: Arn) -> Self {
        Self::Arn(arn)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `Action` or `NotAction` with its values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActionClause {
    /// `Action`: the statement covers these actions.
    Action(OneOrMany<Action>),
    /// `NotAction`: the statement covers every action but these.
    NotAction(OneOrMany<Action>),
}

impl ActionClause {
    /// The values, whichever element holds them.
    pub fn values(&self) -> &OneOrMany<Action> {
        match self {
            Self::Action(v) | Self::NotAction(v) => v,
        }
    }
    /// The element name (`Action` or `NotAction`).
    pub fn element(&self) -> &'static str {
        match self {
            Self::Action(_) => "Action",
            Self::NotAction(_) => "NotAction",
        }
    }
}

/// `Resource` or `NotResource` with its values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResourceClause {
    /// `Resource`.
    Resource(OneOrMany<Resource>),
    /// `NotResource`.
    NotResource(OneOrMany<Resource>),
}

impl ResourceClause {
    /// The values, whichever element holds them.
    pub fn values(&self) -> &OneOrMany<Resource> {
        match self {
            Self::Resource(v) | Self::NotResource(v) => v,
        }
    }
    /// The element name (`Resource` or `NotResource`).
    pub fn element(&self) -> &'static str {
        match self {
            Self::Resource(_) => "Resource",
            Self::NotResource(_) => "NotResource",
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrincipalClause {
    /// `Principal`.
    Principal(Principal),
    /// `NotPrincipal` (only with `Deny`).
    NotPrincipal(Principal),
}

impl PrincipalClause {
    /// The principal, whichever element holds it.
    pub fn value(&self) -> &Principal {
        match self {
            Self::Principal(p) | Self::NotPrincipal(p) => p,
        }
    }
    /// The element name (`Principal` or `NotPrincipal`).
    pub fn element(&self) -> &'static str {
        match self {
            Self::Principal(_) => "Principal",
            Self::NotPrincipal(_) => "NotPrincipal",
        }
    }
}

/// One statement of a policy. Build it with [`Statement::builder`] (identity-style),
/// [`Statement::trust`] (role trust policies) or [`Statement::with_principal`]
/// (resource-based policies), or read it from JSON with the policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalClause>,
    pub(crate) action: ActionClause,
    pub(crate) resource: Option<ResourceClause>,
    pub(crate) condition: Option<Condition>,
}

impl Statement {
    /// A builder for a statement with an effect, actions and resources, the shape of
    /// identity policies, permissions boundaries, SCPs and permission-set policies.
    ///
    /// ```
    /// use iam_model::policy::{Statement, Effect};
    /// let statement = Statement::builder()
    ///     .sid("ReadReports")
    ///     .allow()
    ///     .action("s3:GetObject".parse()?)
    ///     .resource("arn:aws:s3:::reports/*".parse()?)
    ///     .build();
    /// assert_eq!(statement.effect(), Effect::Allow);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A statement without a resource does not compile:
    ///
    /// ```compile_fail
    /// use iam_model::policy::Statement;
    /// let s = Statement::builder().allow().action("s3:GetObject".parse().unwrap()).build();
    /// ```
    ///
    /// Nor does one without an effect:
    ///
    /// ```compile_fail
    /// use iam_model::policy::{Statement, Resource};
    /// let s = Statement::builder().action("s3:GetObject".parse().unwrap()).resource(Resource::Any).build();
    /// ```
    ///
    /// Nor one without an action:
    ///
    /// ```compile_fail
    /// use iam_model::policy::{Statement, Resource};
    /// let s = Statement::builder().deny().resource(Resource::Any).build();
    /// ```
    pub fn builder() -> StatementBuilder<NoEffect, NoAction, NoResource> {
        StatementBuilder::new()
    }

    /// A builder for a role trust policy statement: effect, principal and `sts:` actions,
    /// no resource.
    ///
    /// ```
    /// use iam_model::policy::{Statement, Principal, AccountId};
    /// let statement = Statement::trust()
    ///     .allow()
    ///     .principal(Principal::account(AccountId::from_static("111122223333")))
    ///     .action("sts:AssumeRole".parse()?)
    ///     .build();
    /// assert!(statement.resource().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A trust statement without a principal does not compile:
    ///
    /// ```compile_fail
    /// use iam_model::policy::Statement;
    /// let s = Statement::trust().allow().action("sts:AssumeRole".parse().unwrap()).build();
    /// ```
    pub fn trust() -> TrustStatementBuilder<NoEffect, NoPrincipal, NoAction> {
        TrustStatementBuilder {
            inner: StatementBuilder::new(),
            principal: None,
            _p: PhantomData,
        }
    }

    /// A builder for a resource-based policy statement: effect, principal, actions, resources.
    ///
    /// ```
    /// use iam_model::policy::{Statement, Principal, AccountId};
    /// let statement = Statement::with_principal()
    ///     .allow()
    ///     .principal(Principal::account(AccountId::from_static("111122223333")))
    ///     .action("s3:GetObject".parse()?)
    ///     .resource("arn:aws:s3:::shared/*".parse()?)
    ///     .build();
    /// assert!(statement.principal().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// ```compile_fail
    /// use iam_model::policy::{Statement, Resource};
    /// let s = Statement::with_principal().allow().action("s3:GetObject".parse().unwrap()).resource(Resource::Any).build();
    /// ```
    pub fn with_principal() -> ResourceStatementBuilder<NoEffect, NoPrincipal, NoAction, NoResource>
    {
        ResourceStatementBuilder {
            inner: StatementBuilder::new(),
            principal: None,
            _p: PhantomData,
        }
    }

    /// The `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }
    /// The effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }
    /// `Principal` or `NotPrincipal`, if any.
    pub fn principal(&self) -> Option<&PrincipalClause> {
        self.principal.as_ref()
    }
    /// `Action` or `NotAction`.
    pub fn action(&self) -> &ActionClause {
        &self.action
    }
    /// `Resource` or `NotResource`, if any (trust policies have none).
    pub fn resource(&self) -> Option<&ResourceClause> {
        self.resource.as_ref()
    }
    /// The `Condition` block, if any.
    pub fn condition(&self) -> Option<&Condition> {
        self.condition.as_ref()
    }

    /// The same statement with one-item lists written as single values.
    pub fn canonical(self) -> Self {
        let action = match self.action {
            ActionClause::Action(v) => ActionClause::Action(v.canonical()),
            ActionClause::NotAction(v) => ActionClause::NotAction(v.canonical()),
        };
        let resource = self.resource.map(|r| match r {
            ResourceClause::Resource(v) => ResourceClause::Resource(v.canonical()),
            ResourceClause::NotResource(v) => ResourceClause::NotResource(v.canonical()),
        });
        let canon_principal = |p: Principal| match p {
            Principal::Any => Principal::Any,
            Principal::Typed(mut m) => {
                m.aws = m.aws.map(OneOrMany::canonical);
                m.service = m.service.map(OneOrMany::canonical);
                m.federated = m.federated.map(OneOrMany::canonical);
                m.canonical_user = m.canonical_user.map(OneOrMany::canonical);
                Principal::Typed(m)
            }
        };
        let principal = self.principal.map(|p| match p {
            PrincipalClause::Principal(p) => PrincipalClause::Principal(canon_principal(p)),
            PrincipalClause::NotPrincipal(p) => PrincipalClause::NotPrincipal(canon_principal(p)),
        });
        let condition = self.condition.map(|c| {
            c.into_entries()
                .into_iter()
                .map(|(op, keys)| {
                    let keys: OrderedMap<_, _> = keys
                        .into_entries()
                        .into_iter()
                        .map(|(k, v)| (k, v.canonical()))
                        .collect();
                    (op, keys)
                })
                .collect()
        });
        Self {
            action,
            resource,
            principal,
            condition,
            ..self
        }
    }
}

/// Typestate: no effect chosen yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEffect;
/// Typestate: no action given yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAction;
/// Typestate: at least one action given.
#[derive(Debug, Clone, Copy, Default)]
pub struct HasAction;
/// Typestate: no resource given yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResource;
/// Typestate: at least one resource given.
#[derive(Debug, Clone, Copy, Default)]
pub struct HasResource;
/// Typestate: no principal given yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPrincipal;
/// Typestate: a principal given.
#[derive(Debug, Clone, Copy, Default)]
pub struct HasPrincipal;

/// Builds a [`Statement`]; `build` exists only once the effect, an action and a resource
/// are given. See [`Statement::builder`].
#[derive(Debug, Clone)]
pub struct StatementBuilder<E, A, R> {
    effect: E,
    sid: Option<String>,
    actions: Vec<Action>,
    not_action: bool,
    resources: Vec<Resource>,
    not_resource: bool,
    condition: Condition,
    _state: PhantomData<(A, R)>,
}

impl StatementBuilder<NoEffect, NoAction, NoResource> {
    fn new() -> Self {
        Self {
            effect: NoEffect,
            sid: None,
            actions: Vec::new(),
            not_action: false,
            resources: Vec::new(),
            not_resource: false,
            condition: Condition::new(),
            _state: PhantomData,
        }
    }
}

impl<A, R> StatementBuilder<NoEffect, A, R> {
    /// `"Effect": "Allow"`.
    pub fn allow(self) -> StatementBuilder<Effect, A, R> {
        self.set_effect(Effect::Allow)
    }
    /// `"Effect": "Deny"`.
    pub fn deny(self) -> StatementBuilder<Effect, A, R> {
        self.set_effect(Effect::Deny)
    }
    fn set_effect(self, effect: Effect) -> StatementBuilder<Effect, A, R> {
        StatementBuilder {
            effect,
            sid: self.sid,
            actions: self.actions,
            not_action: self.not_action,
            resources: self.resources,
            not_resource: self.not_resource,
            condition: self.condition,
            _state: PhantomData,
        }
    }
}

impl<E, A, R> StatementBuilder<E, A, R> {
    fn retag<A2, R2>(self) -> StatementBuilder<E, A2, R2> {
        StatementBuilder {
            effect: self.effect,
            sid: self.sid,
            actions: self.actions,
            not_action: self.not_action,
            resources: self.resources,
            not_resource: self.not_resource,
            condition: self.condition,
            _state: PhantomData,
        }
    }

    /// The `Sid`.
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Add an action.
    pub fn action(mut self, action: Action) -> StatementBuilder<E, HasAction, R> {
        self.actions.push(action);
        self.retag()
    }

    /// Add several actions.
    pub fn actions(
        mut self,
        actions: impl IntoIterator<Item = Action>,
    ) -> StatementBuilder<E, HasAction, R> {
        self.actions.extend(actions);
        self.retag()
    }

    /// Write the actions as `NotAction`: the statement covers every other action.
    pub fn not_action(mut self) -> Self {
        self.not_action = true;
        self
    }

    /// Add a resource.
    pub fn resource(mut self, resource: Resource) -> StatementBuilder<E, A, HasResource> {
        self.resources.push(resource);
        self.retag()
    }

    /// Add several resources.
    pub fn resources(
        mut self,
        resources: impl IntoIterator<Item = Resource>,
    ) -> StatementBuilder<E, A, HasResource> {
        self.resources.extend(resources);
        self.retag()
    }

    /// Write the resources as `NotResource`.
    pub fn not_resource(mut self) -> Self {
        self.not_resource = true;
        self
    }

    /// Add a condition: `operator` → `key` → `values`.
    pub fn condition(
        mut self,
        operator: ConditionOperator,
        key: ConditionKey,
        values: impl IntoIterator<Item = ConditionValue>,
    ) -> Self {
        let values: Vec<ConditionValue> = values.into_iter().collect();
        let values = OneOrMany::Many(values).canonical();
        let mut keys = self.condition.get(&operator).cloned().unwrap_or_default();
        keys.insert(key, values);
        self.condition.insert(operator, keys);
        self
    }

    fn finish(self, effect: Effect, principal: Option<PrincipalClause>) -> Statement {
        let actions = OneOrMany::Many(self.actions).canonical();
        let action = if self.not_action {
            ActionClause::NotAction(actions)
        } else {
            ActionClause::Action(actions)
        };
        let resource = if self.resources.is_empty() {
            None
        } else {
            let values = OneOrMany::Many(self.resources).canonical();
            Some(if self.not_resource {
                ResourceClause::NotResource(values)
            } else {
                ResourceClause::Resource(values)
            })
        };
        Statement {
            sid: self.sid,
            effect,
            principal,
            action,
            resource,
            condition: (!self.condition.is_empty()).then_some(self.condition),
        }
    }
}

impl StatementBuilder<Effect, HasAction, HasResource> {
    /// The statement. Infallible: the type proved the effect, an action and a resource are there.
    pub fn build(self) -> Statement {
        let effect = self.effect;
        self.finish(effect, None)
    }
}

/// Builds a trust policy [`Statement`]; see [`Statement::trust`].
#[derive(Debug, Clone)]
pub struct TrustStatementBuilder<E, P, A> {
    inner: StatementBuilder<E, A, NoResource>,
    principal: Option<PrincipalClause>,
    _p: PhantomData<P>,
}

impl<P, A> TrustStatementBuilder<NoEffect, P, A> {
    /// `"Effect": "Allow"`.
    pub fn allow(self) -> TrustStatementBuilder<Effect, P, A> {
        TrustStatementBuilder {
            inner: self.inner.allow(),
            principal: self.principal,
            _p: PhantomData,
        }
    }
    /// `"Effect": "Deny"`.
    pub fn deny(self) -> TrustStatementBuilder<Effect, P, A> {
        TrustStatementBuilder {
            inner: self.inner.deny(),
            principal: self.principal,
            _p: PhantomData,
        }
    }
}

impl<E, P, A> TrustStatementBuilder<E, P, A> {
    /// The `Sid`.
    pub fn sid(self, sid: impl Into<String>) -> Self {
        Self {
            inner: self.inner.sid(sid),
            ..self
        }
    }
    /// The principal that may assume the role.
    pub fn principal(self, principal: Principal) -> TrustStatementBuilder<E, HasPrincipal, A> {
        TrustStatementBuilder {
            inner: self.inner,
            principal: Some(PrincipalClause::Principal(principal)),
            _p: PhantomData,
        }
    }
    /// Add an action (`sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, …).
    pub fn action(self, action: Action) -> TrustStatementBuilder<E, P, HasAction> {
        TrustStatementBuilder {
            inner: self.inner.action(action),
            principal: self.principal,
            _p: PhantomData,
        }
    }
    /// Add a condition.
    pub fn condition(
        self,
        operator: ConditionOperator,
        key: ConditionKey,
        values: impl IntoIterator<Item = ConditionValue>,
    ) -> Self {
        Self {
            inner: self.inner.condition(operator, key, values),
            ..self
        }
    }
}

impl TrustStatementBuilder<Effect, HasPrincipal, HasAction> {
    /// The statement.
    pub fn build(self) -> TrustStatement {
        let effect = self.inner.effect;
        TrustStatement(self.inner.finish(effect, self.principal))
    }
}

/// Builds a resource-based policy [`Statement`]; see [`Statement::with_principal`].
#[derive(Debug, Clone)]
pub struct ResourceStatementBuilder<E, P, A, R> {
    inner: StatementBuilder<E, A, R>,
    principal: Option<PrincipalClause>,
    _p: PhantomData<P>,
}

impl<P, A, R> ResourceStatementBuilder<NoEffect, P, A, R> {
    /// `"Effect": "Allow"`.
    pub fn allow(self) -> ResourceStatementBuilder<Effect, P, A, R> {
        ResourceStatementBuilder {
            inner: self.inner.allow(),
            principal: self.principal,
            _p: PhantomData,
        }
    }
    /// `"Effect": "Deny"`.
    pub fn deny(self) -> ResourceStatementBuilder<Effect, P, A, R> {
        ResourceStatementBuilder {
            inner: self.inner.deny(),
            principal: self.principal,
            _p: PhantomData,
        }
    }
}

impl<E, P, A, R> ResourceStatementBuilder<E, P, A, R> {
    /// The `Sid`.
    pub fn sid(self, sid: impl Into<String>) -> Self {
        Self {
            inner: self.inner.sid(sid),
            ..self
        }
    }
    /// The principal the statement is about.
    pub fn principal(
        self,
        principal: Principal,
    ) -> ResourceStatementBuilder<E, HasPrincipal, A, R> {
        ResourceStatementBuilder {
            inner: self.inner,
            principal: Some(PrincipalClause::Principal(principal)),
            _p: PhantomData,
        }
    }
    /// Add an action.
    pub fn action(self, action: Action) -> ResourceStatementBuilder<E, P, HasAction, R> {
        ResourceStatementBuilder {
            inner: self.inner.action(action),
            principal: self.principal,
            _p: PhantomData,
        }
    }
    /// Add a resource.
    pub fn resource(self, resource: Resource) -> ResourceStatementBuilder<E, P, A, HasResource> {
        ResourceStatementBuilder {
            inner: self.inner.resource(resource),
            principal: self.principal,
            _p: PhantomData,
        }
    }
    /// Add a condition.
    pub fn condition(
        self,
        operator: ConditionOperator,
        key: ConditionKey,
        values: impl IntoIterator<Item = ConditionValue>,
    ) -> Self {
        Self {
            inner: self.inner.condition(operator, key, values),
            ..self
        }
    }
}

impl ResourceStatementBuilder<Effect, HasPrincipal, HasAction, HasResource> {
    /// The statement.
    pub fn build(self) -> PrincipalStatement {
        let effect = self.inner.effect;
        PrincipalStatement(self.inner.finish(effect, self.principal))
    }
}

/// A statement built for a role trust policy: it has a principal and no resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrustStatement(Statement);

/// A statement built for a resource-based policy or an RCP: it has a principal and resources.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrincipalStatement(Statement);

macro_rules! statement_wrapper {
    ($($name:ident),*) => {$(
        impl std::ops::Deref for $name {
            type Target = Statement;
            fn deref(&self) -> &Statement {
                &self.0
            }
        }
        impl From<$name> for Statement {
            fn from(s: $name) -> Statement {
                s.0
            }
        }
    )*};
}
statement_wrapper!(TrustStatement, PrincipalStatement);

impl From<&Statement> for crate::raw::Statement {
    fn from(s: &Statement) -> Self {
        let principal_raw = |p: &Principal| match p {
            Principal::Any => crate::raw::Principal::Text("*".to_string()),
            Principal::Typed(m) => {
                let mut map = OrderedMap::new();
                let strings = |v: &OneOrMany<String>| v.clone();
                if let Some(v) = &m.aws {
                    map.insert("AWS".to_string(), v.clone().map(|p| p.to_string()));
                }
                if let Some(v) = &m.service {
                    map.insert("Service".to_string(), v.clone().map(|p| p.to_string()));
                }
                if let Some(v) = &m.federated {
                    map.insert("Federated".to_string(), v.clone().map(|p| p.to_string()));
                }
                if let Some(v) = &m.canonical_user {
                    map.insert("CanonicalUser".to_string(), strings(v));
                }
                crate::raw::Principal::Map(map)
            }
        };
        let (principal, not_principal) = match &s.principal {
            Some(PrincipalClause::Principal(p)) => (Some(principal_raw(p)), None),
            Some(PrincipalClause::NotPrincipal(p)) => (None, Some(principal_raw(p))),
            None => (None, None),
        };
        let strings = |v: &OneOrMany<Action>| v.clone().map(|a| a.as_str().to_string());
        let (action, not_action) = match &s.action {
            ActionClause::Action(v) => (Some(strings(v)), None),
            ActionClause::NotAction(v) => (None, Some(strings(v))),
        };
        let resources = |v: &OneOrMany<Resource>| v.clone().map(|r| r.as_str().to_string());
        let (resource, not_resource) = match &s.resource {
            Some(ResourceClause::Resource(v)) => (Some(resources(v)), None),
            Some(ResourceClause::NotResource(v)) => (None, Some(resources(v))),
            None => (None, None),
        };
        let condition = s.condition.as_ref().map(|c| {
            c.iter()
                .map(|(op, keys)| {
                    let keys = keys
                        .iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                        .collect();
                    (op.to_string(), keys)
                })
                .collect()
        });
        crate::raw::Statement {
            sid: s.sid.clone(),
            effect: Some(s.effect.as_str().to_string()),
            principal,
            not_principal,
            action,
            not_action,
            resource,
            not_resource,
            condition,
            unknown: OrderedMap::new(),
        }
    }
}
