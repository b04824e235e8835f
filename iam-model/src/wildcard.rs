//! `*` and `?` wildcard matching, as AWS matches actions, ARNs and `*Like` condition values.
//!
//! The matcher works on bytes and never allocates: `*` matches any run of characters (also
//! none), `?` exactly one character (one whole UTF-8 sequence, not one byte).

/// Whether `text` matches `pattern`, where `*` matches any run of characters (also none) and
/// `?` matches exactly one character. Case-sensitive, like ARN and `StringLike` matching.
///
/// ```
/// use iam_model::wildcard::matches;
/// assert!(matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
/// assert!(matches("s3:Get?bject", "s3:GetObject"));
/// assert!(!matches("s3:Get*", "S3:GetObject"));
/// assert!(matches("caf?", "café"));
/// ```
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_bytes(
        pattern.as_bytes(),
        text.as_bytes(),
        false,
        |b| b == b'*' || b == b'?',
        None,
    )
}

/// Like [`matches()`], but ignoring ASCII case, as AWS compares action names.
///
/// ```
/// use iam_model::wildcard::matches_ignore_case;
/// assert!(matches_ignore_case("s3:get*", "S3:GetObject"));
/// ```
pub fn matches_ignore_case(pattern: &str, text: &str) -> bool {
    matches_bytes(
        pattern.as_bytes(),
        text.as_bytes(),
        true,
        |b| b == b'*' || b == b'?',
        None,
    )
}

/// Like [`matches()`], but a `*` or `?` at a position where `literal` is `true` stands for
/// itself. The evaluator uses this for text substituted from policy variables (`${*}`).
pub(crate) fn matches_with_literals(pattern: &str, literal: &[bool], text: &str) -> bool {
    matches_bytes(
        pattern.as_bytes(),
        text.as_bytes(),
        false,
        |b| b == b'*' || b == b'?',
        Some(literal),
    )
}

/// The length of the UTF-8 sequence that starts with `lead` (1 for ASCII and for stray
/// continuation bytes, which cannot occur in a `str` at a character boundary).
#[inline]
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Star,
    One,
    Byte(u8),
}

#[inline]
fn matches_bytes(
    p: &[u8],
    t: &[u8],
    fold: bool,
    is_wild: impl Fn(u8) -> bool,
    literal: Option<&[bool]>,
) -> bool {
    let token = |i: usize| -> Option<Token> {
        let b = *p.get(i)?;
        let escaped = literal.is_some_and(|l| l.get(i).copied().unwrap_or(false));
        Some(if escaped || !is_wild(b) {
            Token::Byte(b)
        } else if b == b'*' {
            Token::Star
        } else {
            Token::One
        })
    };
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    // Indices always sit on character boundaries: literal bytes advance one byte at a time
    // through equal sequences, `?` and the backtrack step advance by whole characters.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while let Some(&tb) = t.get(ti) {
        let step = match token(pi) {
            Some(Token::Star) => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some(Token::One) => Some(char_len(tb)),
            Some(Token::Byte(pb)) if pb == tb || (fold && pb.eq_ignore_ascii_case(&tb)) => Some(1),
            _ => None,
        };
        match (step, star) {
            (Some(n), _) => {
                pi += 1;
                ti += n;
            }
            (None, Some((sp, st))) => {
                let next = st + t.get(st).map_or(1, |&b| char_len(b));
                pi = sp + 1;
                ti = next;
                star = Some((sp, next));
            }
            (None, None) => return false,
        }
    }
    // The text is used up; what is left of the pattern must be stars.
    while let Some(tok) = token(pi) {
        if tok != Token::Star {
            return false;
        }
        pi += 1;
    }
    true
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

    #[test]
    fn question_mark_is_one_character_not_one_byte() {
        assert!(matches("caf?", "café"));
        assert!(!matches("caf??", "café"));
        assert!(matches("*é", "aéé"));
        assert!(matches("?*?", "日本"));
        assert!(!matches("?", "日本"));
        assert!(matches_ignore_case("CAF?", "café"));
        assert!(!matches_ignore_case("CAFÉ", "café"));
    }

    #[test]
    fn literal_positions_stand_for_themselves() {
        assert!(matches_with_literals("a*", &[false, true], "a*"));
        assert!(!matches_with_literals("a*", &[false, true], "ab"));
        assert!(matches_with_literals("a*", &[false, false], "ab"));
        assert!(matches_with_literals("?", &[true], "?"));
        assert!(!matches_with_literals("?", &[true], "x"));
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

        #[test]
        fn agrees_with_the_reference_on_multibyte_text(p in "[aé日*?]{0,8}", t in "[aé日]{0,8}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(matches(&p, &t), reference(&pc, &tc));
        }

        #[test]
        fn ignoring_case_is_matching_lowercase(p in "[aAbB*?]{0,8}", t in "[aAbB]{0,8}") {
            prop_assert_eq!(
                matches_ignore_case(&p, &t),
                matches(&p.to_ascii_lowercase(), &t.to_ascii_lowercase())
            );
        }
    }
}
