//! A serde mirror of AWS policy JSON as it is written: every element optional, strings
//! unparsed, single values and lists as written, object keys in the order written.
//!
//! Reading into these types only checks JSON shapes (an `Effect` is a string, a `Statement` is
//! an object or a list of objects). What the strings mean is checked when the raw policy is
//! turned into a [`crate::policy::PolicyDocument`].
use serde::{Deserialize, Serialize};

use crate::json::{OneOrMany, OrderedMap};

/// A policy document as written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Policy {
    /// `Version`.
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `Id`.
    #[serde(rename = "Id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `Statement`: one object or a list.
    #[serde(rename = "Statement", default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<OneOrMany<Statement>>,
    /// Elements AWS does not define, kept so that checks can name them.
    #[serde(flatten, default, skip_serializing_if = "OrderedMap::is_empty")]
    pub unknown: OrderedMap<String, serde_json::Value>,
}

/// A statement as written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Statement {
    /// `Sid`.
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Effect`.
    #[serde(rename = "Effect", default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// `Principal`.
    #[serde(rename = "Principal", default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// `NotPrincipal`.
    #[serde(
        rename = "NotPrincipal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub not_principal: Option<Principal>,
    /// `Action`.
    #[serde(rename = "Action", default, skip_serializing_if = "Option::is_none")]
    pub action: Option<OneOrMany<String>>,
    /// `NotAction`.
    #[serde(rename = "NotAction", default, skip_serializing_if = "Option::is_none")]
    pub not_action: Option<OneOrMany<String>>,
    /// `Resource`.
    #[serde(rename = "Resource", default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<OneOrMany<String>>,
    /// `NotResource`.
    #[serde(
        rename = "NotResource",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub not_resource: Option<OneOrMany<String>>,
    /// `Condition`: operator → key → values.
    #[serde(rename = "Condition", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Elements AWS does not define.
    #[serde(flatten, default, skip_serializing_if = "OrderedMap::is_empty")]
    pub unknown: OrderedMap<String, serde_json::Value>,
}

/// A `Principal` or `NotPrincipal` as written: `"*"` or a map from principal type
/// (`AWS`, `Service`, `Federated`, `CanonicalUser`) to one or more ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Principal {
    /// A plain string; AWS accepts only `"*"`.
    Text(String),
    /// Principal type to ids.
    Map(OrderedMap<String, OneOrMany<String>>),
}

/// A `Condition` block as written: operator → condition key → values.
pub type Condition = OrderedMap<String, OrderedMap<String, OneOrMany<ConditionValue>>>;

/// A condition value as written: AWS accepts JSON strings, booleans and numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConditionValue {
    /// A JSON string.
    String(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON number, kept as written.
    Number(serde_json::Number),
}

impl ConditionValue {
    /// The value as AWS compares it: the text of a string, `true`/`false`, or the number's digits.
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::String(s) => std::borrow::Cow::Borrowed(s),
            Self::Bool(b) => std::borrow::Cow::Owned(b.to_string()),
            Self::Number(n) => std::borrow::Cow::Owned(n.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_element_in_both_forms() {
        let text = r#"{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"A","Effect":"Allow",
            "Principal":{"AWS":["111122223333"],"Service":"ec2.amazonaws.com"},
            "Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},
            "NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}}"#;
        let policy: Policy = serde_json::from_str(text).unwrap();
        let Some(OneOrMany::One(statement)) = &policy.statement else {
            panic!("one statement")
        };
        assert_eq!(statement.effect.as_deref(), Some("Allow"));
        let condition = statement.condition.as_ref().unwrap();
        assert_eq!(condition.len(), 2);
        let back: Policy = serde_json::from_str(&serde_json::to_string(&policy).unwrap()).unwrap();
        assert_eq!(back, policy);
    }

    #[test]
    fn unknown_elements_are_kept() {
        let policy: Policy = serde_json::from_str(r#"{"Statements":[]}"#).unwrap();
        assert_eq!(policy.unknown.len(), 1);
        assert!(policy.statement.is_none());
    }
}
