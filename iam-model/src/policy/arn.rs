//! ARNs: `arn:partition:service:region:account-id:resource`, with wildcards and variables
//! where AWS allows them in policies.
//!
//! Mirrors "Amazon Resource Names (ARNs)" in the IAM User Guide and the `Resource` element
//! reference: the region and account segments may be empty (S3, IAM), any segment may hold
//! `*` and `?` wildcards in a policy, and the resource part may hold `:` and `/`.
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::policy::AccountId;

/// An ARN as written in a policy, split into its segments.
///
/// ```
/// use iam_model::policy::Arn;
/// let arn: Arn = "arn:aws:iam::123456789012:role/${aws:username}-*".parse()?;
/// assert_eq!(arn.partition(), "aws");
/// assert_eq!(arn.service(), "iam");
/// assert_eq!(arn.region(), "");
/// assert_eq!(arn.account(), "123456789012");
/// assert_eq!(arn.resource(), "role/${aws:username}-*");
/// assert_eq!("arn:aws:s3".parse::<Arn>().unwrap_err().to_string(),
///            "invalid ARN `arn:aws:s3`: expected `arn:partition:service:region:account-id:resource`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    text: String,
    // INVARIANT: byte offsets of the five `:` that end `arn`, partition, service, region and
    // account; they lie outside `${…}` variables. In a pattern cut short after a trailing
    // `*` (`arn:aws:sqs:us-east-1:*`) the missing ones are `text.len()`, and the missing
    // segments read as `*`.
    colons: [usize; 5],
}

impl Arn {
    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    // How many of the six segments are written.
    fn segments(&self) -> usize {
        1 + self.colons.iter().filter(|&&c| c < self.text.len()).count()
    }

    fn segment(&self, index: usize) -> &str {
        let segments = self.segments();
        if index >= segments {
            return "*";
        }
        if index + 1 == segments && segments < 6 {
            let start = match index {
                0 => 0,
                i => self.colons.get(i - 1).map_or(0, |c| c + 1),
            };
            return self.text.get(start..).unwrap_or_default();
        }
        let start = match index {
            0 => 0,
            i => self.colons.get(i - 1).map_or(0, |c| c + 1),
        };
        let end = self.colons.get(index).copied().unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or_default()
    }

    /// The partition (`aws`, `aws-cn`, `aws-us-gov`, …), possibly a wildcard.
    pub fn partition(&self) -> &str {
        self.segment(1)
    }

    /// The service namespace (`s3`, `iam`).
    pub fn service(&self) -> &str {
        self.segment(2)
    }

    /// The region; empty for global services.
    pub fn region(&self) -> &str {
        self.segment(3)
    }

    /// The account segment; empty for S3 buckets, `aws` for AWS managed policies.
    pub fn account(&self) -> &str {
        self.segment(4)
    }

    /// The account as an [`AccountId`], when the segment is exactly 12 digits.
    pub fn account_id(&self) -> Option<AccountId> {
        self.account().parse().ok()
    }

    /// The resource part, after the fifth `:`; it may hold `:` and `/`.
    pub fn resource(&self) -> &str {
        self.segment(5)
    }

    /// The text as written, without a copy.
    pub(crate) fn into_string(self) -> String {
        self.text
    }

    /// Whether the ARN holds `*` or `?` outside variables.
    pub fn has_wildcard(&self) -> bool {
        self.text.bytes().any(|b| matches!(b, b'*' | b'?'))
            && outside_variables(&self.text).any(|c| matches!(c, '*' | '?'))
    }
}

// The characters of `text` outside `${…}` variables, without building a string.
fn outside_variables(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut depth = false;
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        while let Some(c) = chars.next() {
            if !depth && c == '$' && chars.peek() == Some(&'{') {
                depth = true;
            } else if depth && c == '}' {
                depth = false;
            } else if !depth {
                return Some(c);
            }
        }
        None
    })
}

impl FromStr for Arn {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &'static str| ParseError::Arn {
            input: input.to_string(),
            reason,
        };
        if !input.starts_with("arn:") {
            return Err(err("an ARN starts with `arn:`"));
        }
        // Find the first five `:` that are not inside a `${…}` variable.
        let mut colons = [0usize; 5];
        let mut found = 0;
        let mut in_variable = false;
        let bytes = input.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'$' if bytes.get(i + 1) == Some(&b'{') => in_variable = true,
                b'}' if in_variable => in_variable = false,
                b':' if !in_variable && found < 5 => {
                    if let Some(slot) = colons.get_mut(found) {
                        *slot = i;
                    }
                    found += 1;
                }
                _ => {}
            }
        }
        // "IAM JSON policy elements: Resource", Using wildcards in resource ARNs: "If the *
        // wildcard is the last character of a resource ARN segment, it can expand to match
        // beyond the colon boundaries", so a pattern cut short after a trailing `*`
        // (`arn:aws:sqs:us-east-1:*`, `arn:aws:*`) matches whatever the missing segments
        // hold. Cut short without one, it is not an ARN.
        // The last written segment stands for a partition, service, region or account, so
        // it holds no `/` (`arn:aws:s3::bucket/*` misses a colon; it is no pattern).
        let last_written = colons
            .get(found.wrapping_sub(1))
            .and_then(|c| input.get(c + 1..))
            .unwrap_or_default();
        if found < 5 {
            let segment_like = last_written
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*' | '?'));
            if found == 0 || !segment_like || !last_written.ends_with('*') {
                return Err(err(
                    "expected `arn:partition:service:region:account-id:resource`",
                ));
            }
            for slot in colons.iter_mut().skip(found) {
                *slot = input.len();
            }
        }
        // A variable's default is written after a comma and a space
        // (`${aws:PrincipalTag/team, 'company-wide'}`, "IAM policy elements: Variables and
        // tags", Specifying default values), so only white space outside variables counts.
        if input.contains(char::is_whitespace) && outside_variables(input).any(char::is_whitespace)
        {
            return Err(err("an ARN has no white space"));
        }
        let arn = Self {
            text: input.to_string(),
            colons,
        };
        if arn.partition().is_empty() {
            return Err(err("the partition is empty"));
        }
        if arn.service().is_empty() {
            return Err(err("the service is empty"));
        }
        let account = arn.account();
        let literal = !account.contains(['*', '?', '$']);
        if literal
            && !account.is_empty()
            && account != "aws"
            && account.parse::<AccountId>().is_err()
        {
            return Err(err("the account id is not 12 digits"));
        }
        Ok(arn)
    }
}

impl TryFrom<&str> for Arn {
    type Error = ParseError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_segments_around_variables() {
        let arn: Arn = "arn:aws:iam::${aws:PrincipalAccount}:user/a:b"
            .parse()
            .unwrap();
        assert_eq!(arn.account(), "${aws:PrincipalAccount}");
        assert_eq!(arn.resource(), "user/a:b");
        assert!(!arn.has_wildcard());
        let s3: Arn = "arn:aws:s3:::bucket/*".parse().unwrap();
        assert_eq!(
            (s3.region(), s3.account(), s3.resource()),
            ("", "", "bucket/*")
        );
        assert!(s3.has_wildcard());
    }

    #[test]
    fn variable_defaults_may_hold_spaces() {
        let arn: Arn = "arn:aws:s3:::bucket-${aws:PrincipalTag/team, 'company-wide'}/*"
            .parse()
            .unwrap();
        assert_eq!(
            arn.resource(),
            "bucket-${aws:PrincipalTag/team, 'company-wide'}/*"
        );
        assert!(arn.has_wildcard());
    }

    #[test]
    fn accepts_what_aws_managed_policies_use() {
        // AmazonDevOpsGuruOrganizationsAccess has an empty resource part; AWS accepts it.
        let arn: Arn = "arn:aws:organizations::*:".parse().unwrap();
        assert_eq!(arn.resource(), "");
    }

    #[test]
    fn a_pattern_cut_short_after_a_trailing_wildcard_reads_the_rest_as_wildcards() {
        let arn: Arn = "arn:aws:sqs:us-east-1:*".parse().unwrap();
        assert_eq!(
            (arn.service(), arn.region(), arn.account(), arn.resource()),
            ("sqs", "us-east-1", "*", "*")
        );
        assert_eq!(arn.as_str(), "arn:aws:sqs:us-east-1:*");
        let arn: Arn = "arn:aws:*".parse().unwrap();
        assert_eq!(
            (arn.partition(), arn.service(), arn.resource()),
            ("aws", "*", "*")
        );
        let arn: Arn = "arn:aws:s3*".parse().unwrap();
        assert_eq!((arn.service(), arn.region()), ("s3*", "*"));
        assert!(arn.has_wildcard());
        for cut in [
            "arn:aws:sqs:us-east-1",
            "arn:aws:sqs:us-east-1:queue",
            "arn:*",
        ] {
            assert_eq!(cut.parse::<Arn>().is_ok(), cut.ends_with('*'), "{cut}");
        }
    }

    #[test]
    fn rejects_malformed_arns_with_a_reason() {
        let cases = [
            ("s3:::bucket", "an ARN starts with `arn:`"),
            ("arn::s3:::b", "the partition is empty"),
            ("arn:aws::::r", "the service is empty"),
            (
                "arn:aws:iam::12345:role/x",
                "the account id is not 12 digits",
            ),
            ("arn:aws:s3:::my bucket", "an ARN has no white space"),
        ];
        for (input, reason) in cases {
            assert_eq!(
                input.parse::<Arn>().unwrap_err().to_string(),
                format!("invalid ARN `{input}`: {reason}")
            );
        }
    }
}
