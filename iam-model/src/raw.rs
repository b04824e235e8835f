//! A serde mirror of AWS policy JSON as it is written: every element optional, strings
//! unparsed, single values and lists as written, object keys in the order written.
//!
//! Reading into these types only checks JSON shapes (an `Effect` is a string, a `Statement` is
//! an object or a list of objects). What the strings mean is checked when the raw policy is
//! turned into a [`crate::policy::PolicyDocument`].
use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::json::{OneOrMany, OrderedMap};

/// A policy document as written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(expecting = "a policy object")]
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
#[serde(expecting = "a statement object")]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum ConditionValue {
    /// A JSON string.
    String(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON number, kept as written.
    Number(serde_json::Number),
}

// Hand-written rather than `#[serde(untagged)]`: an untagged enum buffers its input, which
// loses the path and position of errors inside it and reports them as "data did not match
// any variant of untagged enum".
impl<'de> Deserialize<'de> for Principal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PrincipalVisitor;
        impl<'de> Visitor<'de> for PrincipalVisitor {
            type Value = Principal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`\"*\"` or an object of principal types such as `{\"AWS\": …}`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Principal, E> {
                Ok(Principal::Text(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Principal, E> {
                Ok(Principal::Text(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Principal, A::Error> {
                OrderedMap::deserialize(MapAccessDeserializer::new(map)).map(Principal::Map)
            }
        }
        deserializer.deserialize_any(PrincipalVisitor)
    }
}

impl<'de> Deserialize<'de> for ConditionValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl Visitor<'_> for ValueVisitor {
            type Value = ConditionValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a boolean or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ConditionValue, E> {
                Ok(ConditionValue::String(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ConditionValue, E> {
                Ok(ConditionValue::String(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ConditionValue, E> {
                Ok(ConditionValue::Bool(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ConditionValue, E> {
                Ok(ConditionValue::Number(v.into()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ConditionValue, E> {
                Ok(ConditionValue::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ConditionValue, E> {
                serde_json::Number::from_f64(v)
                    .map(ConditionValue::Number)
                    .ok_or_else(|| E::custom(format!("`{v}` is not a JSON number")))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
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
    fn shape_errors_name_policy_terms_and_the_place() {
        let err = |text: &str| {
            crate::validate::policy::read_raw(text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(
                r#"{"Statement":{"Effect":"Allow","Condition":{"Bool":{"aws:SecureTransport":null}}}}"#
            ),
            "line 1 column 78 (at `/Statement/Condition/Bool/aws:SecureTransport`): invalid type: null, expected a string, a boolean or a number"
        );
        assert_eq!(
            err(r#"{"Statement":{"Principal":{"AWS":["111122223333",5]}}}"#),
            "line 1 column 50 (at `/Statement/Principal/AWS/1`): invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            err(r#"{"Statement":{"Principal":5}}"#),
            "line 1 column 27 (at `/Statement/Principal`): invalid type: integer `5`, expected `\"*\"` or an object of principal types such as `{\"AWS\": …}`"
        );
        assert_eq!(
            err(r#"{"Statement":"x"}"#),
            "line 1 column 16 (at `/Statement`): invalid type: string \"x\", expected a statement object"
        );
    }

    #[test]
    fn numbers_in_conditions_keep_their_form() {
        let value: OneOrMany<ConditionValue> = serde_json::from_str("[1, -2, 2.5, true]").unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), "[1,-2,2.5,true]");
    }

    #[test]
    fn unknown_elements_are_kept() {
        let policy: Policy = serde_json::from_str(r#"{"Statements":[]}"#).unwrap();
        assert_eq!(policy.unknown.len(), 1);
        assert!(policy.statement.is_none());
    }
}
