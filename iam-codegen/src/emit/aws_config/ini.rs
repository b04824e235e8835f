//! The AWS CLI config file read the way botocore reads it, enough to merge into it safely.
//!
//! botocore (`botocore.configloader.raw_config_parse`, 1.43.11) reads the file with Python's
//! `configparser.RawConfigParser()` in its defaults (Python 3.11 `configparser._read`):
//!
//! - a line whose stripped text starts with `#` or `;` is a comment, wherever it is;
//! - blank lines are skipped (and kept inside multi-line values);
//! - a line indented deeper than the option line before it continues that option's value,
//!   even when it looks like a section header;
//! - otherwise a stripped line matching `\[(.+)\]` (greedy: up to the last `]`) starts a
//!   section; the same header twice is an error (`DuplicateSectionError`, strict mode);
//! - any other line is `name = value` or `name: value` (the first `=` or `:`); a line with
//!   no delimiter or an empty name is an error, and so is an option before any section or
//!   one given twice in a section (`DuplicateOptionError`).
//!
//! Then `build_profile_map` files a section under its kind: `default`, and headers starting
//! with `profile`, `sso-session` or `services` whose `shlex.split` has exactly two words
//! (`[profile dev]`, `[profile "dev"]` and `[profile  dev]` are all the profile `dev`; a
//! later one silently wins over an earlier one).
use std::collections::BTreeSet;

/// What a section stands for in botocore's profile map.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Identity {
    /// `[default]` or `[profile NAME]`: the profile `NAME` (`default` for the former).
    Profile(String),
    /// `[sso-session NAME]`.
    SsoSession(String),
    /// `[services NAME]`.
    Services(String),
    /// Any other header, by its text.
    Other(String),
}

/// One section header of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    /// The header text between the brackets.
    pub header: String,
    /// What botocore files it under.
    pub identity: Identity,
    /// Its line, from 1.
    pub line: usize,
    /// Byte range of the section: from its header line to the end of its last option or
    /// continuation line (trailing blank and comment lines are not part of it).
    pub start: usize,
    /// See `start`.
    pub end: usize,
}

/// Why the file is not one the AWS CLI reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// `shlex.split` in POSIX mode, for section headers: words split on whitespace, with `'…'`
/// and `"…"` quoting and `\` escapes; `None` when a quote is not closed (botocore then
/// ignores the section).
fn shlex_split(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`' | '\n') => word.push(c),
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next()?);
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

/// What botocore files a header under.
pub(crate) fn identity(header: &str) -> Identity {
    if header == "default" {
        return Identity::Profile("default".to_string());
    }
    type Make = fn(String) -> Identity;
    let kinds: [(&str, Make); 3] = [
        ("profile", Identity::Profile),
        ("sso-session", Identity::SsoSession),
        ("services", Identity::Services),
    ];
    for (prefix, make) in kinds {
        if header.starts_with(prefix) {
            return match shlex_split(header) {
                Some(words) if words.len() == 2 => {
                    make(words.into_iter().nth(1).unwrap_or_default())
                }
                _ => Identity::Other(header.to_string()),
            };
        }
    }
    Identity::Other(header.to_string())
}

/// Python's `str.strip()` for the characters a config file holds.
fn strip(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace())
}

/// The sections of a config file, read as botocore reads it; the first problem botocore
/// would refuse the file for is an error.
pub(crate) fn sections(text: &str) -> Result<Vec<Section>, SyntaxError> {
    let mut sections: Vec<Section> = Vec::new();
    let mut headers: BTreeSet<&str> = BTreeSet::new();
    let mut options: BTreeSet<String> = BTreeSet::new();
    let mut in_section = false;
    let mut has_option = false;
    let mut indent_level = usize::MAX;
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        let line_start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let value = strip(line);
        if value.starts_with('#') || value.starts_with(';') || value.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(char::is_whitespace).len();
        if in_section && has_option && indent > indent_level {
            // A continuation line of the option before.
            if let Some(last) = sections.last_mut() {
                last.end = offset;
            }
            continue;
        }
        indent_level = indent;
        if let Some(inner) = value.strip_prefix('[')
            && let Some(close) = inner.rfind(']')
            && close > 0
        {
            let header = inner.get(..close).unwrap_or_default();
            if !headers.insert(header) {
                return Err(SyntaxError {
                    line: line_no,
                    reason: format!("the section `[{header}]` is defined twice"),
                });
            }
            sections.push(Section {
                header: header.to_string(),
                identity: identity(header),
                line: line_no,
                start: line_start,
                end: offset,
            });
            options.clear();
            in_section = true;
            has_option = false;
            continue;
        }
        if !in_section {
            return Err(SyntaxError {
                line: line_no,
                reason: "a setting before the first `[section]` header".to_string(),
            });
        }
        let Some(at) = value.find(['=', ':']) else {
            return Err(SyntaxError {
                line: line_no,
                reason: "expected `name = value`, a `[section]` header or a comment".to_string(),
            });
        };
        let name = value
            .get(..at)
            .unwrap_or_default()
            .trim_end()
            .to_lowercase();
        if name.is_empty() {
            return Err(SyntaxError {
                line: line_no,
                reason: "a setting without a name".to_string(),
            });
        }
        if !options.insert(name.clone()) {
            let header = sections
                .last()
                .map(|s| s.header.as_str())
                .unwrap_or_default();
            return Err(SyntaxError {
                line: line_no,
                reason: format!("the setting `{name}` is given twice in `[{header}]`"),
            });
        }
        has_option = true;
        if let Some(last) = sections.last_mut() {
            last.end = offset;
        }
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn ids(text: &str) -> Vec<(usize, Identity)> {
        sections(text)
            .unwrap()
            .into_iter()
            .map(|s| (s.line, s.identity))
            .collect()
    }

    #[test]
    fn sections_are_filed_as_botocore_files_them() {
        let text = "# c\n[default]\nregion = eu-west-1\n; c\n[profile  dev]\nx = 1\n[profile \"qa env\"]\n[sso-session sso]\n[services s3]\n[preview]\n[profile]\n[profile a b]\n";
        assert_eq!(
            ids(text),
            [
                (2, Identity::Profile("default".into())),
                (5, Identity::Profile("dev".into())),
                (7, Identity::Profile("qa env".into())),
                (8, Identity::SsoSession("sso".into())),
                (9, Identity::Services("s3".into())),
                (10, Identity::Other("preview".into())),
                (11, Identity::Other("profile".into())),
                (12, Identity::Other("profile a b".into())),
            ]
        );
    }

    #[test]
    fn an_indented_line_continues_the_value_before_it() {
        let text =
            "[profile a]\ns3 =\n  [profile b]\n  addressing_style = path\r\n\r\n[profile c]\r\n";
        let found = sections(text).unwrap();
        assert_eq!(found.iter().map(|s| s.line).collect::<Vec<_>>(), [1, 6]);
        assert_eq!(
            found.first().map(|s| &text[s.start..s.end]),
            Some("[profile a]\ns3 =\n  [profile b]\n  addressing_style = path\r\n")
        );
    }

    #[test]
    fn what_botocore_refuses_is_an_error_with_its_line() {
        let cases = [
            ("[a]\n[a]\n", 2, "the section `[a]` is defined twice"),
            (
                "x = 1\n",
                1,
                "a setting before the first `[section]` header",
            ),
            (
                "[a]\njunk\n",
                2,
                "expected `name = value`, a `[section]` header or a comment",
            ),
            ("[a]\n = 1\n", 2, "a setting without a name"),
            (
                "[a]\nX = 1\nx: 2\n",
                3,
                "the setting `x` is given twice in `[a]`",
            ),
        ];
        for (text, line, reason) in cases {
            assert_eq!(
                sections(text),
                Err(SyntaxError {
                    line,
                    reason: reason.to_string()
                }),
                "{text:?}"
            );
        }
    }
}
