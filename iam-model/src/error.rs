//! Errors from parsing identifiers and policies written by users.
use std::fmt;

/// Errors from parsing one identifier or value written by a user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The text is not `service:ActionName` or `*`.
    #[error("invalid action `{input}`: {reason}")]
    Action {
        /// The text.
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The text is not an ARN.
    #[error("invalid ARN `{input}`: {reason}")]
    Arn {
        /// The text.
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The text is not a 12-digit account id.
    #[error("invalid account id `{input}`: expected 12 digits")]
    AccountId {
        /// The text.
        input: String,
    },
    /// The text is not a principal of the given type.
    #[error("invalid {kind} principal `{input}`: {reason}")]
    Principal {
        /// The principal type (`AWS`, `Service`, …).
        kind: &'static str,
        /// The text.
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The text is not a condition operator.
    #[error("unknown condition operator `{input}`")]
    ConditionOperator {
        /// The text.
        input: String,
    },
    /// The text is not a condition key.
    #[error("invalid condition key `{input}`: {reason}")]
    ConditionKey {
        /// The text.
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A policy variable is malformed.
    #[error("invalid policy variable in `{input}`: {reason}")]
    Variable {
        /// The text that holds the variable.
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The text is not `Allow` or `Deny`.
    #[error("invalid effect `{input}`: expected `Allow` or `Deny`")]
    Effect {
        /// The text.
        input: String,
    },
    /// The text is not a policy language version.
    #[error("invalid version `{input}`: expected `2012-10-17` or `2008-10-17`")]
    Version {
        /// The text.
        input: String,
    },
    /// A value does not fit its constraints (length, characters, range).
    #[error("invalid {what} `{input}`: {reason}")]
    Value {
        /// What the value is (`session duration`, `ExternalId`, …).
        what: &'static str,
        /// The text.
        input: String,
        /// What is wrong.
        reason: String,
    },
}

/// A policy could not be read: the JSON is malformed, or the policy has error-severity findings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The text is not JSON, or not JSON of the right shape.
    #[error("{0}")]
    Json(JsonError),
    /// The policy has problems; the first one is shown, all are listed.
    #[error("{}", first_problem(.0))]
    Invalid(Vec<crate::validate::Finding>),
}

fn first_problem(findings: &[crate::validate::Finding]) -> String {
    match findings.first() {
        Some(f) if findings.len() > 1 => {
            format!(
                "{} ({}) at `{}`, and {} more",
                f.message,
                f.code,
                f.path,
                findings.len() - 1
            )
        }
        Some(f) => format!("{} ({}) at `{}`", f.message, f.code, f.path),
        None => "invalid input".to_string(),
    }
}

/// A model file could not be read: the JSON is malformed or of the wrong shape, or names,
/// values or policies in it are invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The text is not JSON, or not JSON of the model file's shape (a wrong type, an unknown
    /// field, a missing field).
    #[error("{0}")]
    Json(JsonError),
    /// Names, values or policies in the file are invalid; the first problem is shown, all
    /// are listed.
    #[error("{}", first_problem(.0))]
    Invalid(Vec<crate::validate::Finding>),
}

/// Malformed JSON, or JSON of the wrong shape, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong, as serde_json says it (without the position).
    pub message: String,
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column.
    pub column: usize,
    /// The JSON pointer of the value that has the wrong shape; empty for syntax errors.
    pub path: String,
}

impl JsonError {
    /// Build from a serde_json error and the JSON pointer where it happened.
    pub fn new(err: &serde_json::Error, path: String) -> Self {
        let mut message = err.to_string();
        // serde_json appends " at line L column C"; the position is kept in its own fields.
        if let Some(pos) = message.rfind(" at line ") {
            message.truncate(pos);
        }
        Self {
            message,
            line: err.line(),
            column: err.column(),
            path,
        }
    }
}

impl std::error::Error for JsonError {}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(
                f,
                "line {} column {}: {}",
                self.line, self.column, self.message
            )
        } else {
            write!(
                f,
                "line {} column {} (at `{}`): {}",
                self.line, self.column, self.path, self.message
            )
        }
    }
}
