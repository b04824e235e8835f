//! The `Condition` element: operators, keys, values, and the typed value forms that
//! operators compare (numbers, dates, IP ranges, booleans, base64).
//!
//! Mirrors "IAM JSON policy elements: Condition operators" and "Multivalued context keys"
//! in the IAM User Guide.
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::error::ParseError;
use crate::json::{OneOrMany, OrderedMap};
pub use crate::raw::ConditionValue;

/// A `Condition` block: operator → key → values, in the order written.
pub type Condition =
    OrderedMap<ConditionOperator, OrderedMap<ConditionKey, OneOrMany<ConditionValue>>>;

/// The comparison an operator makes, without qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operator {
    /// `StringEquals`: exact, case-sensitive.
    StringEquals,
    /// `StringNotEquals`.
    StringNotEquals,
    /// `StringEqualsIgnoreCase`.
    StringEqualsIgnoreCase,
    /// `StringNotEqualsIgnoreCase`.
    StringNotEqualsIgnoreCase,
    /// `StringLike`: case-sensitive with `*` and `?`.
    StringLike,
    /// `StringNotLike`.
    StringNotLike,
    /// `NumericEquals`.
    NumericEquals,
    /// `NumericNotEquals`.
    NumericNotEquals,
    /// `NumericLessThan`.
    NumericLessThan,
    /// `NumericLessThanEquals`.
    NumericLessThanEquals,
    /// `NumericGreaterThan`.
    NumericGreaterThan,
    /// `NumericGreaterThanEquals`.
    NumericGreaterThanEquals,
    /// `DateEquals`.
    DateEquals,
    /// `DateNotEquals`.
    DateNotEquals,
    /// `DateLessThan`.
    DateLessThan,
    /// `DateLessThanEquals`.
    DateLessThanEquals,
    /// `DateGreaterThan`.
    DateGreaterThan,
    /// `DateGreaterThanEquals`.
    DateGreaterThanEquals,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`: base64 values compared byte for byte.
    BinaryEquals,
    /// `IpAddress`: the key is in one of the CIDR ranges.
    IpAddress,
    /// `NotIpAddress`.
    NotIpAddress,
    /// `ArnEquals`.
    ArnEquals,
    /// `ArnLike`.
    ArnLike,
    /// `ArnNotEquals`.
    ArnNotEquals,
    /// `ArnNotLike`.
    ArnNotLike,
    /// `Null`: `true` when the key must be absent, `false` when it must be present.
    Null,
}

/// The kind of value an operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// Strings.
    String,
    /// Numbers (integers or decimals).
    Numeric,
    /// Dates (ISO 8601 or epoch seconds).
    Date,
    /// `true` or `false`.
    Bool,
    /// Base64.
    Binary,
    /// IPv4/IPv6 addresses or CIDR ranges.
    Ip,
    /// ARNs, with wildcards for the `Like` forms.
    Arn,
    /// `true`/`false` for `Null`.
    Null,
}

const OPERATORS: &[(&str, Operator)] = &[
    ("StringEquals", Operator::StringEquals),
    ("StringNotEquals", Operator::StringNotEquals),
    ("StringEqualsIgnoreCase", Operator::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        Operator::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", Operator::StringLike),
    ("StringNotLike", Operator::StringNotLike),
    ("NumericEquals", Operator::NumericEquals),
    ("NumericNotEquals", Operator::NumericNotEquals),
    ("NumericLessThan", Operator::NumericLessThan),
    ("NumericLessThanEquals", Operator::NumericLessThanEquals),
    ("NumericGreaterThan", Operator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        Operator::NumericGreaterThanEquals,
    ),
    ("DateEquals", Operator::DateEquals),
    ("DateNotEquals", Operator::DateNotEquals),
    ("DateLessThan", Operator::DateLessThan),
    ("DateLessThanEquals", Operator::DateLessThanEquals),
    ("DateGreaterThan", Operator::DateGreaterThan),
    ("DateGreaterThanEquals", Operator::DateGreaterThanEquals),
    ("Bool", Operator::Bool),
    ("BinaryEquals", Operator::BinaryEquals),
    ("IpAddress", Operator::IpAddress),
    ("NotIpAddress", Operator::NotIpAddress),
    ("ArnEquals", Operator::ArnEquals),
    ("ArnLike", Operator::ArnLike),
    ("ArnNotEquals", Operator::ArnNotEquals),
    ("ArnNotLike", Operator::ArnNotLike),
    ("Null", Operator::Null),
];

impl Operator {
    /// The operator's name as AWS writes it.
    pub fn as_str(self) -> &'static str {
        OPERATORS
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("", |(name, _)| name)
    }

    /// Every operator.
    pub fn all() -> impl Iterator<Item = Operator> {
        OPERATORS.iter().map(|(_, op)| *op)
    }

    /// What kind of value the operator compares.
    pub fn value_kind(self) -> ValueKind {
        use Operator::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => ValueKind::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => ValueKind::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => ValueKind::Date,
            Bool => ValueKind::Bool,
            BinaryEquals => ValueKind::Binary,
            IpAddress | NotIpAddress => ValueKind::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => ValueKind::Arn,
            Null => ValueKind::Null,
        }
    }

    /// Whether the operator is a negated one (`StringNotEquals`, `NotIpAddress`, …), which
    /// matches when the key is absent.
    pub fn is_negated(self) -> bool {
        use Operator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

/// `ForAllValues:` or `ForAnyValue:`, for multivalued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetQualifier {
    /// `ForAllValues:`: every value in the request matches one of the policy's values.
    ForAllValues,
    /// `ForAnyValue:`: at least one value in the request matches one of the policy's values.
    ForAnyValue,
}

/// A condition operator as written: an optional set qualifier, the operator and an optional
/// `IfExists` suffix.
///
/// ```
/// use iam_model::policy::condition::{ConditionOperator, Operator, SetQualifier};
/// let op: ConditionOperator = "ForAnyValue:StringLikeIfExists".parse()?;
/// assert_eq!(op.operator(), Operator::StringLike);
/// assert_eq!(op.qualifier(), Some(SetQualifier::ForAnyValue));
/// assert!(op.if_exists());
/// assert_eq!(op.to_string(), "ForAnyValue:StringLikeIfExists");
/// assert_eq!("StringEqual".parse::<ConditionOperator>().unwrap_err().to_string(),
///            "unknown condition operator `StringEqual`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionOperator {
    qualifier: Option<SetQualifier>,
    operator: Operator,
    if_exists: bool,
}

impl ConditionOperator {
    /// A plain operator, without qualifier or `IfExists`.
    pub const fn new(operator: Operator) -> Self {
        Self {
            qualifier: None,
            operator,
            if_exists: false,
        }
    }

    /// The same operator with the `IfExists` suffix.
    pub const fn if_exists_form(self) -> Self {
        Self {
            if_exists: true,
            ..self
        }
    }

    /// The same operator with a set qualifier.
    pub const fn qualified(self, qualifier: SetQualifier) -> Self {
        Self {
            qualifier: Some(qualifier),
            ..self
        }
    }

    /// The comparison.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// `ForAllValues` / `ForAnyValue`, if written.
    pub fn qualifier(&self) -> Option<SetQualifier> {
        self.qualifier
    }

    /// Whether the `IfExists` suffix is written.
    pub fn if_exists(&self) -> bool {
        self.if_exists
    }
}

impl FromStr for ConditionOperator {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let unknown = || ParseError::ConditionOperator {
            input: input.to_string(),
        };
        let (qualifier, rest) = if let Some(rest) = input.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = input.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, input)
        };
        let lookup = |name: &str| {
            OPERATORS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, op)| *op)
        };
        let (operator, if_exists) = match lookup(rest) {
            Some(op) => (op, false),
            None => {
                let base = rest.strip_suffix("IfExists").ok_or_else(unknown)?;
                // `Null` checks existence itself, so AWS defines no `NullIfExists`.
                match lookup(base) {
                    Some(Operator::Null) | None => return Err(unknown()),
                    Some(op) => (op, true),
                }
            }
        };
        Ok(Self {
            qualifier,
            operator,
            if_exists,
        })
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.operator.as_str())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

impl serde::Serialize for ConditionOperator {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A condition key as written (`aws:SourceIp`, `s3:prefix`, `aws:RequestTag/team`,
/// `token.actions.githubusercontent.com:sub`). AWS compares key names case-insensitively;
/// [`ConditionKey::eq_ignore_case`] does too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionKey(String);

impl ConditionKey {
    /// The key as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the first `:` (`aws`, `s3`, `token.actions.githubusercontent.com`).
    pub fn prefix(&self) -> &str {
        self.0.split_once(':').map_or("", |(p, _)| p)
    }

    /// Whether two keys name the same key, ignoring case.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl ConditionKey {
    /// A catalogue key that is not a template (`aws:MultiFactorAuthPresent`, `s3:prefix`).
    /// A templated key (`aws:RequestTag/${TagKey}`) needs its variable part: use
    /// [`ConditionKey::tagged`].
    ///
    /// ```
    /// use iam_catalog::condition_keys::{aws, s3};
    /// use iam_model::policy::ConditionKey;
    /// assert_eq!(ConditionKey::known(aws::MultiFactorAuthPresent).map(|k| k.to_string()),
    ///            Some("aws:MultiFactorAuthPresent".to_string()));
    /// assert_eq!(ConditionKey::known(aws::RequestTag), None);
    /// assert_eq!(ConditionKey::tagged(aws::RequestTag, "team").map(|k| k.to_string()),
    ///            Some("aws:RequestTag/team".to_string()));
    /// assert_eq!(ConditionKey::known(s3::prefix).map(|k| k.to_string()), Some("s3:prefix".to_string()));
    /// ```
    pub fn known(key: iam_catalog::ConditionKey) -> Option<Self> {
        if key.is_template() {
            return None;
        }
        key.name().parse().ok()
    }

    /// A templated catalogue key with its variable part filled in
    /// (`aws:RequestTag/${TagKey}` with `team` → `aws:RequestTag/team`); `None` for a key
    /// that is not a template or a value with white space.
    pub fn tagged(key: iam_catalog::ConditionKey, value: &str) -> Option<Self> {
        format!("{}{value}", key.template_stem()?).parse().ok()
    }
}

impl FromStr for ConditionKey {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| ParseError::ConditionKey {
            input: input.to_string(),
            reason,
        };
        let Some((prefix, name)) = input.split_once(':') else {
            return Err(err("expected `prefix:name`, such as `aws:SourceIp`"));
        };
        if prefix.is_empty() || name.is_empty() {
            return Err(err("expected `prefix:name`, such as `aws:SourceIp`"));
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("a condition key has no white space"));
        }
        Ok(Self(input.to_string()))
    }
}

impl fmt::Display for ConditionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for ConditionKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Check that a value has the form its operator compares; `Err` says what was expected.
/// Values that hold policy variables are resolved at request time and are not checked.
pub fn check_value(kind: ValueKind, value: &ConditionValue) -> Result<(), &'static str> {
    let text = value.as_text();
    if crate::policy::variable::has_variables(&text) {
        return Ok(());
    }
    match kind {
        ValueKind::String | ValueKind::Arn => match value {
            ConditionValue::String(_) | ConditionValue::Number(_) | ConditionValue::Bool(_) => {
                Ok(())
            }
        },
        ValueKind::Numeric => parse_number(&text).map(|_| ()).ok_or("expected a number"),
        ValueKind::Date => parse_date(&text)
            .map(|_| ())
            .ok_or("expected an ISO 8601 date or epoch seconds"),
        ValueKind::Bool | ValueKind::Null => parse_bool(&text)
            .map(|_| ())
            .ok_or("expected `true` or `false`"),
        ValueKind::Binary => {
            if is_base64(&text) {
                Ok(())
            } else {
                Err("expected base64")
            }
        }
        ValueKind::Ip => IpNetwork::from_str(&text)
            .map(|_| ())
            .map_err(|_| "expected an IP address or CIDR range"),
    }
}

/// A number as `Numeric*` operators compare it.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `true`/`false` as `Bool` and `Null` compare them (case-insensitive).
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn is_base64(text: &str) -> bool {
    let t = text.trim_end_matches('=');
    !text.is_empty()
        && text.len().is_multiple_of(4)
        && text.len() - t.len() <= 2
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
}

/// A date as `Date*` operators compare it, in seconds since the Unix epoch (with fractions).
/// Accepts epoch seconds and the ISO 8601 forms AWS documents: `2020-01-01`,
/// `2020-01-01T00:00:00Z`, with optional fractions of a second and a `±hh:mm` offset.
pub fn parse_date(text: &str) -> Option<f64> {
    let t = text.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse::<f64>().ok();
    }
    let date = t.get(..10)?;
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if date.len() != 10
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let rest = t.get(10..)?;
    if rest.is_empty() {
        return Some(days as f64 * 86_400.0);
    }
    let time = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let hh: u32 = time.get(0..2)?.parse().ok()?;
    if time.get(2..3)? != ":" {
        return None;
    }
    let mm: u32 = time.get(3..5)?.parse().ok()?;
    let (ss, mut tail): (f64, &str) = if time.get(5..6) == Some(":") {
        let sec_end = time
            .get(6..)?
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(time.len(), |i| i + 6);
        (time.get(6..sec_end)?.parse().ok()?, time.get(sec_end..)?)
    } else {
        (0.0, time.get(5..)?)
    };
    if hh > 23 || mm > 59 || ss >= 61.0 {
        return None;
    }
    let mut offset = 0i64;
    if tail == "Z" || tail.is_empty() {
        tail = "";
    } else {
        let sign = match tail.get(..1)? {
            "+" => 1,
            "-" => -1,
            _ => return None,
        };
        let oh: i64 = tail.get(1..3)?.parse().ok()?;
        let om: i64 = tail.get(tail.len().checked_sub(2)?..)?.parse().ok()?;
        offset = sign * (oh * 3600 + om * 60);
        tail = "";
    }
    if !tail.is_empty() {
        return None;
    }
    Some(days as f64 * 86_400.0 + f64::from(hh * 3600 + mm * 60) + ss - offset as f64)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IP address or CIDR range, as `IpAddress` and `NotIpAddress` compare them.
///
/// ```
/// use iam_model::policy::condition::IpNetwork;
/// let net: IpNetwork = "203.0.113.0/24".parse()?;
/// assert!(net.contains("203.0.113.7".parse()?));
/// assert!(!net.contains("203.0.114.1".parse()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNetwork {
    address: IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// Whether an address lies in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNetwork {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| ParseError::Value {
            what: "IP range",
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let (addr, prefix) = match input.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (input, None),
        };
        let address: IpAddr = addr
            .parse()
            .map_err(|_| err("expected an IPv4 or IPv6 address"))?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| err("the prefix length is out of range"))?,
            None => max,
        };
        Ok(Self { address, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_round_trips_with_qualifiers_and_if_exists() {
        for op in Operator::all() {
            let plain = ConditionOperator::new(op);
            assert_eq!(
                plain.to_string().parse::<ConditionOperator>().unwrap(),
                plain
            );
            for q in [SetQualifier::ForAllValues, SetQualifier::ForAnyValue] {
                let qualified = plain.qualified(q);
                assert_eq!(
                    qualified.to_string().parse::<ConditionOperator>().unwrap(),
                    qualified
                );
            }
            if op != Operator::Null {
                let ie = plain.if_exists_form();
                assert_eq!(ie.to_string().parse::<ConditionOperator>().unwrap(), ie);
            }
        }
        assert_eq!(Operator::all().count(), 27);
    }

    #[test]
    fn null_has_no_if_exists_form() {
        assert!("NullIfExists".parse::<ConditionOperator>().is_err());
        assert!("stringequals".parse::<ConditionOperator>().is_err());
        assert!(
            "ForSomeValues:StringEquals"
                .parse::<ConditionOperator>()
                .is_err()
        );
    }

    #[test]
    fn dates_parse_to_epoch_seconds() {
        assert_eq!(parse_date("1970-01-01"), Some(0.0));
        assert_eq!(parse_date("2020-01-01T00:00:00Z"), Some(1_577_836_800.0));
        assert_eq!(
            parse_date("2020-01-01T01:00:00+01:00"),
            Some(1_577_836_800.0)
        );
        assert_eq!(parse_date("2020-01-01T00:00:00.5Z"), Some(1_577_836_800.5));
        assert_eq!(parse_date("1577836800"), Some(1_577_836_800.0));
        assert_eq!(parse_date("2019-02-29"), None);
        assert_eq!(parse_date("2020-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn values_are_checked_against_the_operator_kind() {
        let s = |t: &str| ConditionValue::String(t.to_string());
        assert_eq!(check_value(ValueKind::Numeric, &s("3600")), Ok(()));
        assert_eq!(
            check_value(ValueKind::Numeric, &s("an hour")),
            Err("expected a number")
        );
        assert_eq!(
            check_value(ValueKind::Bool, &ConditionValue::Bool(true)),
            Ok(())
        );
        assert_eq!(
            check_value(ValueKind::Bool, &s("yes")),
            Err("expected `true` or `false`")
        );
        assert_eq!(
            check_value(ValueKind::Ip, &s("10.0.0.0/33")),
            Err("expected an IP address or CIDR range")
        );
        assert_eq!(check_value(ValueKind::Ip, &s("2001:db8::/32")), Ok(()));
        assert_eq!(check_value(ValueKind::Binary, &s("QmluYXJ5")), Ok(()));
        assert_eq!(
            check_value(ValueKind::Binary, &s("not base64!")),
            Err("expected base64")
        );
        assert_eq!(
            check_value(ValueKind::Date, &s("${aws:CurrentTime}")),
            Ok(())
        );
    }

    #[test]
    fn ip_ranges_contain_their_addresses() {
        let v6: IpNetwork = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8::1".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        let all: IpNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("192.0.2.1".parse().unwrap()));
    }
}
