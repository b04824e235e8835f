//! `*` and `?` wildcard matching, as AWS matches actions, ARNs and `*Like` condition values.

/// Whether `text` matches `pattern`, where `*` matches any run of characters (also none) and
/// `?` matches exactly one character. Case-sensitive, like ARN and `StringLike` matching.
///
/// ```
/// use iam_model::wildcard::matches;
/// assert!(matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
/// assert!(matches("s3:Get?bject", "s3:GetObject"));
/// assert!(!matches("s3:Get*", "S3:GetObject"));
/// ```
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, |a, b| a == b)
}

/// Like [`matches()`], but ignoring ASCII case, as AWS compares action names.
///
/// ```
/// use iam_model::wildcard::matches_ignore_case;
/// assert!(matches_ignore_case("s3:get*", "S3:GetObject"));
/// ```
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, |a, b| a.eq_ignore_ascii_case(&b))
}

fn matches_with(pattern: &str, text: &str, eq: impl Fn(char, char) -> bool) -> bool {
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match (p.get(pi), t.get(ti)) {
            (Some('*'), _) => {
                star = Some((pi, ti));
                pi += 1;
            }
            (Some('?'), Some(_)) => {
                pi += 1;
                ti += 1;
            }
            (Some(&pc), Some(&tc)) if eq(pc, tc) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn edge_cases() {
        assert!(matches("*", ""));
        assert!(matches("", ""));
        assert!(!matches("", "a"));
        assert!(!matches("?", ""));
        assert!(matches("a*b*c", "aXbYbZc"));
        assert!(!matches("a*b*c", "aXbYbZ"));
        assert!(matches("**", "abc"));
    }

    // A direct recursive definition to compare against.
    fn reference(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (None, Some(_)) => false,
            (Some('*'), _) => reference(&p[1..], t) || (!t.is_empty() && reference(p, &t[1..])),
            (Some('?'), Some(_)) => reference(&p[1..], &t[1..]),
            (Some(a), Some(b)) => a == b && reference(&p[1..], &t[1..]),
            (Some(_), None) => false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn agrees_with_the_reference(p in "[ab*?]{0,8}", t in "[ab]{0,8}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(matches(&p, &t), reference(&pc, &tc));
        }
    }
}
