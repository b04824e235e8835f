//! [`ResourceType`]: a resource type with its ARN pattern, and ARN matching.
use crate::generated::data;
use crate::table::{self, ResourceTypeRec};
use crate::{ConditionKey, Service};

/// A resource type of a service, with its ARN pattern (`s3` `object`:
/// `arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
///
/// ```
/// use iam_catalog::actions::s3;
/// let (object, required) = s3::GetObject
///     .resource_types()
///     .find(|(rt, _)| rt.name() == "object")
///     .ok_or("no object")?;
/// assert!(!required);
/// assert!(object.matches_arn("arn:aws:s3:::my-bucket/reports/*"));
/// assert!(!object.matches_arn("arn:aws:s3:::my-bucket"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceType(u16);

impl ResourceType {
    pub(crate) const fn from_index(index: u16) -> Self {
        Self(index)
    }

    fn rec(self) -> Option<&'static ResourceTypeRec> {
        data::RESOURCE_TYPES.get(usize::from(self.0))
    }

    /// Every resource type, grouped by service.
    pub fn all() -> impl ExactSizeIterator<Item = ResourceType> + Clone {
        (0..u16::try_from(data::RESOURCE_TYPES.len()).unwrap_or(u16::MAX)).map(ResourceType)
    }

    /// The service that defines this resource type.
    #[must_use]
    pub fn service(self) -> Service {
        Service::from_index(self.rec().map_or(0, |r| r.service))
    }

    /// The resource type name as AWS writes it (`object`, `role`, `capacity-reservation`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.name))
    }

    /// The ARN pattern with `${...}` placeholders.
    #[must_use]
    pub fn arn_pattern(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.arn))
    }

    /// Condition keys AWS lists for this resource type.
    pub fn condition_keys(self) -> impl ExactSizeIterator<Item = ConditionKey> + Clone {
        let ids = self.rec().map_or(&[][..], |r| {
            table::range(
                &data::RESOURCE_TYPE_CONDITION_KEYS,
                usize::from(r.condition_keys_start),
                usize::from(r.condition_keys_len),
            )
        });
        ids.iter().map(|&i| ConditionKey::from_index(i))
    }

    /// Whether a concrete or wildcarded ARN fits this resource type's pattern.
    ///
    /// The rule, lenient by design (a false mismatch would be a false finding):
    /// - the ARN is split like the pattern: `arn:partition:service:region:account:` then the
    ///   resource part;
    /// - a `${...}` placeholder (also the odd `{...}`) matches any run of characters, possibly
    ///   empty; in the first five segments it does not cross a `:`, in the resource part it may
    ///   (names such as `${ObjectName}` hold `/` and `:`);
    /// - in the ARN, `*` matches any run of characters (including `:` and whole placeholders),
    ///   and `?` matches one character;
    /// - everything else is compared exactly (ARNs are case-sensitive).
    ///
    /// ```
    /// use iam_catalog::actions::iam;
    /// let (role, required) = iam::PassRole.resource_types().next().ok_or("no role")?;
    /// assert!(required);
    /// assert!(role.matches_arn("arn:aws:iam::123456789012:role/ci/deploy"));
    /// assert!(role.matches_arn("arn:aws:iam::*:role/*"));
    /// assert!(!role.matches_arn("arn:aws:iam::123456789012:user/alice"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn matches_arn(self, arn: &str) -> bool {
        arn_matches(self.arn_pattern(), arn)
    }

    /// Fill the placeholders of the ARN pattern, in order of first appearance; a placeholder
    /// that appears twice takes the same value. Missing values leave the placeholder in place.
    #[must_use]
    pub fn build_arn(self, values: &[&str]) -> String {
        fill_pattern(self.arn_pattern(), values)
    }
}

impl std::fmt::Display for ResourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service().prefix(), self.name())
    }
}

/// Split a pattern into literal text and placeholders: yields `(literal_before, placeholder)`.
fn placeholders(pattern: &str) -> Vec<(&str, Option<&str>)> {
    let mut parts = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest.get(open..).and_then(|r| r.find('}')).map(|c| open + c) else {
            break;
        };
        let lit_end = if open > 0 && rest.get(open - 1..open) == Some("$") {
            open - 1
        } else {
            open
        };
        parts.push((rest.get(..lit_end).unwrap_or(""), rest.get(open + 1..close)));
        rest = rest.get(close + 1..).unwrap_or("");
    }
    parts.push((rest, None));
    parts
}

fn fill_pattern(pattern: &str, values: &[&str]) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut out = String::with_capacity(pattern.len() + 32);
    for (literal, placeholder) in placeholders(pattern) {
        out.push_str(literal);
        if let Some(name) = placeholder {
            let pos = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                names.push(name);
                names.len() - 1
            });
            match values.get(pos) {
                Some(value) => out.push_str(value),
                None => {
                    out.push_str("${");
                    out.push_str(name);
                    out.push('}');
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pat {
    Lit(char),
    /// A placeholder; `true` when it may cross `:` (resource part).
    Any(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arn {
    Lit(char),
    Star,
    One,
}

/// The matching rule documented on [`ResourceType::matches_arn`].
pub(crate) fn arn_matches(pattern: &str, arn: &str) -> bool {
    let mut pat = Vec::with_capacity(pattern.len());
    let mut colons = 0;
    for (literal, placeholder) in placeholders(pattern) {
        for c in literal.chars() {
            if c == ':' {
                colons += 1;
            }
            pat.push(Pat::Lit(c));
        }
        if placeholder.is_some() {
            pat.push(Pat::Any(colons >= 5));
        }
    }
    let text: Vec<Arn> = arn
        .chars()
        .map(|c| match c {
            '*' => Arn::Star,
            '?' => Arn::One,
            c => Arn::Lit(c),
        })
        .collect();
    // reach[i * w + j]: pattern[..i] can match text[..j]. Every step grows i + j, so one pass
    // in row order sees each cell after all its predecessors.
    let w = text.len() + 1;
    let mut reach = vec![false; (pat.len() + 1) * w];
    if let Some(first) = reach.first_mut() {
        *first = true;
    }
    for i in 0..=pat.len() {
        for j in 0..=text.len() {
            if !reach.get(i * w + j).copied().unwrap_or(false) {
                continue;
            }
            let mut mark = |ii: usize, jj: usize| {
                if let Some(cell) = reach.get_mut(ii * w + jj) {
                    *cell = true;
                }
            };
            let p = pat.get(i).copied();
            let t = text.get(j).copied();
            if let Some(Pat::Any(_)) = p {
                mark(i + 1, j); // the placeholder ends
            }
            match t {
                Some(Arn::Star) => {
                    mark(i, j + 1); // `*` matches nothing more
                    if p.is_some() {
                        mark(i + 1, j); // `*` swallows one pattern element
                    }
                }
                Some(Arn::One) => match p {
                    Some(Pat::Lit(_)) => mark(i + 1, j + 1),
                    Some(Pat::Any(_)) => mark(i, j + 1),
                    None => {}
                },
                Some(Arn::Lit(c)) => match p {
                    Some(Pat::Lit(pc)) if pc == c => mark(i + 1, j + 1),
                    Some(Pat::Any(cross)) if cross || c != ':' => mark(i, j + 1),
                    _ => {}
                },
                None => {}
            }
        }
    }
    reach.last().copied().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_match_within_header_segments_only() {
        let p = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(arn_matches(p, "arn:aws:iam::123456789012:role/a/b"));
        assert!(!arn_matches(p, "arn:aws:iam::12:34:role/a"));
        assert!(arn_matches(p, "*"));
        assert!(arn_matches(p, "arn:aws:iam::*"));
        assert!(arn_matches(p, "arn:aws:iam::12345678901?:role/x"));
        assert!(!arn_matches(p, "arn:aws:s3:::bucket"));
    }

    #[test]
    fn resource_placeholders_may_hold_colons() {
        let p = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(arn_matches(
            p,
            "arn:aws:logs:eu-west-1:123456789012:log-group:/app:*"
        ));
    }

    #[test]
    fn fill_repeats_and_keeps_missing_placeholders() {
        assert_eq!(fill_pattern("a/${X}/${Y}/${X}", &["1", "2"]), "a/1/2/1");
        assert_eq!(fill_pattern("a/${X}/${Y}", &["1"]), "a/1/${Y}");
        assert_eq!(
            fill_pattern(
                "arn:${Partition}:opsworks-cm::${Account}:backup/${ServerName}-{Date-and-Time-Stamp-of-Backup}",
                &["aws", "1", "s", "d"]
            ),
            "arn:aws:opsworks-cm::1:backup/s-d"
        );
    }
}
