//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, `${?}`, `${$}`.
//!
//! Mirrors "IAM policy elements: Variables and tags" in the IAM User Guide: variables appear in
//! `Resource` and in condition values, are replaced by the request context value of the key, and
//! may carry a default written after a comma in single quotes. `${*}`, `${?}` and `${$}` stand
//! for the literal characters `*`, `?` and `$`.
use crate::error::ParseError;

/// One variable found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Variable {
    /// A request context key, with an optional default value.
    Key {
        /// The key, e.g. `aws:username`.
        key: String,
        /// The default written after the key, if any.
        default: Option<String>,
    },
    /// `${*}`, `${?}` or `${$}`: the literal character.
    Literal(char),
}

/// A piece of a text that may hold variables.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Piece<'a> {
    /// Plain text (it may hold `*` and `?` wildcards).
    Text(&'a str),
    /// A variable.
    Variable(Variable),
}

/// Split a text into plain pieces and variables.
///
/// ```
/// use iam_model::policy::variable::{split, Piece, Variable};
/// let pieces = split("home/${aws:username}/*")?;
/// assert_eq!(pieces, vec![
///     Piece::Text("home/"),
///     Piece::Variable(Variable::Key { key: "aws:username".into(), default: None }),
///     Piece::Text("/*"),
/// ]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn split(text: &str) -> Result<Vec<Piece<'_>>, ParseError> {
    let err = |reason| ParseError::Variable {
        input: text.to_string(),
        reason,
    };
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        let body_and_rest = after.get(2..).unwrap_or_default();
        let Some(end) = body_and_rest.find('}') else {
            return Err(err("`${` is not closed by `}`"));
        };
        let body = body_and_rest.get(..end).unwrap_or_default();
        pieces.push(Piece::Variable(parse_body(body).map_err(err)?));
        rest = body_and_rest.get(end + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

fn parse_body(body: &str) -> Result<Variable, &'static str> {
    match body {
        "*" => return Ok(Variable::Literal('*')),
        "?" => return Ok(Variable::Literal('?')),
        "$" => return Ok(Variable::Literal('$')),
        "" => return Err("the variable is empty"),
        _ => {}
    }
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .ok_or("a default value is written in single quotes")?;
            (key.trim(), Some(quoted.to_string()))
        }
        None => (body, None),
    };
    match key.split_once(':') {
        Some((prefix, name))
            if !prefix.is_empty() && !name.is_empty() && !key.contains(char::is_whitespace) =>
        {
            Ok(Variable::Key {
                key: key.to_string(),
                default,
            })
        }
        _ => Err("a variable names a condition key such as `aws:username`"),
    }
}

/// Whether a text holds at least one `${`.
pub fn has_variables(text: &str) -> bool {
    text.contains("${")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_defaults_and_literals() {
        assert_eq!(
            split("${aws:PrincipalTag/team, 'none'}${*}").unwrap(),
            vec![
                Piece::Variable(Variable::Key {
                    key: "aws:PrincipalTag/team".into(),
                    default: Some("none".into())
                }),
                Piece::Variable(Variable::Literal('*')),
            ]
        );
        assert_eq!(split("plain").unwrap(), vec![Piece::Text("plain")]);
    }

    #[test]
    fn rejects_malformed_variables() {
        let cases = [
            (
                "a/${aws:username",
                "invalid policy variable in `a/${aws:username`: `${` is not closed by `}`",
            ),
            (
                "${}",
                "invalid policy variable in `${}`: the variable is empty",
            ),
            (
                "${username}",
                "invalid policy variable in `${username}`: a variable names a condition key such as `aws:username`",
            ),
            (
                "${aws:x, none}",
                "invalid policy variable in `${aws:x, none}`: a default value is written in single quotes",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(split(input).unwrap_err().to_string(), message);
        }
    }
}
