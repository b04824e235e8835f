//! The real binary, as a shell runs it: what only a process shows (the working directory,
//! a closed pipe, exit codes).
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failure fails the test loudly"
)]
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-codegen"))
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_relative_output_directory_is_created_in_the_working_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let status = bin()
        .args([
            "generate",
            &example("single-account.json"),
            "--target",
            "policies",
            "--out",
            "out",
        ])
        .current_dir(cwd.path())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(cwd.path().join("out/.iam-codegen-manifest.json").is_file());
    let again = bin()
        .args([
            "generate",
            &example("single-account.json"),
            "--target",
            "policies",
            "--out",
            "out",
            "--check",
        ])
        .current_dir(cwd.path())
        .output()
        .unwrap();
    assert_eq!(
        (again.status.code(), again.stdout.as_slice()),
        (Some(0), &b""[..])
    );
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_with_success() {
    let mut child = bin()
        .args(["catalog", "actions", "ec2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, like `| head -1`.
    let output = child.wait_with_output().unwrap();
    assert!(first.starts_with("ec2:"), "{first}");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn usage_errors_exit_2() {
    let output = bin().args(["generate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// A model with one validation error (the management account names no account).
fn invalid_model(dir: &Path) -> String {
    let path = dir.join("invalid.json");
    std::fs::write(
        &path,
        r#"{"version": 1, "organization": {"management_account": "nope"}}"#,
    )
    .unwrap();
    path.display().to_string()
}

/// The README's exit codes, for every subcommand, through the binary: each case with the
/// code it must exit with; with `--format json` stdout must be exactly one JSON document
/// (also for errors and usage errors).
#[test]
fn exit_codes_are_the_documented_ones_and_json_is_always_one_document() {
    let tmp = tempfile::tempdir().unwrap();
    let invalid = invalid_model(tmp.path());
    let small = example("small-team.json");
    let out_dir = tmp.path().join("out").display().to_string();
    let missing = tmp.path().join("missing.json").display().to_string();
    let broken_policy = tmp.path().join("broken-policy.json");
    std::fs::write(
        &broken_policy,
        r#"{"Version": "2012-10-17", "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let broken_policy = broken_policy.display().to_string();
    let init_out = tmp.path().join("init.json").display().to_string();
    let merged = tmp.path().join("aws-config").display().to_string();
    let deny = [
        "--principal",
        "group:AWS-Developers",
        "--account",
        "production",
        "--action",
        "iam:CreateUser",
        "--resource",
        "*",
    ];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["version"], 0),
        (vec!["nope"], 2),
        (vec!["validate", &small], 0),
        (vec!["validate", &invalid], 3),
        (vec!["validate", &missing], 1),
        (vec!["validate"], 2),
        (vec!["check", &small], 0),
        (vec!["check", &invalid], 3),
        (vec!["check", &missing], 1),
        ([&["simulate", small.as_str()][..], &deny[..]].concat(), 4),
        ([&["simulate", invalid.as_str()][..], &deny[..]].concat(), 3),
        ([&["simulate", missing.as_str()][..], &deny[..]].concat(), 1),
        (
            vec![
                "who-can",
                &small,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--account",
                "production",
            ],
            0,
        ),
        (
            vec![
                "who-can",
                &small,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--account",
                "nowhere",
            ],
            1,
        ),
        (
            vec![
                "who-can",
                &invalid,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--account",
                "x",
            ],
            3,
        ),
        (vec!["policy", "check", &broken_policy], 3),
        (vec!["policy", "check", &missing], 1),
        (vec!["policy", "check", "--kind", "nope", &broken_policy], 2),
        (vec!["catalog", "action", "s3:GetObject"], 0),
        (vec!["catalog", "action", "s3:Nope"], 1),
        (vec!["init", "--preset", "nope"], 2),
        (vec!["init", "--list"], 0),
        (vec!["init", "--preset", "iam-users"], 0),
        (
            vec!["init", "--preset", "iam-users", "-o", &init_out, "--force"],
            0,
        ),
        (vec!["generate", &small, "--merge", &merged, "--check"], 1),
        (vec!["generate", &small, "--merge", &merged], 0),
        (vec!["generate", &invalid, "-t", "policies"], 3),
        (vec!["generate", &missing, "-t", "policies"], 1),
        (vec!["generate", &small, "--check"], 2),
        (vec!["generate", &small, "--check", "-o", "-"], 2),
        (
            vec![
                "generate", &small, "-t", "policies", "--out", &out_dir, "--check",
            ],
            1,
        ),
        (
            vec!["generate", &small, "-t", "policies", "--merge-adopt"],
            2,
        ),
        (vec!["schema"], 0),
    ];
    for (args, code) in &cases {
        for json in [false, true] {
            let mut cmd = bin();
            if json {
                cmd.args(["--format", "json"]);
            }
            let output = cmd.args(args).output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(
                output.status.code(),
                Some(*code),
                "{args:?} (json: {json})\nstdout: {stdout}\nstderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            if json {
                // One document, nothing else (serde_json refuses trailing text).
                let document: serde_json::Value =
                    serde_json::from_str(&stdout).unwrap_or_else(|e| {
                        panic!("{args:?}: stdout is not one JSON document: {e}\n{stdout}")
                    });
                // The schema is a document of its own.
                if args.first() != Some(&"schema") {
                    assert_eq!(document["version"], 1, "{args:?}: {stdout}");
                }
                if document.get("exit_code").is_some() {
                    assert_eq!(document["exit_code"], *code, "{args:?}: {stdout}");
                }
            }
        }
    }
}

#[test]
fn generate_json_on_an_invalid_model_prints_the_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let invalid = invalid_model(tmp.path());
    let output = bin()
        .args(["--format", "json", "generate", &invalid, "-t", "policies"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        document,
        serde_json::json!({"version": 1, "files": [{"file": invalid, "findings": [{
            "code": "unknown-account", "severity": "error", "path": "/organization/management_account",
            "message": "there is no account `nope` in the model", "help": "name an account under `accounts`"}]}]})
    );
}
