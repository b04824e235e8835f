//! Model text is data: one escaping function per output format, used by every emitter and,
//! as a handlebars helper, by every template ([`crate::templates`]). Whatever a model holds
//! (validation rejects what AWS rejects, but a model built in Rust need not be validated),
//! a value stays inside its field: it cannot add a line to an INI file, a row or a link to
//! Markdown, a word to a shell command or an interpolation to a Terraform or CloudFormation
//! string. Where a format cannot hold a value, the function refuses with an
//! [`EscapeError`] and nothing is written.
//!
//! | format | function | helper | what it does |
//! |---|---|---|---|
//! | INI value or section name (`~/.aws/config`) | [`ini_value`] | `ini` | refuses control characters, line separators, `[`, `]` and leading or trailing white space (INI has no escapes) |
//! | INI comment | [`ini_comment`] | `ini_comment` | writes `\` as `\\` and every control character or line separator as `\u{…}` |
//! | Markdown text, table cells included | [`markdown`] | `md` | backslash-escapes Markdown's and HTML's punctuation, writes control characters, line separators and edge white space as character references (`&#xA;`) |
//! | Markdown inline code | [`markdown_code`] | `md_code` | `` `text` `` when the text can be a code span in a table, else [`markdown`] |
//! | POSIX shell word (bash) | [`shell_word`] | `sh` | plain, `'…'` (a `'` becomes `'\''`), or `$'…'` with `\xHH` for control characters; refuses NUL |
//! | Terraform JSON string | [`terraform`] | — | `${` → `$${`, `%{` → `%%{` |
//! | CloudFormation `Fn::Sub` string | [`cloudformation_sub`] | — | `${` → `${!` |
//! | JSON | `serde_json` | `json` | JSON strings escape everything |
//! | a terminal line (diagnostics) | [`terminal`] | — | every control character and line separator as `\u{…}` |
//!
//! ```
//! use iam_codegen::escape;
//! let hostile = "Bob\n[default]\ncredential_process = sh -c 'id'";
//! assert_eq!(escape::ini_comment(hostile), r"Bob\u{a}[default]\u{a}credential_process = sh -c 'id'");
//! assert_eq!(escape::ini_value(hostile).unwrap_err().to_string(),
//!     r"`Bob\u{a}[default]\u{a}credential_process = sh -c 'id'` cannot be an INI value: U+000A would end the line");
//! assert_eq!(escape::markdown("a | b\n`c`"), r"a \| b&#xA;\`c\`");
//! assert_eq!(escape::shell_word("it's $(id)")?, r"'it'\''s $(id)'");
//! assert_eq!(escape::terraform("${aws:username}"), "$${aws:username}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::borrow::Cow;
use std::fmt::Write as _;

/// A value that an output format cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EscapeError {
    /// The value cannot be an INI value or section name.
    #[error("`{}` cannot be an INI value: {reason}", ini_comment(text))]
    Ini {
        /// The value.
        text: String,
        /// Why.
        reason: String,
    },
    /// The value cannot be a shell word.
    #[error("`{}` cannot be a shell word: {reason}", ini_comment(text))]
    Shell {
        /// The value.
        text: String,
        /// Why.
        reason: String,
    },
}

/// Whether a character breaks a line or controls a terminal or the text direction:
/// C0 and C1 controls and DEL (`char::is_control`, which covers U+0085 NEL), U+2028 LINE
/// SEPARATOR, U+2029 PARAGRAPH SEPARATOR, the bidirectional controls (U+061C, U+200E,
/// U+200F, U+202A to U+202E, U+2066 to U+2069) and U+FEFF. Text formats escape these or
/// refuse them; none of them is ever written as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// A value for an INI line of the AWS CLI config (`key = value`) or a section name
/// (`[profile NAME]`), as it is: INI has no escape sequences, so a value that the AWS CLI
/// would read differently is refused. Refused: control characters and line separators
/// ([`is_unsafe`]: a line break would start a new line, e.g. a `[default]` section with a
/// `credential_process`), `[` and `]` (they would end or start a section name), and
/// leading or trailing white space (the parser strips it).
///
/// ```
/// use iam_codegen::escape::ini_value;
/// assert_eq!(ini_value("DeveloperAccess")?, "DeveloperAccess");
/// assert_eq!(ini_value("dev]\n[default").unwrap_err().to_string(),
///     r"`dev]\u{a}[default` cannot be an INI value: `]` would end a section name");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ini_value(text: &str) -> Result<&str, EscapeError> {
    let refuse = |reason: String| EscapeError::Ini {
        text: text.to_string(),
        reason,
    };
    for c in text.chars() {
        if is_unsafe(c) {
            return Err(refuse(format!("U+{:04X} would end the line", u32::from(c))));
        }
        if c == '[' {
            return Err(refuse("`[` would start a section name".to_string()));
        }
        if c == ']' {
            return Err(refuse("`]` would end a section name".to_string()));
        }
    }
    if text.trim() != text {
        return Err(refuse(
            "leading or trailing white space is dropped by the AWS CLI".to_string(),
        ));
    }
    Ok(text)
}

/// Text for an INI comment line (`# …`): `\` is written as `\\` and every character of
/// [`is_unsafe`] as `\u{HEX}`, so the comment stays one line and reads back unambiguously.
///
/// ```
/// use iam_codegen::escape::ini_comment;
/// assert_eq!(ini_comment("Bob Lee"), "Bob Lee");
/// assert_eq!(ini_comment("a\\b\u{2028}c"), r"a\\b\u{2028}c");
/// ```
pub fn ini_comment(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c == '\\' || is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\\' {
            out.push_str(r"\\");
        } else if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal line (the CLI's diagnostics): every character of [`is_unsafe`] as
/// `\u{HEX}`, so model text can neither move the cursor, recolour the terminal nor start a
/// line that looks like another diagnostic. Meant to be read, not parsed back: `\` stays
/// as it is.
///
/// ```
/// use iam_codegen::escape::terminal;
/// assert_eq!(terminal("Ops\u{1b}[2J\nerror: fake"), r"Ops\u{1b}[2J\u{a}error: fake");
/// assert_eq!(terminal(r"[\p{L}]"), r"[\p{L}]");
/// ```
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// ASCII punctuation that Markdown (CommonMark with GitHub's tables, strikethrough and
/// math) or HTML could read as markup; each is written with a backslash, which CommonMark
/// allows before any ASCII punctuation.
const MARKDOWN_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '|', '&', '~', '#', '$', '!',
];

/// Text for Markdown, in a paragraph, a list item, a heading or a table cell: the
/// punctuation Markdown or HTML could read as markup (`` \ ` * _ [ ] < > | & ~ # $ ! ``) is
/// backslash-escaped; control characters and line separators ([`is_unsafe`]), and white
/// space at either end (a table cell would lose it), are written as numeric character
/// references (`&#xA;`). A parser gives back the text, except NUL, which CommonMark reads
/// as U+FFFD.
///
/// ```
/// use iam_codegen::escape::markdown;
/// assert_eq!(markdown("Read-only access"), "Read-only access");
/// assert_eq!(markdown("<img src=x> | *x*"), r"\<img src=x\> \| \*x\*");
/// assert_eq!(markdown(" a\nb"), "&#x20;a&#xA;b");
/// ```
pub fn markdown(text: &str) -> Cow<'_, str> {
    let edge = |c: Option<char>| c.is_some_and(char::is_whitespace);
    if !edge(text.chars().next())
        && !edge(text.chars().next_back())
        && !text
            .chars()
            .any(|c| MARKDOWN_SPECIAL.contains(&c) || is_unsafe(c))
    {
        return Cow::Borrowed(text);
    }
    let last = text.chars().count().saturating_sub(1);
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        if is_unsafe(c) || ((i == 0 || i == last) && c.is_whitespace()) {
            let _ = write!(out, "&#x{:X};", u32::from(c));
        } else if MARKDOWN_SPECIAL.contains(&c) {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text as Markdown inline code (`` `text` ``) when a code span can hold it, in a table cell
/// too: no backtick, `|` or [`is_unsafe`] character, not empty and no white space at either
/// end. Otherwise the text is written by [`markdown`] (a code span shows backslashes and
/// character references as they are, so it cannot escape).
///
/// ```
/// use iam_codegen::escape::markdown_code;
/// assert_eq!(markdown_code("AWS-Developers"), "`AWS-Developers`");
/// assert_eq!(markdown_code("a|b"), r"a\|b");
/// ```
pub fn markdown_code(text: &str) -> Cow<'_, str> {
    let codeable = !text.is_empty()
        && text.trim() == text
        && !text.chars().any(|c| c == '`' || c == '|' || is_unsafe(c));
    if codeable {
        Cow::Owned(format!("`{text}`"))
    } else {
        markdown(text)
    }
}

/// A word for bash: kept as it is when it has only ASCII letters, digits and `_./:=@+,-`;
/// in single quotes (a `'` inside becomes `'\''`) when it has no control character;
/// otherwise in ANSI-C quotes, `$'…'`, with `\\`, `\'` and `\xHH` for each byte of a
/// character of [`is_unsafe`], so the script holds no raw control character. NUL is
/// refused: a shell word cannot hold it.
///
/// ```
/// use iam_codegen::escape::shell_word;
/// assert_eq!(shell_word("dev-john")?, "dev-john");
/// assert_eq!(shell_word(r#"{"a":"it's"}"#)?, r#"'{"a":"it'\''s"}'"#);
/// assert_eq!(shell_word("")?, "''");
/// assert_eq!(shell_word("a\nb's")?, r"$'a\x0ab\'s'");
/// assert_eq!(shell_word("a\0b").unwrap_err().to_string(),
///     r"`a\u{0}b` cannot be a shell word: a shell word cannot hold NUL (U+0000)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn shell_word(word: &str) -> Result<String, EscapeError> {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@+,-".contains(c));
    if plain {
        return Ok(word.to_string());
    }
    if word.contains('\0') {
        return Err(EscapeError::Shell {
            text: word.to_string(),
            reason: "a shell word cannot hold NUL (U+0000)".to_string(),
        });
    }
    if !word.chars().any(is_unsafe) {
        return Ok(format!("'{}'", word.replace('\'', r"'\''")));
    }
    let mut out = String::with_capacity(word.len() + 16);
    out.push_str("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            c if is_unsafe(c) => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// A literal string for a Terraform JSON string value: in JSON syntax every string is a
/// template, so `${` and `%{` are escaped as `$${` and `%%{`
/// (<https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences-1>),
/// and Terraform reads back the text as it was (IAM policy variables such as
/// `${aws:username}` reach AWS unchanged).
///
/// ```
/// use iam_codegen::escape::terraform;
/// assert_eq!(terraform("arn:aws:s3:::b/${aws:username}/*"), "arn:aws:s3:::b/$${aws:username}/*");
/// assert_eq!(terraform("%{ if x }"), "%%{ if x }");
/// ```
pub fn terraform(text: &str) -> String {
    // Most strings have no `{` at all: one copy instead of two scans and two copies.
    if !text.contains('{') {
        return text.to_string();
    }
    text.replace("${", "$${").replace("%{", "%%{")
}

/// Literal text inside a CloudFormation `Fn::Sub` string: `${` is written `${!`, which
/// `Fn::Sub` reads as a literal `${` ("To write a dollar sign and curly braces (`${}`)
/// literally, add an exclamation point (`!`) after the open curly brace", the `Fn::Sub`
/// reference).
///
/// ```
/// use iam_codegen::escape::cloudformation_sub;
/// assert_eq!(cloudformation_sub("/${AWS::AccountId}/"), "/${!AWS::AccountId}/");
/// ```
pub fn cloudformation_sub(text: &str) -> Cow<'_, str> {
    if text.contains("${") {
        Cow::Owned(text.replace("${", "${!"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a CommonMark parser gives back for [`markdown`]'s output: backslash escapes and
    /// numeric character references undone (NUL becomes U+FFFD, as CommonMark says).
    fn unmarkdown(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if c == '\\'
                && let Some(n) = rest.chars().nth(1)
                && n.is_ascii_punctuation()
            {
                out.push(n);
                rest = &rest[2..];
            } else if let Some(after) = rest.strip_prefix("&#x")
                && let Some(end) = after.find(';')
            {
                let code = u32::from_str_radix(&after[..end], 16).unwrap();
                out.push(if code == 0 {
                    '\u{FFFD}'
                } else {
                    char::from_u32(code).unwrap()
                });
                rest = &after[end + 1..];
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    #[test]
    fn markdown_round_trips_every_hostile_string() {
        for s in [
            "a|b",
            "`x`",
            " lead",
            "trail ",
            "\u{2028}\u{2029}\u{1b}[31m",
            "<script>&amp;",
            "[x](javascript:alert(1))",
            "\\|",
            "&#xA;",
        ] {
            let out = markdown(s);
            assert!(!out.contains('\n') && !out.chars().any(is_unsafe), "{out}");
            assert_eq!(unmarkdown(&out), s);
        }
        assert_eq!(unmarkdown(&markdown("a\0b")), "a\u{FFFD}b");
    }

    #[test]
    fn ini_comments_stay_on_one_line() {
        let out = ini_comment("x\r\n[default]\u{85}y\\u{a}");
        assert_eq!(out, r"x\u{d}\u{a}[default]\u{85}y\\u{a}");
    }

    #[test]
    fn ini_values_refuse_what_the_cli_would_read_differently() {
        for bad in ["a\nb", " a", "a ", "a]", "[a", "a\u{2028}"] {
            assert!(ini_value(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            ini_value("https://d-1234567890.awsapps.com/start"),
            Ok("https://d-1234567890.awsapps.com/start")
        );
    }

    /// What Terraform's template engine gives back for a literal: `$${` is `${`, `%%{` is
    /// `%{`, everything else as it is.
    fn unterraform(text: &str) -> String {
        text.replace("$${", "${").replace("%%{", "%{")
    }

    /// The text of an INI comment: [`ini_comment`] undone.
    fn uncomment(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("\\\\") {
                out.push('\\');
                rest = after;
            } else if let Some(after) = rest.strip_prefix("\\u{") {
                let end = after.find('}').unwrap();
                out.push(char::from_u32(u32::from_str_radix(&after[..end], 16).unwrap()).unwrap());
                rest = &after[end + 1..];
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    /// Strings made of the pieces hostile text is made of, and any character.
    fn hostile() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("\n[default]\ncredential_process = x".to_string()),
            Just("${".to_string()),
            Just("$${".to_string()),
            Just("%{".to_string()),
            Just("|".to_string()),
            Just("`".to_string()),
            Just("\\".to_string()),
            Just("'".to_string()),
            Just("&#xA;".to_string()),
            Just("\u{2028}\u{0}\u{1b}\u{85}".to_string()),
            Just(" ".to_string()),
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn every_format_reads_back_the_text(s in hostile()) {
            let md = markdown(&s);
            proptest::prop_assert!(!md.chars().any(is_unsafe));
            proptest::prop_assert_eq!(unmarkdown(&md), s.replace('\0', "\u{FFFD}"));
            let comment = ini_comment(&s);
            proptest::prop_assert!(!comment.chars().any(is_unsafe));
            proptest::prop_assert_eq!(uncomment(&comment), s.clone());
            proptest::prop_assert_eq!(unterraform(&terraform(&s)), s.clone());
            if let Ok(v) = ini_value(&s) {
                proptest::prop_assert!(!v.chars().any(|c| is_unsafe(c) || c == '[' || c == ']'));
            }
            if let Ok(word) = shell_word(&s) {
                proptest::prop_assert!(!word.chars().any(is_unsafe));
            }
        }
    }

    #[test]
    fn bash_reads_every_shell_word_back() {
        // Many words in one bash run: `printf '%s\0'` of each, compared byte for byte.
        let runner_words: Vec<String> = {
            use proptest::strategy::{Strategy, ValueTree};
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            (0..300)
                .map(|_| {
                    hostile()
                        .new_tree(&mut runner)
                        .unwrap()
                        .current()
                        .replace('\0', "")
                })
                .collect()
        };
        let script = format!(
            "printf '%s\\0' {}\n",
            runner_words
                .iter()
                .map(|w| shell_word(w).unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut expected = Vec::new();
        for w in &runner_words {
            expected.extend_from_slice(w.as_bytes());
            expected.push(0);
        }
        assert_eq!(out.stdout, expected);
    }

    #[test]
    fn shell_words_hold_controls_as_hex() {
        assert_eq!(shell_word("\u{1b}[0m").unwrap(), r"$'\x1b[0m'");
        assert_eq!(shell_word("\u{2028}").unwrap(), r"$'\xe2\x80\xa8'");
    }
}
