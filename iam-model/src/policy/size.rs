//! Policy size as AWS counts it against its quotas.
//!
//! IAM counts the characters of a policy document but not the white space outside strings
//! ("IAM and AWS STS quotas": "IAM doesn't count white space when calculating the size of a
//! policy against these quotas"). White space inside strings counts.

/// The size of a policy's JSON text as AWS counts it: characters, without white space
/// outside strings.
///
/// ```
/// use iam_model::policy::size::aws_size;
/// assert_eq!(aws_size("{ \"Sid\" : \"a b\" }"), 13);
/// ```
pub fn aws_size(json: &str) -> usize {
    // Bytes rather than chars: the structural characters are ASCII, and a character is counted
    // once, at its first byte (UTF-8 continuation bytes are `0b10xx_xxxx`).
    let mut count = 0;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json.as_bytes() {
        if b & 0xC0 == 0x80 {
            continue;
        }
        if in_string {
            count += 1;
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            count += 1;
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The straightforward count, a character at a time.
    fn reference(json: &str) -> usize {
        let mut count = 0;
        let mut in_string = false;
        let mut escaped = false;
        for c in json.chars() {
            if in_string {
                count += 1;
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
                count += 1;
            } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
                count += 1;
            }
        }
        count
    }

    #[test]
    fn counts_escapes_and_multibyte_characters_once() {
        assert_eq!(aws_size(r#"{ "a\"b" : "é\\é ☃" }"#), 17);
        assert_eq!(aws_size("\"\\"), 2);
        assert_eq!(aws_size("\"\\é"), 3);
        assert_eq!(aws_size(" \"unterminated "), 14);
        assert_eq!(aws_size(""), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        // Reference: serde_json's compact form has no white space outside strings, so its
        // character count is the size; the pretty form must count the same.
        #[test]
        fn counts_like_the_reference_on_any_text(text in "[ \t\n\"\\\\a{}:é☃\u{10348}]{0,40}") {
            prop_assert_eq!(aws_size(&text), reference(&text));
        }

        #[test]
        fn counts_like_the_compact_form(
            keys in proptest::collection::vec("[ a-zA-Z\"\\\\é/]{0,6}", 0..5),
            vals in proptest::collection::vec("[ a-z0-9\"\\\\\t]{0,6}", 0..5),
        ) {
            let map: serde_json::Map<String, serde_json::Value> = keys.into_iter()
                .zip(vals.into_iter().map(|v| serde_json::json!([v, 1, true, null])))
                .collect();
            let value = serde_json::Value::Object(map);
            let compact = serde_json::to_string(&value).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            prop_assert_eq!(aws_size(&pretty), compact.chars().count());
            prop_assert_eq!(aws_size(&compact), compact.chars().count());
        }
    }
}
