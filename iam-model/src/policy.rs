//! The IAM policy language: typed values, statements, documents and policy kinds.
//!
//! Reading goes `JSON text → raw::Policy → PolicyDocument`; each value with a fixed form is
//! parsed once into its type ([`Action`], [`Arn`], [`AccountId`], condition operators and
//! keys). The kind of a policy is a type parameter of [`Policy`].
mod account;
mod action;
mod arn;
pub mod condition;
mod document;
mod principal;
pub mod size;
mod statement;
pub mod variable;

pub use account::AccountId;
pub use action::Action;
pub use arn::Arn;
pub use condition::{
    Condition, ConditionKey, ConditionOperator, ConditionValue, Operator, SetQualifier,
};
pub(crate) use document::read_json;
pub use document::{
    HasStatement, Kind, NoStatement, Policy, PolicyBuilder, PolicyDocument, PolicyKind, Version,
    kind,
};
pub use principal::{AwsPrincipal, FederatedPrincipal, Principal, PrincipalMap, ServicePrincipal};
pub use statement::{
    ActionClause, Effect, HasAction, HasPrincipal, HasResource, NoAction, NoEffect, NoPrincipal,
    NoResource, PrincipalClause, PrincipalStatement, Resource, ResourceClause,
    ResourceStatementBuilder, Statement, StatementBuilder, TrustStatement, TrustStatementBuilder,
};
