//! The `aws-cli` target: for the IAM-user fallback (seed "Method B"), the shell script of
//! `aws iam …` commands the seeds run by hand: customer managed policies, groups with their
//! policies, users with their groups, and the account password policy.
//!
//! `aws-cli/iam-users.sh` is written only when some account has IAM users or groups; an
//! Identity Center-only model gives no file. The script:
//! - refuses to run without `--profile` (no fallback to the default profile; `AWS_PROFILE`
//!   alone is not enough) and passes it to every command;
//! - checks with `aws sts get-caller-identity` that the profile is for the expected account;
//! - creates a group, user or policy only when `get-group`/`get-user`/`get-policy` says
//!   `NoSuchEntity` (attachments and inline policies are idempotent in IAM itself);
//! - creates no access keys and no passwords: it prints what the administrator must do by hand;
//! - with `--dry-run`, prints the commands instead of running them (no AWS call at all).
//!
//! Every word of a command is written by [`shell_word`]: a model value (a description, a
//! path, a policy document) is always one word, never expanded; a value a shell word cannot
//! hold (NUL) fails the target. In the template's context, a step's `command` and `check`
//! are already shell words; every other value is written with `{{sh x}}`.
//!
//! ```
//! use iam_codegen::emit::{aws_cli, EmitOptions};
//! let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
//! let files = aws_cli::emit(&model, &EmitOptions::default())?;
//! let script = String::from_utf8(files.get("iam-users.sh").unwrap_or_default().to_vec())?;
//! assert!(script.starts_with("#!/usr/bin/env bash\n"));
//! assert!(script.contains("run iam add-user-to-group --user-name dev-john --group-name Developers\n"));
//! assert!(!script.contains("run iam create-access-key") && !script.contains("run iam create-login-profile"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use iam_model::model::iam::{ManagedPolicyRef, Permissions};
use iam_model::model::{Account, Model, PasswordPolicy};
use serde_json::{Value, json};

use crate::emit::{Artifacts, EmitError, EmitOptions};

const TEMPLATE: &str = "aws-cli/iam-users.sh.hbs";

/// A word for the shell: [`crate::escape::shell_word`]. The script's `quote` function
/// writes plain and single-quoted words the same way, so `--dry-run` prints commands as
/// written here; a word with control characters it writes as bash's `printf %q` does, so
/// none reaches the terminal.
pub use crate::escape::shell_word;

fn command(words: &[&str]) -> Result<String, EmitError> {
    Ok(words
        .iter()
        .map(|w| shell_word(w))
        .collect::<Result<Vec<_>, _>>()?
        .join(" "))
}

fn step(comment: Option<String>, check: Option<String>, run: String) -> Value {
    json!({"comment": comment, "check": check, "command": run})
}

fn aws_policy_arn(name: &str) -> String {
    // The ARN carries the policy's path (`job-function/Billing`); the catalogue knows it.
    iam_catalog::AwsManagedPolicy::from_name(name).map_or_else(
        || format!("arn:aws:iam::aws:policy/{name}"),
        |p| p.arn().to_string(),
    )
}

fn customer_policy_arn(account: &Account, name: &str) -> String {
    let path = account
        .iam()
        .policies()
        .get(name)
        .map_or("/", |p| p.path().as_str());
    format!("arn:aws:iam::{}:policy{path}{name}", account.id())
}

fn policy_ref_arn(account: &Account, policy: &ManagedPolicyRef) -> String {
    match policy {
        ManagedPolicyRef::Aws(name) => aws_policy_arn(name),
        ManagedPolicyRef::Customer(name) => customer_policy_arn(account, name.as_str()),
    }
}

/// Attach and inline-policy steps for a group (`group`) or user (`user`).
fn permission_steps(
    account: &Account,
    kind: &str,
    name: &str,
    permissions: &Permissions,
    steps: &mut Vec<Value>,
) -> Result<(), EmitError> {
    let flag = format!("--{kind}-name");
    for policy in permissions.aws_managed_policies() {
        let arn = aws_policy_arn(policy);
        let verb = format!("attach-{kind}-policy");
        steps.push(step(
            None,
            None,
            command(&["iam", &verb, &flag, name, "--policy-arn", &arn])?,
        ));
    }
    for policy in permissions.customer_managed_policies() {
        let arn = customer_policy_arn(account, policy.as_str());
        let verb = format!("attach-{kind}-policy");
        steps.push(step(
            None,
            None,
            command(&["iam", &verb, &flag, name, "--policy-arn", &arn])?,
        ));
    }
    for (policy_name, policy) in permissions.inline_policies() {
        let document = policy.clone().canonical().to_json_compact();
        let verb = format!("put-{kind}-policy");
        steps.push(step(
            None,
            None,
            command(&[
                "iam",
                &verb,
                &flag,
                name,
                "--policy-name",
                policy_name.as_str(),
                "--policy-document",
                &document,
            ])?,
        ));
    }
    Ok(())
}

fn password_policy_command(policy: &PasswordPolicy) -> Result<String, EmitError> {
    let mut words: Vec<String> = vec!["iam".into(), "update-account-password-policy".into()];
    if let Some(n) = policy.minimum_password_length {
        words.extend(["--minimum-password-length".into(), n.to_string()]);
    }
    let flag = |on: bool, name: &str| {
        if on {
            format!("--{name}")
        } else {
            format!("--no-{name}")
        }
    };
    words.push(flag(policy.require_symbols, "require-symbols"));
    words.push(flag(policy.require_numbers, "require-numbers"));
    words.push(flag(
        policy.require_uppercase_characters,
        "require-uppercase-characters",
    ));
    words.push(flag(
        policy.require_lowercase_characters,
        "require-lowercase-characters",
    ));
    words.push(flag(
        policy.allow_users_to_change_password,
        "allow-users-to-change-password",
    ));
    if let Some(n) = policy.max_password_age {
        words.extend(["--max-password-age".into(), n.to_string()]);
    }
    if let Some(n) = policy.password_reuse_prevention {
        words.extend(["--password-reuse-prevention".into(), n.to_string()]);
    }
    words.push(flag(policy.hard_expiry, "hard-expiry"));
    command(&words.iter().map(String::as_str).collect::<Vec<_>>())
}

fn account_context(index: usize, name: &str, account: &Account) -> Result<Value, EmitError> {
    let iam = account.iam();
    let mut steps = Vec::new();

    // Customer managed policies that groups and users use, before they are attached.
    let mut used: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for group in iam.groups().values() {
        used.extend(
            group
                .permissions()
                .customer_managed_policies()
                .iter()
                .map(|p| p.as_str()),
        );
    }
    for user in iam.users().values() {
        used.extend(
            user.permissions()
                .customer_managed_policies()
                .iter()
                .map(|p| p.as_str()),
        );
        if let Some(ManagedPolicyRef::Customer(p)) = user.permissions_boundary() {
            used.insert(p.as_str());
        }
    }
    for policy_name in used {
        let Some(policy) = iam.policies().get(policy_name) else {
            continue;
        };
        let arn = customer_policy_arn(account, policy_name);
        let document = policy.document().clone().canonical().to_json_compact();
        let mut words = vec![
            "iam",
            "create-policy",
            "--policy-name",
            policy_name,
            "--path",
        ];
        words.push(policy.path().as_str());
        if let Some(description) = policy.description() {
            words.extend(["--description", description]);
        }
        words.extend(["--policy-document", &document]);
        steps.push(step(
            Some(format!(
                "Customer managed policy {policy_name} (an existing one is left as it is; change it with create-policy-version)"
            )),
            Some(command(&["iam", "get-policy", "--policy-arn", &arn])?),
            command(&words)?,
        ));
    }

    for (group_name, group) in iam.groups() {
        let path = group.permissions().path().as_str();
        steps.push(step(
            Some(format!("Group {group_name}")),
            Some(command(&[
                "iam",
                "get-group",
                "--group-name",
                group_name.as_str(),
            ])?),
            command(&[
                "iam",
                "create-group",
                "--group-name",
                group_name.as_str(),
                "--path",
                path,
            ])?,
        ));
        permission_steps(
            account,
            "group",
            group_name.as_str(),
            group.permissions(),
            &mut steps,
        )?;
    }

    let mut manual = Vec::new();
    for (user_name, user) in iam.users() {
        let user_name = user_name.as_str();
        let path = user.permissions().path().as_str();
        steps.push(step(
            Some(format!("User {user_name}")),
            Some(command(&["iam", "get-user", "--user-name", user_name])?),
            command(&[
                "iam",
                "create-user",
                "--user-name",
                user_name,
                "--path",
                path,
            ])?,
        ));
        for group in user.groups() {
            steps.push(step(
                None,
                None,
                command(&[
                    "iam",
                    "add-user-to-group",
                    "--user-name",
                    user_name,
                    "--group-name",
                    group.as_str(),
                ])?,
            ));
        }
        if let Some(boundary) = user.permissions_boundary() {
            let arn = policy_ref_arn(account, boundary);
            steps.push(step(
                None,
                None,
                command(&[
                    "iam",
                    "put-user-permissions-boundary",
                    "--user-name",
                    user_name,
                    "--permissions-boundary",
                    &arn,
                ])?,
            ));
        }
        permission_steps(account, "user", user_name, user.permissions(), &mut steps)?;
        manual.push(json!({
            "user": user_name,
            "console": user.console_access(),
            "programmatic": user.programmatic_access(),
        }));
    }

    if let Some(policy) = iam.account_password_policy() {
        steps.push(step(
            Some("Account password policy".to_string()),
            None,
            password_policy_command(policy)?,
        ));
    }

    Ok(json!({
        "index": index,
        "name": name,
        "id": account.id().to_string(),
        "steps": steps,
        "manual": manual,
        "password_policy": iam.account_password_policy().is_some(),
    }))
}

/// The files of this target, relative to its directory: `iam-users.sh` when some account has
/// IAM users or groups, nothing otherwise.
pub fn emit(model: &Model, options: &EmitOptions) -> Result<Artifacts, EmitError> {
    let mut files = Artifacts::new();
    let accounts: Vec<Value> = model
        .accounts()
        .iter()
        .filter(|(_, a)| !a.iam().users().is_empty() || !a.iam().groups().is_empty())
        .enumerate()
        .map(|(i, (name, account))| account_context(i + 1, name.as_str(), account))
        .collect::<Result<_, _>>()?;
    if accounts.is_empty() {
        return Ok(files);
    }
    let names: Vec<String> = accounts
        .iter()
        .filter_map(|a| a.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let context = json!({
        "accounts": accounts,
        "account_names": names.join(", "),
        "single": if names.len() == 1 { names.first() } else { None },
    });
    let script = options.templates.render(TEMPLATE, context)?;
    files.insert("iam-users.sh", script)?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::process::Command;

    fn model(text: &str) -> Model {
        Model::from_json(text).unwrap()
    }

    const SMALL: &str = r#"{"version": 1, "organization": {"management_account": "main"},
        "accounts": {"main": {"id": "123456789012", "email": "m@example.com", "environment": "management",
          "iam": {
            "policies": {"S3Dev": {"document": {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-development-bucket"}]}}},
            "groups": {
              "Admins": {"aws_managed_policies": ["AdministratorAccess"]},
              "Developers": {"aws_managed_policies": ["PowerUserAccess"], "customer_managed_policies": ["S3Dev"],
                "inline_policies": {"Logs": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "logs:Get*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "it's"}}}]}}}},
            "users": {
              "admin-john": {"groups": ["Admins"], "console_access": true},
              "dev-john": {"groups": ["Developers"], "programmatic_access": true}},
            "password_policy": {"minimum_password_length": 14, "require_symbols": true, "require_numbers": true,
              "require_uppercase_characters": true, "require_lowercase_characters": true,
              "allow_users_to_change_password": true, "max_password_age": 90, "password_reuse_prevention": 24}}}}}"#;

    fn script(text: &str) -> String {
        let files = emit(&model(text), &EmitOptions::default()).unwrap();
        String::from_utf8(files.get("iam-users.sh").unwrap().to_vec()).unwrap()
    }

    fn run_script(script: &str, args: &[&str]) -> (i32, String, String) {
        run_with_aws(
            script,
            args,
            "#!/bin/sh\necho 'aws must not run' >&2\nexit 99\n",
        )
        .0
    }

    /// Run the script with a fake `aws` on the PATH; returns the outcome and the calls it got.
    fn run_with_aws(script: &str, args: &[&str], fake: &str) -> ((i32, String, String), String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iam-users.sh");
        std::fs::write(&path, script).unwrap();
        // An `aws` that fails loudly: a dry run must never call it.
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let aws = bin.join("aws");
        std::fs::write(&aws, fake).unwrap();
        let mut perms = std::fs::metadata(&aws).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&aws, perms).unwrap();
        let path_var = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .arg(&path)
            .args(args)
            .env("PATH", path_var)
            .env("AWS_PROFILE", "from-the-environment")
            .env("CALLS", dir.path().join("calls"))
            .output()
            .unwrap();
        let calls = std::fs::read_to_string(dir.path().join("calls")).unwrap_or_default();
        (
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            ),
            calls,
        )
    }

    // A fake `aws`: logs each call; `get-group Admins` exists, every other `get-*` is
    // NoSuchEntity, `sts get-caller-identity` answers the account id.
    const FAKE_AWS: &str = r#"#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  "sts get-caller-identity"*) echo 123456789012 ;;
  "iam get-group --group-name Admins "*) echo '{}' ;;
  "iam get-"*) echo 'An error occurred (NoSuchEntity) when calling the GetX operation: not found' >&2; exit 254 ;;
esac
"#;

    #[test]
    fn a_real_run_creates_only_what_is_missing_with_the_given_profile() {
        let ((code, _, stderr), calls) =
            run_with_aws(&script(SMALL), &["--profile", "admin"], FAKE_AWS);
        assert_eq!((code, stderr.as_str()), (0, ""));
        let calls: Vec<&str> = calls.lines().collect();
        assert!(
            calls.iter().all(|c| c.ends_with(" --profile admin")),
            "{calls:#?}"
        );
        assert_eq!(
            calls.first().copied(),
            Some("sts get-caller-identity --query Account --output text --profile admin")
        );
        assert!(
            !calls
                .iter()
                .any(|c| c.starts_with("iam create-group --group-name Admins "))
        );
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("iam create-group --group-name Developers "))
        );
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("iam create-user --user-name dev-john "))
        );
        assert!(
            !calls
                .iter()
                .any(|c| c.contains("access-key") || c.contains("login-profile"))
        );
    }

    #[test]
    fn a_profile_for_another_account_is_refused() {
        let fake = FAKE_AWS.replace("echo 123456789012", "echo 999999999999");
        let ((code, _, stderr), calls) =
            run_with_aws(&script(SMALL), &["--profile", "admin"], &fake);
        assert_eq!(
            (code, stderr.as_str()),
            (
                2,
                "error: profile `admin` is for account 999999999999, not 123456789012 (main)\n"
            )
        );
        assert_eq!(calls.lines().count(), 1);
    }

    #[test]
    fn other_errors_stop_the_script() {
        let fake = FAKE_AWS.replace("(NoSuchEntity)", "(AccessDenied)");
        let ((code, _, stderr), calls) =
            run_with_aws(&script(SMALL), &["--profile", "admin"], &fake);
        assert_eq!(code, 1);
        assert!(stderr.contains("(AccessDenied)"), "{stderr}");
        assert!(!calls.contains("create-"), "{calls}");
    }

    #[test]
    fn the_script_is_valid_bash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iam-users.sh");
        std::fs::write(&path, script(SMALL)).unwrap();
        let out = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn without_profile_it_refuses_to_run() {
        let (code, stdout, stderr) = run_script(&script(SMALL), &[]);
        assert_eq!((code, stdout.as_str()), (2, ""));
        assert_eq!(
            stderr,
            "error: --profile is required: this script never falls back to the default profile or AWS_PROFILE; see --help\n"
        );
        let (code, _, stderr) = run_script(&script(SMALL), &["--profile"]);
        assert_eq!(
            (code, stderr.as_str()),
            (2, "error: --profile needs a value\n")
        );
        let (code, _, stderr) = run_script(&script(SMALL), &["--profile", "x", "--force"]);
        assert_eq!(
            (code, stderr.as_str()),
            (2, "error: unknown argument `--force`; see --help\n")
        );
    }

    #[test]
    fn a_dry_run_prints_the_commands() {
        let (code, stdout, stderr) =
            run_script(&script(SMALL), &["--profile", "admin", "--dry-run"]);
        assert_eq!((code, stderr.as_str()), (0, ""));
        assert_eq!(
            stdout,
            r#"# Account main (123456789012)
# check: the profile is for account 123456789012
# Customer managed policy S3Dev (an existing one is left as it is; change it with create-policy-version)
# if missing: aws iam get-policy --policy-arn arn:aws:iam::123456789012:policy/S3Dev --profile admin
aws iam create-policy --policy-name S3Dev --path / --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::my-development-bucket"}]}' --profile admin
# Group Admins
# if missing: aws iam get-group --group-name Admins --profile admin
aws iam create-group --group-name Admins --path / --profile admin
aws iam attach-group-policy --group-name Admins --policy-arn arn:aws:iam::aws:policy/AdministratorAccess --profile admin
# Group Developers
# if missing: aws iam get-group --group-name Developers --profile admin
aws iam create-group --group-name Developers --path / --profile admin
aws iam attach-group-policy --group-name Developers --policy-arn arn:aws:iam::aws:policy/PowerUserAccess --profile admin
aws iam attach-group-policy --group-name Developers --policy-arn arn:aws:iam::123456789012:policy/S3Dev --profile admin
aws iam put-group-policy --group-name Developers --policy-name Logs --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Get*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"it'\''s"}}}]}' --profile admin
# User admin-john
# if missing: aws iam get-user --user-name admin-john --profile admin
aws iam create-user --user-name admin-john --path / --profile admin
aws iam add-user-to-group --user-name admin-john --group-name Admins --profile admin
# User dev-john
# if missing: aws iam get-user --user-name dev-john --profile admin
aws iam create-user --user-name dev-john --path / --profile admin
aws iam add-user-to-group --user-name dev-john --group-name Developers --profile admin
# Account password policy
aws iam update-account-password-policy --minimum-password-length 14 --require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters --allow-users-to-change-password --max-password-age 90 --password-reuse-prevention 24 --no-hard-expiry --profile admin

This script created no passwords and no access keys. By hand, as an administrator of main:
- admin-john: console access. Set a first password that must be changed at sign-in:
    read -rs TEMP_PASSWORD && aws iam create-login-profile --user-name admin-john --password-reset-required --password "$TEMP_PASSWORD" --profile admin
  then have the user enroll an MFA device (IAM console > Users > admin-john > Security credentials).
- dev-john: programmatic access. Create an access key only when needed and hand it over securely (the secret is shown once):
    aws iam create-access-key --user-name dev-john --profile admin
  Prefer IAM Identity Center or a role with temporary credentials where possible.
"#
        );
    }

    #[test]
    fn identity_center_only_models_get_no_script() {
        let m = model(
            r#"{"version": 1, "organization": {"management_account": "main"},
            "accounts": {"main": {"id": "123456789012", "email": "m@example.com", "environment": "management"}}}"#,
        );
        assert!(emit(&m, &EmitOptions::default()).unwrap().is_empty());
    }

    #[test]
    fn several_accounts_need_an_account_argument() {
        let two = SMALL.replace(
            r#""accounts": {"main""#,
            r#""accounts": {"other": {"id": "210987654321", "email": "o@example.com", "environment": "sandbox",
              "iam": {"groups": {"ReadOnly": {"aws_managed_policies": ["ReadOnlyAccess"]}}}}, "main""#,
        );
        let text = script(&two);
        let (code, _, stderr) = run_script(&text, &["--profile", "x", "--dry-run"]);
        assert_eq!(
            (code, stderr.as_str()),
            (2, "error: --account is required: one of main, other\n")
        );
        let (code, stdout, _) = run_script(
            &text,
            &["--profile", "x", "--dry-run", "--account", "other"],
        );
        assert_eq!(code, 0);
        assert!(
            stdout.starts_with(
                "# Account other (210987654321)\n# check: the profile is for account 210987654321\n"
            ),
            "{stdout}"
        );
        let (code, _, stderr) = run_script(&text, &["--profile", "x", "--account", "nope"]);
        assert_eq!(
            (code, stderr.as_str()),
            (2, "error: unknown account `nope`: one of main, other\n")
        );
    }

    #[test]
    fn shellcheck_finds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iam-users.sh");
        std::fs::write(&path, script(SMALL)).unwrap();
        // A missing shellcheck fails the test (scripts/setup-shellcheck.sh installs it).
        let out = Command::new("shellcheck")
            .arg("--severity=style")
            .arg(&path)
            .output()
            .expect("shellcheck is not installed: run scripts/setup-shellcheck.sh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
