//! Model text is data: a corpus of hostile strings (a line break followed by `[default]` and
//! `credential_process`, `]`, `#`, `;`, `|`, backticks, `$(...)`, `${…}`, `%{…}`, U+2028 and
//! U+2029, NUL, ESC, HTML, a very long string) in every free-text field of a model.
//!
//! - Validation refuses exactly what AWS refuses (`invalid-characters`, with the field's
//!   JSON pointer), and accepts what AWS accepts (a line break in a display name).
//! - A model that was never validated (read and emitted without `validate`) still gives
//!   artifacts where each string stays in its field, judged by real parsers: botocore's
//!   config loader and Python's configparser for the AWS CLI config, `bash -n`, shellcheck
//!   and bash itself (a fake `aws` records the arguments it gets) for the script, Terraform
//!   (`validate`, and `apply` of the escaped strings as outputs: Terraform's own template
//!   engine gives back the text), serde_json for CloudFormation, and a strict GFM table
//!   reader for `ACCESS.md`.
//! - `iam-codegen generate` of a valid model with the hostile strings AWS accepts writes
//!   artifacts that cfn-lint, Terraform, bash, shellcheck and botocore accept; a value a format
//!   cannot hold (NUL in a shell word) fails the run with exit 1 and writes nothing.
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use iam_codegen::emit::{EmitOptions, aws_cli, aws_config, cloudformation, docs, terraform};
use iam_codegen::escape;
use iam_model::model::Model;
use serde_json::{Value, json};

use crate::support::run_cli;
use crate::tools::{cfn_lint_all, terraform_ok, text, tool_path};

/// The injection that started it: a display name that adds a profile with a
/// `credential_process` to the user's AWS CLI config.
const INI_INJECTION: &str = "Bob Lee\n[default]\ncredential_process = sh -c 'touch /tmp/pwned'";

/// Every hostile piece in one string, except NUL.
fn all_but_nul() -> String {
    [
        INI_INJECTION,
        "]",
        "#",
        ";",
        " | x | y |",
        "`id`",
        "$(id)",
        "${jsonencode(1)}",
        "$${already}",
        "%{ if true }x%{ endif }",
        "\u{2028}",
        "\u{2029}",
        "\u{1b}[31mred\u{1b}[0m",
        "<img src=x onerror=alert(1)>",
        "\r\n",
        "\\",
        "'\"",
    ]
    .concat()
}

/// [`all_but_nul`] with NUL.
fn everything() -> String {
    format!("{}\u{0}end", all_but_nul())
}

/// A long string of hostile pieces: close to the 1,000 characters of an IAM role
/// description (which Terraform's provider checks).
fn long() -> String {
    all_but_nul().repeat(5)
}

fn trust() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
}

fn allow_all() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]})
}

/// A model with `text(field)` in every free-text field (names where the model's name types
/// allow any text: OUs and Identity Center users and groups).
fn hostile_model(
    text: impl Fn(&str) -> String,
    group: &str,
    unit: &str,
    policy_description: &str,
) -> Value {
    json!({
        "version": 1,
        "organization": {
            "management_account": "management",
            "units": {unit: {"tags": {"owner": text("ou tag")}}},
            "scps": {"Deny": {"description": text("scp"), "targets": ["root"],
                "tags": {"k": text("scp tag")},
                "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}}}
        },
        "accounts": {
            "management": {"id": "111111111111", "email": "aws@example.com", "environment": "management",
                "tags": {"cost": text("account tag")}},
            "workload": {"id": "222222222222", "email": "workload@example.com", "environment": "production",
                "unit": unit,
                "iam": {
                    "policies": {"reader": {"path": "/$(id)/${jsonencode(1)}/", "description": policy_description,
                        "document": allow_all(), "tags": {"k": text("policy tag")}}},
                    "groups": {"readers": {"customer_managed_policies": ["reader"]}},
                    "users": {"dev-bob": {"groups": ["readers"], "tags": {"k": text("user tag")}}},
                    "roles": {"app": {"description": text("role"), "trust_policy": trust(),
                        "tags": {text("role tag key"): text("role tag")}}}
                }}
        },
        "identity_center": {
            "instance_account": "management",
            "start_url": "https://d-1234567890.awsapps.com/start",
            "region": "eu-west-1",
            "users": {"bob": {"display_name": INI_INJECTION, "given_name": text("given"),
                "family_name": text("family"), "email": text("email"), "groups": [group]}},
            "groups": {group: {"description": text("group")}},
            "permission_sets": {"Dev": {"session_duration": "PT8H", "aws_managed_policies": ["ReadOnlyAccess"],
                "description": text("set"), "relay_state": text("relay"), "tags": {"k": text("set tag")}}},
            "assignments": [{"group": group, "permission_set": "Dev", "accounts": ["workload"]},
                {"user": "bob", "permission_set": "Dev", "accounts": ["management"]}]
        }
    })
}

fn model(value: &Value) -> Model {
    Model::from_json(&serde_json::to_string(value).unwrap()).unwrap()
}

fn utf8(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Validation

#[test]
fn validation_refuses_exactly_the_text_aws_refuses() {
    let everything = everything();
    let group = format!("Ops{everything}");
    let value = hostile_model(|_| everything.clone(), &group, "Workloads", "any text");
    let report = iam_model::validate::validate(&model(&value));
    let g = format!(
        "/identity_center/groups/{}",
        iam_model::json::pointer_token(&group)
    );
    let mut found: Vec<(&str, String)> = report
        .findings()
        .iter()
        .filter(|f| f.code == "invalid-characters")
        .map(|f| (f.code, f.path.clone()))
        .collect();
    found.sort();
    let tag_key = iam_model::json::pointer_token(&everything);
    let mut expected: Vec<(&str, String)> = [
        "/accounts/management/tags/cost".to_string(),
        "/accounts/workload/iam/policies/reader/tags/k".to_string(),
        "/accounts/workload/iam/roles/app/description".to_string(),
        format!("/accounts/workload/iam/roles/app/tags/{tag_key}"),
        format!("/accounts/workload/iam/roles/app/tags/{tag_key}"),
        "/accounts/workload/iam/users/dev-bob/tags/k".to_string(),
        g.clone(),
        format!("{g}/description"),
        "/identity_center/permission_sets/Dev/description".to_string(),
        "/identity_center/permission_sets/Dev/relay_state".to_string(),
        "/identity_center/permission_sets/Dev/tags/k".to_string(),
        "/identity_center/users/bob/family_name".to_string(),
        "/identity_center/users/bob/given_name".to_string(),
        "/organization/scps/Deny/tags/k".to_string(),
        "/organization/units/Workloads/tags/owner".to_string(),
    ]
    .into_iter()
    .map(|p| ("invalid-characters", p))
    .collect();
    expected.sort();
    pretty_assertions::assert_eq!(found, expected);
    // AWS accepts a line feed in a display name (Identity Store `CreateUser` `DisplayName`),
    // an SCP description of any text and a managed policy description without a pattern:
    // no finding there, the emitters escape them.
    for path in [
        "/identity_center/users/bob/display_name",
        "/organization/scps/Deny/description",
        "/accounts/workload/iam/policies/reader/description",
    ] {
        assert!(
            report.findings().iter().all(|f| f.path != path),
            "{path}: {:?}",
            report.findings()
        );
    }
    let finding = report
        .findings()
        .iter()
        .find(|f| f.path == "/identity_center/permission_sets/Dev/relay_state")
        .unwrap();
    assert_eq!(
        finding.message,
        "the relay state holds U+000A, which AWS does not accept there"
    );
    assert_eq!(
        finding.help,
        r#"IAM Identity Center `CreatePermissionSet` `RelayState` accepts only `[a-zA-Z0-9&$@#\\\/%?=~\-_'"|!:,.;*+\[\]\ \(\)\{\}]+`; remove control characters, line or paragraph separators and other characters outside the pattern"#
    );
}

// ---------------------------------------------------------------------------------------
// Artifacts of a model that was never validated

/// The bypass model: every field hostile, NUL included where no shell word holds it.
fn bypass() -> (Model, String) {
    let everything = everything();
    let group = format!("Ops | {}", all_but_nul());
    let value = hostile_model(
        |field| {
            if field == "role tag key" {
                format!("key{}", all_but_nul())
            } else if field == "role" {
                long()
            } else {
                everything.clone()
            }
        },
        &group,
        "Work ]#;|`$(id)`${jsonencode(1)}%{ if true }x%{ endif }",
        &all_but_nul(),
    );
    (model(&value), group)
}

/// botocore's config loader and configparser on each file: `{file: {"botocore": {section:
/// {key: value}}, "configparser": …}}`.
fn read_ini(dir: &Path, files: &[&str]) -> Value {
    let script = r#"
import sys, json, configparser
import botocore.configloader
out = {}
for name in sys.argv[2:]:
    path = sys.argv[1] + "/" + name
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    out[name] = {
        "botocore": botocore.configloader.raw_config_parse(path),
        "configparser": {s: dict(parser[s]) for s in parser.sections()},
    }
print(json.dumps(out, sort_keys=True))
"#;
    let out = Command::new(tool_path("python"))
        .arg("-c")
        .arg(script)
        .arg(dir)
        .args(files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The text an INI comment stands for: [`escape::ini_comment`] undone.
fn unescape_ini_comment(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
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

#[test]
fn the_aws_cli_config_keeps_every_string_in_its_comment() {
    let (model, _) = bypass();
    let files = aws_config::emit(&model, &EmitOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<&str> = files.iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["bob.config", "config"]);
    for (path, bytes) in files.iter() {
        std::fs::write(dir.path().join(path), bytes).unwrap();
    }
    let parsed = read_ini(dir.path(), &names);
    for name in &names {
        for parser in ["botocore", "configparser"] {
            let sections = parsed[name][parser].as_object().unwrap();
            let keys: Vec<&String> = sections.keys().collect();
            assert_eq!(
                keys,
                ["profile dev", "profile prod-dev", "sso-session sso"],
                "{name} by {parser}"
            );
            for (section, body) in sections {
                let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
                let expected: &[&str] = if section.starts_with("profile") {
                    &[
                        "output",
                        "region",
                        "sso_account_id",
                        "sso_role_name",
                        "sso_session",
                    ]
                } else {
                    &["sso_region", "sso_registration_scopes", "sso_start_url"]
                };
                assert_eq!(keys, expected, "{name} [{section}] by {parser}");
            }
        }
    }
    // The display name is in one comment line and reads back as it was.
    let user = utf8(files.get("bob.config").unwrap());
    let line = user
        .lines()
        .find_map(|l| l.strip_prefix("# Profiles of "))
        .unwrap();
    assert_eq!(
        unescape_ini_comment(line),
        format!("{INI_INJECTION} (bob).")
    );
    assert!(user.chars().all(|c| c == '\n' || !escape::is_unsafe(c)));
}

/// A GFM table row's cells, split on `|` that no backslash escapes (GFM: "include a pipe in a
/// cell's content by escaping it, including inside other inline spans"), the outer pipes
/// dropped.
fn cells(row: &str) -> Vec<String> {
    let inner = row
        .trim()
        .strip_prefix('|')
        .and_then(|r| r.strip_suffix('|'))
        .unwrap_or_else(|| panic!("a table row starts and ends with `|`: {row:?}"));
    let mut out = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next().unwrap();
                let cell = out.last_mut().unwrap();
                cell.push('\\');
                cell.push(next);
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The text of a cell as a CommonMark parser reads it: a code span's content (a `\|` in it
/// is a `|`, as GFM tables read it), else backslash escapes and numeric character
/// references undone (NUL becomes U+FFFD).
fn cell_text(cell: &str) -> String {
    if let Some(code) = cell.strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
        return code.replace("\\|", "|");
    }
    let mut out = String::new();
    let mut rest = cell;
    while let Some(c) = rest.chars().next() {
        if c == '\\'
            && let Some(n) = rest[1..].chars().next()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            rest = &rest[1 + n.len_utf8()..];
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
            assert!(
                !matches!(c, '`' | '|' | '<' | '>' | '*' | '_' | '[' | ']' | '&'),
                "unescaped `{c}` in cell {cell:?}"
            );
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Every table of a Markdown document: its rows' cells, header first (the delimiter row
/// left out); every row has the header's number of cells.
fn tables(doc: &str) -> Vec<Vec<Vec<String>>> {
    let mut out: Vec<Vec<Vec<String>>> = Vec::new();
    let mut current: Vec<Vec<String>> = Vec::new();
    for line in doc.lines().chain(std::iter::once("")) {
        if line.starts_with('|') {
            if line.starts_with("|---") {
                continue;
            }
            let row = cells(line);
            if let Some(header) = current.first() {
                assert_eq!(
                    row.len(),
                    header.len(),
                    "row {line:?} of a {}-column table",
                    header.len()
                );
            }
            current.push(row);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

#[test]
fn access_md_keeps_every_table_row_and_cell() {
    let (model, group) = bypass();
    let files = docs::emit(&model, &EmitOptions::default()).unwrap();
    let doc = utf8(files.get("ACCESS.md").unwrap());
    // No line holds a control character or a line separator; no HTML tag is open.
    assert!(doc.chars().all(|c| c == '\n' || !escape::is_unsafe(c)));
    assert!(
        doc.match_indices('<')
            .all(|(i, _)| doc[..i].ends_with('\\'))
    );
    let tables = tables(&doc);
    let everything = everything().replace('\0', "\u{FFFD}");
    let find = |header: &str| {
        tables
            .iter()
            .find(|t| t[0][0] == header)
            .unwrap_or_else(|| panic!("no table `{header}`"))
    };
    // Accounts: the OU and the email.
    let accounts = find("Environment");
    let workload = accounts.iter().find(|r| r[1] == "`workload`").unwrap();
    assert_eq!(
        cell_text(&workload[3]),
        "Work ]#;|`$(id)`${jsonencode(1)}%{ if true }x%{ endif }"
    );
    // The matrix: a column per group, named as it is.
    let matrix = tables
        .iter()
        .find(|t| t[0].len() == 4 && t[0][1] == "Account")
        .unwrap();
    assert_eq!(cell_text(&matrix[0][2]), group);
    // Users: display name and email as they are.
    let users = find("User");
    assert_eq!(users.len(), 2);
    assert_eq!(users[1][0], "`bob`");
    assert_eq!(cell_text(&users[1][1]), INI_INJECTION);
    assert_eq!(cell_text(&users[1][2]), everything);
    // The group's list item and heading keep the name and description on one line each.
    let item = doc.lines().find(|l| l.starts_with("- **Ops")).unwrap();
    let description = item
        .split(" — ")
        .nth(1)
        .unwrap()
        .split(". Members:")
        .next()
        .unwrap();
    assert_eq!(cell_text(description), everything);
}

#[test]
fn the_shell_script_passes_every_string_as_one_word() {
    let (model, _) = bypass();
    let files = aws_cli::emit(&model, &EmitOptions::default()).unwrap();
    let script = utf8(files.get("iam-users.sh").unwrap());
    assert!(script.chars().all(|c| c == '\n' || !escape::is_unsafe(c)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iam-users.sh");
    std::fs::write(&path, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(syntax.status.success(), "{}", text(&syntax.stderr));
    let lint = Command::new("shellcheck")
        .arg("--severity=style")
        .arg(&path)
        .output()
        .expect("shellcheck is not installed: run scripts/setup-shellcheck.sh");
    assert!(lint.status.success(), "{}", text(&lint.stdout));
    // A fake `aws` records each call's arguments, each ended by NUL, and a call by `END`.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let aws = bin.join("aws");
    std::fs::write(
        &aws,
        "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" END >> \"$CALLS\"\n\
         case \"$1 $2\" in\n  'sts get-caller-identity') echo 222222222222 ;;\n  \
         'iam get-'*) echo 'An error occurred (NoSuchEntity)' >&2; exit 254 ;;\nesac\n",
    )
    .unwrap();
    let mut perms = std::fs::metadata(&aws).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&aws, perms).unwrap();
    let calls = dir.path().join("calls");
    let out = Command::new("bash")
        .arg(&path)
        .args(["--profile", "p", "--account", "workload"])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("CALLS", &calls)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let log = std::fs::read(&calls).unwrap();
    let words: Vec<String> = log
        .strip_suffix(b"\0")
        .unwrap()
        .split(|b| *b == 0)
        .map(utf8)
        .collect();
    let create_policy: Vec<String> = words
        .split(|w| w == "END")
        .find(|call| call.get(1).map(String::as_str) == Some("create-policy"))
        .unwrap()
        .to_vec();
    let arg = |flag: &str| {
        let i = create_policy.iter().position(|w| w == flag).unwrap();
        create_policy[i + 1].clone()
    };
    assert_eq!(arg("--description"), all_but_nul());
    // `--dry-run` prints the commands with no control character for the terminal, and bash
    // reads the printed command back as the same words.
    let dry = Command::new("bash")
        .arg(&path)
        .args(["--profile", "p", "--account", "workload", "--dry-run"])
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let printed = utf8(&dry.stdout);
    assert!(
        printed.chars().all(|c| c == '\n' || !c.is_control()),
        "{printed}"
    );
    let line = printed
        .lines()
        .find(|l| l.starts_with("aws iam create-policy "))
        .unwrap();
    let reread = Command::new("bash")
        .arg("-c")
        .arg(format!("set -- {line}; printf '%s\\0' \"$@\""))
        .output()
        .unwrap();
    let reread: Vec<String> = reread
        .stdout
        .strip_suffix(b"\0")
        .unwrap()
        .split(|b| *b == 0)
        .map(utf8)
        .collect();
    // (the fake `aws` got `--profile p` too)
    let mut expected = create_policy.clone();
    expected.insert(0, "aws".to_string());
    assert_eq!(reread, expected);
    assert_eq!(arg("--path"), "/$(id)/${jsonencode(1)}/");
    assert_eq!(arg("--policy-name"), "reader");
}

#[test]
fn a_shell_word_cannot_hold_nul_so_the_script_is_refused() {
    let value = hostile_model(|_| "x".to_string(), "Ops", "Workloads", "a\u{0}b");
    let err = aws_cli::emit(&model(&value), &EmitOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "cannot write a value of the model");
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        r"`a\u{0}b` cannot be a shell word: a shell word cannot hold NUL (U+0000)"
    );
}

/// Every `${`/`%{` of a Terraform string that is not escaped (`$${`, `%%{`): what
/// Terraform would interpolate.
fn interpolations(s: &str) -> Vec<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let (a, b) = (bytes[i], bytes[i + 1]);
        if (a == b'$' || a == b'%') && b == a && bytes.get(i + 2) == Some(&b'{') {
            i += 3;
        } else if (a == b'$' || a == b'%') && b == b'{' {
            let end = s[i..].find('}').map_or(s.len(), |e| i + e + 1);
            out.push(s[i..end].to_string());
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k);
            strings(v, out);
        }),
        _ => {}
    }
}

#[test]
fn terraform_reads_every_string_back_as_it_was() {
    let (model, group) = bypass();
    let files = terraform::emit(&model, &EmitOptions::default()).unwrap();
    let modules: BTreeMap<&str, Value> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".tf.json"))
        .map(|(p, b)| (p, serde_json::from_slice(b).unwrap()))
        .collect();
    assert_eq!(
        modules.keys().collect::<Vec<_>>(),
        [
            &"management/identity-center/main.tf.json",
            &"management/identity-store/main.tf.json",
            &"management/organizations/main.tf.json",
            &"workload/main.tf.json"
        ]
    );
    let mut all = Vec::new();
    for module in modules.values() {
        strings(module, &mut all);
    }
    // What Terraform interpolates is only what the emitter means: its own references.
    for s in &all {
        for i in interpolations(s) {
            assert!(
                [
                    "${var.",
                    "${data.",
                    "${local.",
                    "${each.",
                    "${aws_",
                    "${tolist(",
                    "${file(var."
                ]
                .iter()
                .any(|p| i.starts_with(p)),
                "`{i}` would be interpolated, in {s:?}"
            );
        }
    }
    // Each hostile string is in the modules escaped; Terraform's template engine gives the
    // text back: the escaped strings as outputs of a module, applied.
    let originals = [everything(), long(), INI_INJECTION.to_string(), group];
    let mut outputs = serde_json::Map::new();
    for (i, original) in originals.iter().enumerate() {
        let escaped = escape::terraform(original);
        assert!(
            all.contains(&escaped.as_str()),
            "not in the modules: {original:?}"
        );
        outputs.insert(format!("o{i}"), json!({"value": escaped}));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf.json"),
        serde_json::to_string_pretty(&json!({"output": outputs})).unwrap(),
    )
    .unwrap();
    terraform_ok(dir.path(), &["init", "-input=false", "-no-color"]);
    terraform_ok(
        dir.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    let read: Value =
        serde_json::from_str(&terraform_ok(dir.path(), &["output", "-json"])).unwrap();
    for (i, original) in originals.iter().enumerate() {
        assert_eq!(read[format!("o{i}")]["value"], json!(original), "o{i}");
    }
    // And `terraform validate` accepts every module (the provider-3.39.0 copy of each).
    for module in modules.values() {
        crate::terraform::validate_with_mirror(module);
    }
}

#[test]
fn cloudformation_keeps_every_string() {
    let (model, group) = bypass();
    let files = cloudformation::emit(&model, &EmitOptions::default()).unwrap();
    let resource = |template: &str, ty: &str| {
        let t: Value = serde_json::from_slice(files.get(template).unwrap()).unwrap();
        t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .find(|r| r["Type"] == ty)
            .unwrap()["Properties"]
            .clone()
    };
    let role = resource("workload.json", "AWS::IAM::Role");
    assert_eq!(role["Description"], json!(long()));
    let policy = resource("workload.json", "AWS::IAM::ManagedPolicy");
    assert_eq!(policy["Description"], json!(all_but_nul()));
    assert_eq!(policy["Path"], json!("/$(id)/${jsonencode(1)}/"));
    let set = resource("management.json", "AWS::SSO::PermissionSet");
    assert_eq!(set["RelayStateType"], json!(everything()));
    let ops = resource("management.json", "AWS::IdentityStore::Group");
    assert_eq!(ops["DisplayName"], json!(group));
}

// ---------------------------------------------------------------------------------------
// The command line, on a valid model with the hostile strings AWS accepts

/// Only what AWS accepts: a line break and `[default]` in a display name, any text in an
/// SCP or managed policy description, `${…}`, `|`, `#`, `;` and brackets in a relay state,
/// `${…}`, `%{…}`, backticks and `$(...)` in role and permission set descriptions.
fn accepted() -> Value {
    let description =
        "Deploys `app` | $(id) ${jsonencode(1)} %{ if true }x%{ endif } # ; ] [x]\nsecond line";
    let mut value = hostile_model(
        |field| match field {
            "relay" => "https://console.aws.amazon.com/${x}|#;[a]".to_string(),
            "scp" => everything(),
            "given" | "family" => "O'Brien-李".to_string(),
            "email" => "bob@example.com".to_string(),
            "role tag key" => "team".to_string(),
            f if f.contains("tag") => "a b=c+d@e:f/g".to_string(),
            _ => description.to_string(),
        },
        "Ops | `x` ${y} <b>",
        "Work ]#;|`$(id)`${jsonencode(1)}%{ if true }x%{ endif }",
        &all_but_nul(),
    );
    value["identity_center"]["users"]["bob"]["display_name"] = json!(INI_INJECTION);
    // The `AWS::IAM::ManagedPolicy` `Path` of CloudFormation is stricter than IAM's API.
    value["accounts"]["workload"]["iam"]["policies"]["reader"]["path"] = json!("/team/");
    value
}

#[test]
fn generate_writes_artifacts_real_tools_accept() {
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("model.json");
    std::fs::write(
        &model_path,
        serde_json::to_string_pretty(&accepted()).unwrap(),
    )
    .unwrap();
    let (code, _, err) = run_cli(&["validate", model_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("out");
    let (code, _, err) = run_cli(&[
        "generate",
        model_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // cfn-lint: no error, warning or informational match.
    let templates: Vec<std::path::PathBuf> = ["management.json", "workload.json"]
        .iter()
        .map(|t| out.join("cloudformation").join(t))
        .collect();
    let (lint, report) = cfn_lint_all(&templates.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert_eq!(lint, 0, "{report}");
    // Terraform validates every module.
    for dir in [
        "management/identity-center",
        "management/identity-store",
        "management/organizations",
        "workload",
    ] {
        let module: Value = serde_json::from_slice(
            &std::fs::read(out.join("terraform").join(dir).join("main.tf.json")).unwrap(),
        )
        .unwrap();
        crate::terraform::validate_with_mirror(&module);
    }
    // The script parses and shellcheck finds nothing.
    let script = out.join("aws-cli/iam-users.sh");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{}", text(&syntax.stderr));
    let lint = Command::new("shellcheck")
        .arg("--severity=style")
        .arg(&script)
        .output()
        .expect("shellcheck is not installed: run scripts/setup-shellcheck.sh");
    assert!(lint.status.success(), "{}", text(&lint.stdout));
    // botocore reads the configs with their three sections each and nothing else.
    let parsed = read_ini(&out.join("aws-config"), &["bob.config", "config"]);
    for name in ["bob.config", "config"] {
        let sections: Vec<&String> = parsed[name]["botocore"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            sections,
            ["profile dev", "profile prod-dev", "sso-session sso"]
        );
    }
    // ACCESS.md: every table keeps its columns; the display name is one cell.
    let doc = std::fs::read_to_string(out.join("docs/ACCESS.md")).unwrap();
    let users = tables(&doc)
        .into_iter()
        .find(|t| t[0][0] == "User")
        .unwrap();
    assert_eq!(cell_text(&users[1][1]), INI_INJECTION);
}

#[test]
fn generate_refuses_a_value_its_format_cannot_hold_and_writes_nothing() {
    // IAM `CreatePolicy` `Description` has no pattern, so validation lets NUL through; a
    // shell word cannot hold it.
    let value = hostile_model(
        |field| {
            if field == "email" {
                "bob@example.com"
            } else {
                "x"
            }
            .to_string()
        },
        "Ops",
        "Workloads",
        "a\u{0}b",
    );
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("model.json");
    std::fs::write(&model_path, serde_json::to_string(&value).unwrap()).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, err) = run_cli(&[
        "generate",
        model_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{err}");
    assert!(
        err.ends_with(
            "error: cannot write a value of the model: `a\\u{0}b` cannot be a shell word: a shell word cannot hold NUL (U+0000)\n"
        ),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_custom_template_that_puts_a_line_break_in_an_ini_value_fails_the_run() {
    // Custom templates write model values through the helpers; `ini` refuses what INI cannot
    // hold instead of writing a second line.
    let dir = tempfile::tempdir().unwrap();
    let model_path = dir.path().join("model.json");
    std::fs::write(
        &model_path,
        serde_json::to_string_pretty(&accepted()).unwrap(),
    )
    .unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(templates.join("aws-config")).unwrap();
    let embedded = include_str!("../../templates/aws-config/config.hbs");
    std::fs::write(
        templates.join("aws-config/config.hbs"),
        embedded.replace(
            "{{ini_comment user.display_name}}",
            "\nuser_name = {{ini user.display_name}}\n#",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, stdout, err) = run_cli(&[
        "generate",
        model_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{err}");
    assert!(
        err.starts_with("error: template `aws-config/config.hbs` failed to render: "),
        "{err}"
    );
    assert!(
        err.contains(r"cannot be an INI value: U+000A would end the line"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn validate_prints_model_text_without_control_characters() {
    let fixture = crate::support::root().join("tests/models/invalid/invalid-characters.json");
    let file = fixture.to_str().unwrap();
    let (code, out, _) = run_cli(&["validate", file]);
    assert_eq!(code, 3);
    assert!(
        out.chars().all(|c| c == '\n' || !escape::is_unsafe(c)),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{file}:/identity_center/groups/Ops\\u{{2029}}: error invalid-characters: the group name holds U+2029, which AWS does not accept there\n"
        )),
        "{out}"
    );
}
