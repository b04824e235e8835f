//! `Action` / `NotAction` values: `service:ActionName` with `*` and `?` wildcards, or `*`.
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;

/// An action pattern as written in a policy: `*`, or a service prefix and an action name that
/// may hold `*` and `?` wildcards (`s3:GetObject`, `s3:Get*`, `ec2:Describe?pcs`).
///
/// The text keeps the case it was written in; AWS compares action names case-insensitively,
/// and so do [`Action::eq_ignore_case`] and the evaluator.
///
/// ```
/// use iam_model::policy::Action;
/// let action: Action = "s3:Get*".parse()?;
/// assert_eq!(action.service(), Some("s3"));
/// assert_eq!(action.name(), "Get*");
/// assert!(action.has_wildcard());
/// assert_eq!("s3".parse::<Action>().unwrap_err().to_string(),
///            "invalid action `s3`: expected `service:ActionName`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Action {
    text: String,
    // INVARIANT: `colon` is the index of the one `:` in `text`, or `None` when `text` is `*`.
    colon: Option<usize>,
}

impl Action {
    /// Every action of every service: `*`.
    pub fn any() -> Self {
        Self {
            text: "*".to_string(),
            colon: None,
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The service prefix (`s3`), or `None` for `*`.
    pub fn service(&self) -> Option<&str> {
        self.colon.and_then(|c| self.text.get(..c))
    }

    /// The action name, with wildcards (`GetObject`, `Get*`); `*` for the bare `*`.
    pub fn name(&self) -> &str {
        match self.colon {
            Some(c) => self.text.get(c + 1..).unwrap_or_default(),
            None => &self.text,
        }
    }

    /// Whether the pattern holds `*` or `?`.
    pub fn has_wildcard(&self) -> bool {
        self.text.contains(['*', '?'])
    }

    /// Whether two actions are the same when case is ignored, as AWS compares them.
    pub fn eq_ignore_case(&self, other: &Action) -> bool {
        self.text.eq_ignore_ascii_case(&other.text)
    }
}

impl FromStr for Action {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &'static str| ParseError::Action {
            input: input.to_string(),
            reason,
        };
        if input == "*" {
            return Ok(Self::any());
        }
        let Some((service, name)) = input.split_once(':') else {
            return Err(ParseError::Action {
                input: input.to_string(),
                reason: "expected `service:ActionName`",
            });
        };
        if service.is_empty() {
            return Err(err("the service prefix is empty"));
        }
        // Service prefixes are lowercase letters, digits and hyphens (`s3`, `execute-api`).
        // AWS matches the prefix case-insensitively, so upper case is accepted here.
        if !service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
        {
            return Err(err("a service prefix has only letters, digits and `-`"));
        }
        if name.is_empty() {
            return Err(err("the action name is empty"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '_' | '-'))
        {
            return Err(err("an action name has only letters, digits, `*` and `?`"));
        }
        Ok(Self {
            text: input.to_string(),
            colon: Some(service.len()),
        })
    }
}

/// A catalogue action is always a well-formed action: the statement builders take both.
///
/// ```
/// use iam_catalog::actions::s3;
/// use iam_model::policy::{Action, Resource, Statement};
/// let statement = Statement::builder()
///     .allow()
///     .action(s3::GetObject.into())
///     .resource(Resource::Any)
///     .build();
/// assert_eq!(statement.action().values().as_slice(), [Action::from(s3::GetObject)]);
/// assert_eq!(Action::from(s3::GetObject).as_str(), "s3:GetObject");
/// ```
impl From<iam_catalog::KnownAction> for Action {
    fn from(action: iam_catalog::KnownAction) -> Self {
        let service = action.service().prefix();
        Self {
            text: action.full_name(),
            colon: Some(service.len()),
        }
    }
}

impl TryFrom<&str> for Action {
    type Error = ParseError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_aws_accepts() {
        for ok in [
            "*",
            "s3:GetObject",
            "s3:*",
            "ec2:Describe?pcs",
            "execute-api:Invoke",
            "S3:getobject",
            "*:*",
        ] {
            assert!(ok.parse::<Action>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_actions_with_a_reason() {
        let cases = [
            ("s3", "invalid action `s3`: expected `service:ActionName`"),
            (
                ":GetObject",
                "invalid action `:GetObject`: the service prefix is empty",
            ),
            ("s3:", "invalid action `s3:`: the action name is empty"),
            (
                "s3:Get Object",
                "invalid action `s3:Get Object`: an action name has only letters, digits, `*` and `?`",
            ),
            (
                "s3:Get:Object",
                "invalid action `s3:Get:Object`: an action name has only letters, digits, `*` and `?`",
            ),
            (
                "s_3:Get",
                "invalid action `s_3:Get`: a service prefix has only letters, digits and `-`",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(input.parse::<Action>().unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn compares_case_insensitively_on_request() {
        let a: Action = "s3:GetObject".parse().unwrap();
        let b: Action = "S3:getobject".parse().unwrap();
        assert_ne!(a, b);
        assert!(a.eq_ignore_case(&b));
    }
}
