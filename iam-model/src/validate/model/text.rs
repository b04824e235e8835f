//! Free text: the characters AWS accepts in each free-text field of the model, by the
//! pattern of the API that receives the field (quoted from the API references below).
//! Text that AWS would refuse is an `invalid-characters` error at the field's path, so a
//! deployment never fails half-way on it. Where AWS accepts a character (a line feed in an
//! IAM role description or an Identity Center display name), the model accepts it too and
//! every emitter escapes it for its format (`iam_codegen::escape`).
//!
//! | field | AWS API and parameter | pattern |
//! |---|---|---|
//! | role description | IAM `CreateRole` `Description` | `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*` |
//! | permission set description | IAM Identity Center `CreatePermissionSet` `Description` | the same |
//! | permission set relay state | `CreatePermissionSet` `RelayState` | `[a-zA-Z0-9&$@#\\\/%?=~\-_'"\|!:,.;*+\[\]\ \(\)\{\}]+` |
//! | Identity Center user display, given and family name | Identity Store `CreateUser` `DisplayName`, `Name.GivenName`, `Name.FamilyName` | `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r  　]+` (space, U+00A0 and U+3000) |
//! | Identity Center group name and description | Identity Store `CreateGroup` `DisplayName`, `Description` | the same |
//! | tag keys and values | IAM, Organizations and IAM Identity Center `Tag` | `[\p{L}\p{Z}\p{N}_.:/=+\-@]*` (keys: 1 or more) |
//!
//! Not checked here because AWS accepts any character: IAM `CreatePolicy` `Description`
//! (no pattern), Organizations `CreatePolicy` `Description` and `CreateOrganizationalUnit`
//! `Name` (`[\s\S]*`). Emails and Identity Center user names have their own checks
//! (`invalid-email`, `invalid-name`).
use std::sync::LazyLock;

use regex::Regex;

use crate::json::pointer_token;
use crate::model::Model;
use crate::validate::Report;

use super::{at, tagged};

/// One AWS character rule.
struct Rule {
    /// What AWS calls the field, for the help text.
    api: &'static str,
    /// The pattern as the API reference writes it.
    pattern: &'static str,
    regex: &'static LazyLock<Regex>,
}

/// `^(?:PATTERN)$` for a constant pattern.
#[expect(
    clippy::expect_used,
    reason = "constant patterns; `every_rule_compiles` compiles each one"
)]
fn whole(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})$")).expect("a valid constant pattern")
}

const IAM_DESCRIPTION: &str = r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*";
const RELAY_STATE: &str = r#"[a-zA-Z0-9&$@#\\\/%?=~\-_'"|!:,.;*+\[\]\ \(\)\{\}]+"#;
const IDENTITY_STORE: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u00A0\u3000]+";
const TAG_KEY: &str = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+";
const TAG_VALUE: &str = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*";

static IAM_DESCRIPTION_RE: LazyLock<Regex> = LazyLock::new(|| whole(IAM_DESCRIPTION));
static RELAY_STATE_RE: LazyLock<Regex> = LazyLock::new(|| whole(RELAY_STATE));
static IDENTITY_STORE_RE: LazyLock<Regex> = LazyLock::new(|| whole(IDENTITY_STORE));
static TAG_KEY_RE: LazyLock<Regex> = LazyLock::new(|| whole(TAG_KEY));
static TAG_VALUE_RE: LazyLock<Regex> = LazyLock::new(|| whole(TAG_VALUE));

const ROLE_DESCRIPTION: Rule = Rule {
    api: "IAM `CreateRole` `Description`",
    pattern: IAM_DESCRIPTION,
    regex: &IAM_DESCRIPTION_RE,
};
const PERMISSION_SET_DESCRIPTION: Rule = Rule {
    api: "IAM Identity Center `CreatePermissionSet` `Description`",
    pattern: IAM_DESCRIPTION,
    regex: &IAM_DESCRIPTION_RE,
};
const PERMISSION_SET_RELAY_STATE: Rule = Rule {
    api: "IAM Identity Center `CreatePermissionSet` `RelayState`",
    pattern: RELAY_STATE,
    regex: &RELAY_STATE_RE,
};
const USER_TEXT: Rule = Rule {
    api: "Identity Store `CreateUser`",
    pattern: IDENTITY_STORE,
    regex: &IDENTITY_STORE_RE,
};
const GROUP_TEXT: Rule = Rule {
    api: "Identity Store `CreateGroup`",
    pattern: IDENTITY_STORE,
    regex: &IDENTITY_STORE_RE,
};
const TAG_KEY_RULE: Rule = Rule {
    api: "the `Tag` `Key` of IAM, Organizations and IAM Identity Center",
    pattern: TAG_KEY,
    regex: &TAG_KEY_RE,
};
const TAG_VALUE_RULE: Rule = Rule {
    api: "the `Tag` `Value` of IAM, Organizations and IAM Identity Center",
    pattern: TAG_VALUE,
    regex: &TAG_VALUE_RE,
};

/// A character for a message: printable ones as they are, others by code point.
fn shown(c: char) -> String {
    if c.is_control() || c.is_whitespace() || c == '`' || c == '\u{FEFF}' {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    }
}

/// Report `text` at `path` when it does not match `rule`. Empty text is left to the
/// length checks.
fn check(rule: &Rule, what: &str, text: &str, path: String, report: &mut Report) {
    if text.is_empty() || rule.regex.is_match(text) {
        return;
    }
    // The first character the pattern's character class refuses.
    let bad = text
        .chars()
        .find(|c| !rule.regex.is_match(c.encode_utf8(&mut [0; 4])))
        .map_or_else(|| "a character".to_string(), shown);
    report.error(
        "invalid-characters",
        path,
        format!("the {what} holds {bad}, which AWS does not accept there"),
        format!(
            "{} accepts only `{}`; remove control characters, line or paragraph separators and other characters outside the pattern",
            rule.api, rule.pattern
        ),
    );
}

pub(super) fn check_model(model: &Model, report: &mut Report) {
    for (name, account) in model.accounts() {
        let base = at("/accounts", name.as_str());
        for (role_name, role) in account.iam().roles() {
            if let Some(d) = role.description() {
                let path = format!(
                    "{}/description",
                    at(&format!("{base}/iam/roles"), role_name.as_str())
                );
                check(&ROLE_DESCRIPTION, "description", d, path, report);
            }
        }
    }
    if let Some(ic) = model.identity_center() {
        for (name, user) in ic.users() {
            let base = at("/identity_center/users", name);
            for (field, text) in [
                ("display_name", &user.display_name),
                ("given_name", &user.given_name),
                ("family_name", &user.family_name),
            ] {
                let what = field.replace('_', " ");
                check(&USER_TEXT, &what, text, format!("{base}/{field}"), report);
            }
        }
        for (name, group) in ic.groups() {
            let base = at("/identity_center/groups", name);
            check(&GROUP_TEXT, "group name", name, base.clone(), report);
            if let Some(d) = &group.description {
                check(
                    &GROUP_TEXT,
                    "description",
                    d,
                    format!("{base}/description"),
                    report,
                );
            }
        }
        for (name, set) in ic.permission_sets() {
            let base = at("/identity_center/permission_sets", name.as_str());
            if let Some(d) = set.description() {
                check(
                    &PERMISSION_SET_DESCRIPTION,
                    "description",
                    d,
                    format!("{base}/description"),
                    report,
                );
            }
            if let Some(r) = set.relay_state() {
                check(
                    &PERMISSION_SET_RELAY_STATE,
                    "relay state",
                    r,
                    format!("{base}/relay_state"),
                    report,
                );
            }
        }
    }
    for (path, tags) in tagged(model) {
        for (key, value) in tags {
            let at_tag = format!("{path}/{}", pointer_token(key));
            check(&TAG_KEY_RULE, "tag key", key, at_tag.clone(), report);
            check(&TAG_VALUE_RULE, "tag value", value, at_tag, report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_and_reads_as_aws_writes_it() {
        assert!(
            ROLE_DESCRIPTION
                .regex
                .is_match("Deploys\tfrom main\r\n(CI) é")
        );
        assert!(!ROLE_DESCRIPTION.regex.is_match("a\u{1b}[31m"));
        assert!(!ROLE_DESCRIPTION.regex.is_match("a\u{2028}"));
        assert!(!ROLE_DESCRIPTION.regex.is_match("日本"));
        assert!(
            PERMISSION_SET_RELAY_STATE
                .regex
                .is_match("https://console.aws.amazon.com/s3/home?region=us-east-1#${x}|[a]")
        );
        assert!(!PERMISSION_SET_RELAY_STATE.regex.is_match("a\nb"));
        assert!(!PERMISSION_SET_RELAY_STATE.regex.is_match("`id`"));
        assert!(USER_TEXT.regex.is_match("Zoë O'Brien-李\n\u{3000}"));
        assert!(!USER_TEXT.regex.is_match("a\u{0}"));
        assert!(!USER_TEXT.regex.is_match("a\u{1b}"));
        assert!(!USER_TEXT.regex.is_match("a\u{2028}"));
        assert!(!USER_TEXT.regex.is_match("a\u{85}"));
        assert!(TAG_VALUE_RULE.regex.is_match(""));
        assert!(TAG_VALUE_RULE.regex.is_match("a b\u{2028}"));
        assert!(!TAG_VALUE_RULE.regex.is_match("a\nb"));
        assert!(!TAG_VALUE_RULE.regex.is_match("${x}"));
        assert!(!TAG_KEY_RULE.regex.is_match(""));
    }
}
