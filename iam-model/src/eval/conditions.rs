//! Condition evaluation.
//!
//! Mirrors the IAM User Guide, "IAM JSON policy elements: Condition operators" and
//! "Multivalued context keys" ("Set operators for multivalued context keys"):
//! - the keys of one operator, and the operators of one block, must all hold (AND); the
//!   values of one key are alternatives (OR);
//! - condition key names are case-insensitive, values case-sensitive except for the
//!   `IgnoreCase` operators;
//! - a key absent from the request makes a condition false, except for negated operators
//!   (`StringNotEquals`, `NotIpAddress`, …), which hold, and `…IfExists` operators, which hold;
//! - `ForAllValues:` holds when every request value matches one of the policy's values, and
//!   also when the key is absent or has no values; `ForAnyValue:` holds when at least one
//!   request value matches, and never for an absent key or an empty set;
//! - for negated operators, a request value matches when it matches none of the policy's
//!   values; without a set operator, a multivalued key holds for a positive operator when any
//!   request value matches, and for a negated operator when none does;
//! - a policy variable in a value whose key is absent (and has no default) has no value
//!   ("IAM policy elements: Variables and tags", Policy variables with no value): it matches
//!   no request value, so the positive forms do not hold for it and the negated ones do;
//! - `Null` with `true` holds when the key is absent (or has no values), with `false` when it
//!   is present;
//! - typed operators read both sides as numbers, dates (`condition::parse_date`), booleans,
//!   base64 (compared as bytes), IP addresses (request) and CIDR ranges (policy), or ARNs
//!   (compared segment by segment with wildcards, for the `Equals` and `Like` forms alike); a
//!   request value that does not read as the type matches no policy value.
use std::net::IpAddr;

use crate::eval::matching::{Scratch, Template, arn_like};
use crate::eval::request::{Request, key_hash};
use crate::policy::condition::{
    Condition, IpNetwork, Operator, SetQualifier, parse_bool, parse_date, parse_number,
};
use crate::wildcard;

/// A policy value read in the form its operator compares.
#[derive(Debug, Clone, PartialEq)]
enum Typed {
    Text,
    Number(f64),
    Date(f64),
    Bool(bool),
    Binary(Vec<u8>),
    Ip(IpNetwork),
    // The value does not read as the operator's type; it matches nothing.
    Invalid,
}

/// A request value read in the form its operator compares (`None`: it does not read as the
/// type, and matches no policy value).
#[derive(Debug, Clone, PartialEq)]
enum Parsed {
    Text,
    Number(Option<f64>),
    Date(Option<f64>),
    Bool(Option<bool>),
    Binary(Option<Vec<u8>>),
    Ip(Option<IpAddr>),
}

#[derive(Debug, Clone, PartialEq)]
struct CompiledValue {
    template: Template,
    typed: Typed,
}

/// One operator and key of a `Condition` block with its values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledCondition {
    operator: Operator,
    qualifier: Option<SetQualifier>,
    if_exists: bool,
    // Lowercase, with its hash.
    key: String,
    key_hash: u64,
    values: Vec<CompiledValue>,
}

fn typed(operator: Operator, text: &str) -> Typed {
    use Operator::*;
    let parsed = match operator {
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => parse_number(text).map(Typed::Number),
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => parse_date(text).map(Typed::Date),
        Bool | Null => parse_bool(text).map(Typed::Bool),
        BinaryEquals => decode_base64(text).map(Typed::Binary),
        IpAddress | NotIpAddress => text.parse().ok().map(Typed::Ip),
        _ => Some(Typed::Text),
    };
    parsed.unwrap_or(Typed::Invalid)
}

impl CompiledCondition {
    pub(crate) fn compile(condition: &Condition, variables: bool) -> Vec<Self> {
        let mut out = Vec::new();
        for (operator, keys) in condition.iter() {
            for (key, values) in keys.iter() {
                let values = values
                    .iter()
                    .map(|v| {
                        let text = v.as_text();
                        let template = Template::new(&text, variables);
                        let typed = if template.pieces.is_some() {
                            Typed::Text
                        } else {
                            typed(operator.operator(), &text)
                        };
                        CompiledValue { template, typed }
                    })
                    .collect();
                out.push(Self {
                    operator: operator.operator(),
                    qualifier: operator.qualifier(),
                    if_exists: operator.if_exists(),
                    key: key.as_str().to_ascii_lowercase(),
                    key_hash: key_hash(key.as_str()),
                    values,
                });
            }
        }
        out
    }

    /// Whether the condition holds for the request.
    pub(crate) fn holds(&self, request: &Request, scratch: &mut Scratch) -> bool {
        let present = request
            .values_hashed(self.key_hash, &self.key)
            .filter(|v| !v.is_empty());
        if self.operator == Operator::Null {
            // `"Null": {"key": "true"}`: the key is absent.
            let mut any = false;
            for v in &self.values {
                if let Typed::Bool(want_absent) = v.typed {
                    any |= want_absent == present.is_none();
                }
            }
            return any;
        }
        let negated = self.operator.is_negated();
        let Some(request_values) = present else {
            return match self.qualifier {
                _ if self.if_exists => true,
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => negated,
            };
        };
        // Whether one request value satisfies the operator (for a negated operator: matches
        // none of the policy's values).
        let mut satisfied = |value: &str| -> bool {
            let parsed = self.parse(value);
            let mut any = false;
            for v in &self.values {
                if self.matches(v, value, &parsed, request, scratch) {
                    any = true;
                    break;
                }
            }
            any != negated
        };
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => {
                for value in request_values {
                    if !satisfied(value) {
                        return false;
                    }
                }
                true
            }
            Some(SetQualifier::ForAnyValue) => {
                for value in request_values {
                    if satisfied(value) {
                        return true;
                    }
                }
                false
            }
            None => {
                // Positive: any request value matches; negated: no request value matches.
                let mut any = false;
                for value in request_values {
                    let parsed = self.parse(value);
                    let mut matched = false;
                    for v in &self.values {
                        if self.matches(v, value, &parsed, request, scratch) {
                            matched = true;
                            break;
                        }
                    }
                    if matched {
                        any = true;
                        break;
                    }
                }
                any != negated
            }
        }
    }

    // A request value read once in the form the operator compares, before it is compared
    // with each policy value.
    fn parse(&self, value: &str) -> Parsed {
        use Operator::*;
        match self.operator {
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Parsed::Number(parse_number(value)),
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Parsed::Date(parse_date(value)),
            Bool => Parsed::Bool(parse_bool(value)),
            BinaryEquals => Parsed::Binary(decode_base64(value)),
            IpAddress | NotIpAddress => Parsed::Ip(value.parse::<IpAddr>().ok()),
            _ => Parsed::Text,
        }
    }

    // Whether a request value (`parsed` by [`Self::parse`]) matches one policy value under
    // the operator's positive form.
    fn matches(
        &self,
        policy: &CompiledValue,
        value: &str,
        parsed: &Parsed,
        request: &Request,
        scratch: &mut Scratch,
    ) -> bool {
        let resolved;
        let (text, typed, literal): (&str, &Typed, Option<&[bool]>) = match &policy.template.pieces
        {
            None => (&policy.template.text, &policy.typed, None),
            Some(pieces) => {
                let Scratch {
                    text: buf, literal, ..
                } = scratch;
                // "IAM policy elements: Variables and tags", Policy variables with no value:
                // a variable whose key is absent has no value, which equals and is like
                // nothing, so the positive form does not match and a negated operator
                // (`StringNotEquals`, `StringNotLike`, …) holds for this value.
                if !Template::resolve(pieces, request, buf, literal) {
                    return false;
                }
                resolved = typed(self.operator, buf);
                (buf.as_str(), &resolved, Some(literal.as_slice()))
            }
        };
        use Operator::*;
        let number = |cmp: fn(f64, f64) -> bool, p: f64| match parsed {
            Parsed::Number(Some(v)) => cmp(*v, p),
            _ => false,
        };
        let date = |cmp: fn(f64, f64) -> bool, p: f64| match parsed {
            Parsed::Date(Some(v)) => cmp(*v, p),
            _ => false,
        };
        match (self.operator, typed) {
            (_, Typed::Invalid) => false,
            (StringEquals | StringNotEquals, _) => value == text,
            (StringEqualsIgnoreCase | StringNotEqualsIgnoreCase, _) => eq_ignore_case(value, text),
            (StringLike | StringNotLike, _) => match literal {
                Some(mask) => wildcard::matches_with_literals(text, mask, value),
                None => wildcard::matches(text, value),
            },
            (NumericEquals | NumericNotEquals, Typed::Number(p)) => number(|v, p| v == p, *p),
            (NumericLessThan, Typed::Number(p)) => number(|v, p| v < p, *p),
            (NumericLessThanEquals, Typed::Number(p)) => number(|v, p| v <= p, *p),
            (NumericGreaterThan, Typed::Number(p)) => number(|v, p| v > p, *p),
            (NumericGreaterThanEquals, Typed::Number(p)) => number(|v, p| v >= p, *p),
            (DateEquals | DateNotEquals, Typed::Date(p)) => date(|v, p| v == p, *p),
            (DateLessThan, Typed::Date(p)) => date(|v, p| v < p, *p),
            (DateLessThanEquals, Typed::Date(p)) => date(|v, p| v <= p, *p),
            (DateGreaterThan, Typed::Date(p)) => date(|v, p| v > p, *p),
            (DateGreaterThanEquals, Typed::Date(p)) => date(|v, p| v >= p, *p),
            (Bool, Typed::Bool(p)) => matches!(parsed, Parsed::Bool(Some(v)) if v == p),
            (BinaryEquals, Typed::Binary(p)) => {
                matches!(parsed, Parsed::Binary(Some(v)) if v == p)
            }
            (IpAddress | NotIpAddress, Typed::Ip(net)) => {
                matches!(parsed, Parsed::Ip(Some(ip)) if net.contains(*ip))
            }
            (ArnEquals | ArnLike | ArnNotEquals | ArnNotLike, _) => arn_like(text, literal, value),
            _ => false,
        }
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Decode standard base64 (with `=` padding); `None` when the text is not base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn sextet(b: u8) -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let body = text.trim_end_matches('=');
    if bytes.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in body.bytes() {
        acc = (acc << 6) | sextet(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{OneOrMany, OrderedMap};
    use crate::policy::{ConditionKey, ConditionOperator, ConditionValue};

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    fn condition(operator: &str, key: &str, values: &[&str]) -> CompiledCondition {
        let op: ConditionOperator = operator.parse().unwrap();
        let key: ConditionKey = key.parse().unwrap();
        let values = OneOrMany::Many(
            values
                .iter()
                .map(|v| ConditionValue::String(v.to_string()))
                .collect(),
        );
        let mut inner = OrderedMap::new();
        inner.insert(key, values);
        let mut outer = OrderedMap::new();
        outer.insert(op, inner);
        CompiledCondition::compile(&outer, true).remove(0)
    }

    fn request(context: &[(&str, &[&str])]) -> Request {
        let mut r = Request::new(ALICE.parse().unwrap(), "s3:GetObject", "*");
        for (k, v) in context {
            r = r.context(k, v.iter().copied());
        }
        r
    }

    fn holds(
        operator: &str,
        key: &str,
        values: &[&str],
        context: &[(&str, &[&str])],
    ) -> Option<bool> {
        Some(condition(operator, key, values).holds(&request(context), &mut Scratch::default()))
    }

    #[test]
    fn string_operators() {
        let ctx: &[(&str, &[&str])] = &[("s3:prefix", &["Home/Alice"])];
        assert_eq!(
            holds("StringEquals", "s3:prefix", &["Home/Alice"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("StringEquals", "s3:prefix", &["home/alice"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("StringEquals", "S3:PREFIX", &["x", "Home/Alice"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("StringNotEquals", "s3:prefix", &["Home/Alice"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("StringNotEquals", "s3:prefix", &["other"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("StringEqualsIgnoreCase", "s3:prefix", &["home/alice"], ctx),
            Some(true)
        );
        assert_eq!(
            holds(
                "StringNotEqualsIgnoreCase",
                "s3:prefix",
                &["HOME/ALICE"],
                ctx
            ),
            Some(false)
        );
        assert_eq!(
            holds("StringLike", "s3:prefix", &["Home/*"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("StringLike", "s3:prefix", &["home/*"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("StringNotLike", "s3:prefix", &["Home/?lice"], ctx),
            Some(false)
        );
    }

    #[test]
    fn missing_keys() {
        let none: &[(&str, &[&str])] = &[];
        assert_eq!(holds("StringEquals", "aws:x", &["a"], none), Some(false));
        assert_eq!(holds("StringNotEquals", "aws:x", &["a"], none), Some(true));
        assert_eq!(
            holds("StringEqualsIfExists", "aws:x", &["a"], none),
            Some(true)
        );
        assert_eq!(
            holds("NumericLessThanIfExists", "aws:x", &["1"], none),
            Some(true)
        );
        assert_eq!(
            holds("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"], none),
            Some(true)
        );
        assert_eq!(
            holds("ForAllValues:StringEquals", "aws:TagKeys", &["a"], none),
            Some(true)
        );
        assert_eq!(
            holds("ForAnyValue:StringEquals", "aws:TagKeys", &["a"], none),
            Some(false)
        );
        assert_eq!(
            holds(
                "ForAnyValue:StringEqualsIfExists",
                "aws:TagKeys",
                &["a"],
                none
            ),
            Some(true)
        );
        assert_eq!(
            holds("ForAnyValue:StringNotEquals", "aws:TagKeys", &["a"], none),
            Some(false)
        );
        assert_eq!(
            holds("ForAllValues:StringNotEquals", "aws:TagKeys", &["a"], none),
            Some(true)
        );
        let empty: &[(&str, &[&str])] = &[("aws:TagKeys", &[])];
        assert_eq!(
            holds("ForAllValues:StringEquals", "aws:TagKeys", &["a"], empty),
            Some(true)
        );
        assert_eq!(
            holds("ForAnyValue:StringEquals", "aws:TagKeys", &["a"], empty),
            Some(false)
        );
        assert_eq!(holds("Null", "aws:TagKeys", &["true"], empty), Some(true));
    }

    #[test]
    fn arn_not_like_holds_on_a_missing_key_only_through_the_request() {
        // aws:PrincipalArn is filled from the principal, so it is present here.
        assert_eq!(
            holds(
                "ArnNotLike",
                "aws:PrincipalArn",
                &["arn:aws:iam::*:role/x"],
                &[]
            ),
            Some(true)
        );
        assert_eq!(
            holds(
                "ArnNotLike",
                "aws:SourceArn",
                &["arn:aws:iam::*:role/x"],
                &[]
            ),
            Some(true)
        );
    }

    #[test]
    fn set_operators_on_multivalued_keys() {
        let ctx: &[(&str, &[&str])] = &[("aws:TagKeys", &["team", "env"])];
        assert_eq!(
            holds(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["team", "env", "cost"],
                ctx
            ),
            Some(true)
        );
        assert_eq!(
            holds("ForAllValues:StringEquals", "aws:TagKeys", &["team"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("ForAnyValue:StringEquals", "aws:TagKeys", &["team"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("ForAnyValue:StringEquals", "aws:TagKeys", &["cost"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("ForAnyValue:StringNotEquals", "aws:TagKeys", &["team"], ctx),
            Some(true)
        );
        assert_eq!(
            holds(
                "ForAllValues:StringNotEquals",
                "aws:TagKeys",
                &["team"],
                ctx
            ),
            Some(false)
        );
        assert_eq!(
            holds(
                "ForAllValues:StringNotEquals",
                "aws:TagKeys",
                &["cost"],
                ctx
            ),
            Some(true)
        );
        assert_eq!(
            holds("ForAllValues:StringLike", "aws:TagKeys", &["t*", "e*"], ctx),
            Some(true)
        );
        // Without a set operator: positive if any value matches, negated if none does.
        assert_eq!(
            holds("StringEquals", "aws:TagKeys", &["env"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("StringNotEquals", "aws:TagKeys", &["env"], ctx),
            Some(false)
        );
    }

    #[test]
    fn null_checks_presence() {
        let ctx: &[(&str, &[&str])] = &[("aws:TokenIssueTime", &["2024-01-01T00:00:00Z"])];
        assert_eq!(
            holds("Null", "aws:TokenIssueTime", &["true"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("Null", "aws:TokenIssueTime", &["false"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("Null", "aws:MultiFactorAuthAge", &["true"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("Null", "aws:MultiFactorAuthAge", &["false"], ctx),
            Some(false)
        );
    }

    #[test]
    fn numeric_operators() {
        let ctx: &[(&str, &[&str])] = &[("aws:MultiFactorAuthAge", &["1800"])];
        let k = "aws:MultiFactorAuthAge";
        assert_eq!(holds("NumericEquals", k, &["1800"], ctx), Some(true));
        assert_eq!(holds("NumericEquals", k, &["1800.0"], ctx), Some(true));
        assert_eq!(holds("NumericNotEquals", k, &["1800"], ctx), Some(false));
        assert_eq!(holds("NumericLessThan", k, &["3600"], ctx), Some(true));
        assert_eq!(holds("NumericLessThan", k, &["1800"], ctx), Some(false));
        assert_eq!(
            holds("NumericLessThanEquals", k, &["1800"], ctx),
            Some(true)
        );
        assert_eq!(holds("NumericGreaterThan", k, &["1800"], ctx), Some(false));
        assert_eq!(
            holds("NumericGreaterThanEquals", k, &["1800"], ctx),
            Some(true)
        );
        let bad: &[(&str, &[&str])] = &[("aws:MultiFactorAuthAge", &["soon"])];
        assert_eq!(holds("NumericLessThan", k, &["3600"], bad), Some(false));
        assert_eq!(holds("NumericNotEquals", k, &["3600"], bad), Some(true));
    }

    #[test]
    fn date_operators() {
        let ctx: &[(&str, &[&str])] = &[("aws:CurrentTime", &["2024-06-01T12:00:00Z"])];
        let k = "aws:CurrentTime";
        assert_eq!(holds("DateLessThan", k, &["2025-01-01"], ctx), Some(true));
        assert_eq!(
            holds("DateGreaterThan", k, &["2025-01-01T00:00:00Z"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("DateEquals", k, &["2024-06-01T14:00:00+02:00"], ctx),
            Some(true)
        );
        assert_eq!(holds("DateNotEquals", k, &["1717243200"], ctx), Some(false));
        assert_eq!(
            holds("DateLessThanEquals", k, &["2024-06-01T12:00:00Z"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("DateGreaterThanEquals", k, &["2024-06-01T12:00:01Z"], ctx),
            Some(false)
        );
    }

    #[test]
    fn bool_binary_and_ip_operators() {
        let ctx: &[(&str, &[&str])] = &[
            ("aws:SecureTransport", &["true"]),
            ("aws:SourceIp", &["203.0.113.7"]),
            ("kms:ciphertext", &["QmluYXJ5"]),
        ];
        assert_eq!(
            holds("Bool", "aws:SecureTransport", &["true"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("Bool", "aws:SecureTransport", &["false"], ctx),
            Some(false)
        );
        assert_eq!(
            holds(
                "BoolIfExists",
                "aws:MultiFactorAuthPresent",
                &["false"],
                ctx
            ),
            Some(true)
        );
        assert_eq!(
            holds("BinaryEquals", "kms:ciphertext", &["QmluYXJ5"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("BinaryEquals", "kms:ciphertext", &["QmluYXJa"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], ctx),
            Some(true)
        );
        assert_eq!(
            holds(
                "IpAddress",
                "aws:SourceIp",
                &["10.0.0.0/8", "203.0.113.7"],
                ctx
            ),
            Some(true)
        );
        assert_eq!(
            holds("IpAddress", "aws:SourceIp", &["2001:db8::/32"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("NotIpAddress", "aws:SourceIp", &["203.0.113.0/24"], ctx),
            Some(false)
        );
        assert_eq!(
            holds("NotIpAddress", "aws:SourceIp", &["198.51.100.0/24"], ctx),
            Some(true)
        );
    }

    #[test]
    fn arn_operators() {
        let ctx: &[(&str, &[&str])] = &[(
            "aws:SourceArn",
            &["arn:aws:sns:eu-west-1:111122223333:topic"],
        )];
        let k = "aws:SourceArn";
        assert_eq!(
            holds(
                "ArnEquals",
                k,
                &["arn:aws:sns:eu-west-1:111122223333:topic"],
                ctx
            ),
            Some(true)
        );
        assert_eq!(
            holds("ArnLike", k, &["arn:aws:sns:*:111122223333:*"], ctx),
            Some(true)
        );
        assert_eq!(
            holds("ArnLike", k, &["arn:aws:sqs:*:111122223333:*"], ctx),
            Some(false)
        );
        assert_eq!(
            holds(
                "ArnNotEquals",
                k,
                &["arn:aws:sns:eu-west-1:111122223333:topic"],
                ctx
            ),
            Some(false)
        );
        assert_eq!(
            holds("ArnNotLike", k, &["arn:aws:sns:*:444455556666:*"], ctx),
            Some(true)
        );
    }

    #[test]
    fn variables_in_values() {
        let ctx: &[(&str, &[&str])] = &[("s3:prefix", &["home/alice/"])];
        assert_eq!(
            holds("StringLike", "s3:prefix", &["home/${aws:username}/*"], ctx),
            Some(true)
        );
        assert_eq!(
            holds(
                "StringEquals",
                "s3:prefix",
                &["home/${aws:PrincipalTag/x, 'alice'}/"],
                ctx
            ),
            Some(true)
        );
        assert_eq!(
            holds(
                "StringEquals",
                "s3:prefix",
                &["home/${aws:PrincipalTag/x}/"],
                ctx
            ),
            Some(false)
        );
        // A variable with no value matches nothing, so negated operators hold, with or
        // without `IfExists` and under either set operator.
        for op in [
            "StringNotEquals",
            "StringNotLike",
            "StringNotEqualsIfExists",
            "ForAllValues:StringNotEquals",
            "ForAnyValue:StringNotLike",
        ] {
            assert_eq!(
                holds(op, "s3:prefix", &["home/${aws:PrincipalTag/x}/"], ctx),
                Some(true),
                "{op}"
            );
        }
        assert_eq!(
            holds(
                "StringNotEquals",
                "s3:prefix",
                &["home/${aws:PrincipalTag/x}/", "home/alice/"],
                ctx
            ),
            Some(false)
        );
        let star: &[(&str, &[&str])] = &[("s3:prefix", &["a*"])];
        assert_eq!(
            holds("StringLike", "s3:prefix", &["a${*}"], star),
            Some(true)
        );
        let other: &[(&str, &[&str])] = &[("s3:prefix", &["ab"])];
        assert_eq!(
            holds("StringLike", "s3:prefix", &["a${*}"], other),
            Some(false)
        );
    }

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("QmluYXJ5"), Some(b"Binary".to_vec()));
        assert_eq!(decode_base64("YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_base64("YQ="), None);
        assert_eq!(decode_base64("Y!=="), None);
    }
}
