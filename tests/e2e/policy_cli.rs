//! `iam-codegen policy check` and `policy fmt` through the library entry point
//! (`iam_codegen::cli::run`): exact stdout, stderr and exit codes.
//!
//! Paths are relative to the `tests/` package directory, where cargo runs these tests, so the
//! output is the same on every machine.
use std::io::Write;

use clap::Parser;
use iam_codegen::cli::{Cli, run};
use pretty_assertions::assert_eq;

/// What a run printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Output {
    code: u8,
    stdout: String,
    stderr: String,
}

fn iam_codegen(args: &[&str]) -> Output {
    let cli = Cli::try_parse_from(std::iter::once("iam-codegen").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("usage error: {e}"));
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let status = run(cli, &mut stdout, &mut stderr).unwrap();
    Output {
        code: status.code(),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn output(code: u8, stdout: &str, stderr: &str) -> Output {
    Output {
        code,
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
    }
}

#[test]
fn a_clean_policy_prints_nothing_and_exits_0() {
    assert_eq!(
        iam_codegen(&["policy", "check", "../examples/policies/tester.json"]),
        output(0, "", "1 file checked: 0 errors, 0 warnings\n")
    );
}

#[test]
fn every_example_policy_checks_clean() {
    let mut files: Vec<String> =
        crate::support::files(&crate::support::root().join("examples/policies"), "json")
            .iter()
            .map(|p| p.display().to_string())
            .collect();
    assert!(
        files.len() >= 5,
        "examples/policies has {} files",
        files.len()
    );
    let mut args = vec!["policy".to_string(), "check".to_string()];
    args.append(&mut files);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = iam_codegen(&args);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
}

#[test]
fn findings_are_printed_with_file_path_severity_code_and_help() {
    assert_eq!(
        iam_codegen(&[
            "policy",
            "check",
            "policies/broken/missing-resource.json",
            "policies/broken/missing-version.json",
        ]),
        output(
            3,
            "\
policies/broken/missing-resource.json:/Statement/0: error missing-resource: the statement has no `Resource` or `NotResource`
  help: name the resources, e.g. `\"Resource\": \"arn:aws:s3:::my-bucket/*\"`, or `\"*\"` for all
policies/broken/missing-version.json: warning missing-version: the policy has no `Version`, so AWS reads it as `2008-10-17`
  help: add `\"Version\": \"2012-10-17\"`; without it policy variables are read as literal text
",
            "2 files checked: 1 error, 1 warning\n"
        )
    );
}

#[test]
fn warnings_alone_exit_0() {
    let out = iam_codegen(&["policy", "check", "policies/broken/missing-version.json"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (0, "1 file checked: 0 errors, 1 warning\n")
    );
}

#[test]
fn the_kind_changes_the_rules() {
    // Fine as an identity policy; a trust policy takes no Resource and needs a Principal.
    let out = iam_codegen(&[
        "policy",
        "check",
        "--kind",
        "trust",
        "../examples/policies/s3-developer.json",
    ]);
    assert_eq!(out.code, 3);
    let codes: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.starts_with("  help: "))
        .map(|l| l.split(": ").nth(1).unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "error missing-principal",
            "error trust-action-not-allowed",
            "error resource-not-allowed",
            "error missing-principal",
            "error trust-action-not-allowed",
            "error trust-action-not-allowed",
            "error trust-action-not-allowed",
            "error resource-not-allowed",
        ]
    );
}

#[test]
fn findings_as_json_are_one_document() {
    let out = iam_codegen(&[
        "--format",
        "json",
        "policy",
        "check",
        "policies/broken/missing-resource.json",
        "policies/broken/missing-version.json",
    ]);
    assert_eq!(
        out,
        output(
            3,
            r#"{
  "version": 1,
  "files": [
    {
      "file": "policies/broken/missing-resource.json",
      "findings": [
        {
          "code": "missing-resource",
          "severity": "error",
          "path": "/Statement/0",
          "message": "the statement has no `Resource` or `NotResource`",
          "help": "name the resources, e.g. `\"Resource\": \"arn:aws:s3:::my-bucket/*\"`, or `\"*\"` for all"
        }
      ]
    },
    {
      "file": "policies/broken/missing-version.json",
      "findings": [
        {
          "code": "missing-version",
          "severity": "warning",
          "path": "",
          "message": "the policy has no `Version`, so AWS reads it as `2008-10-17`",
          "help": "add `\"Version\": \"2012-10-17\"`; without it policy variables are read as literal text"
        }
      ]
    }
  ]
}
"#,
            ""
        )
    );
    serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap();
}

#[test]
fn malformed_json_is_reported_with_line_and_column() {
    assert_eq!(
        iam_codegen(&[
            "policy",
            "check",
            "policies/malformed/trailing-comma.json",
            "policies/malformed/number-as-action.json",
        ]),
        output(
            1,
            "\
policies/malformed/trailing-comma.json:8:5: error: trailing comma (at `/Statement/0`)
policies/malformed/number-as-action.json:5:33: error: invalid type: integer `42`, expected a string (at `/Statement/Action/1`)
",
            "2 files checked: 0 errors, 0 warnings, 2 files unreadable\n"
        )
    );
}

#[test]
fn an_unreadable_file_exits_1_and_every_other_file_is_still_reported() {
    assert_eq!(
        iam_codegen(&[
            "policy",
            "check",
            "policies/malformed/does-not-exist.json",
            "policies/broken/missing-resource.json",
            "../examples/policies/tester.json",
        ]),
        output(
            1,
            "\
policies/malformed/does-not-exist.json: error: cannot read the file: No such file or directory (os error 2)
policies/broken/missing-resource.json:/Statement/0: error missing-resource: the statement has no `Resource` or `NotResource`
  help: name the resources, e.g. `\"Resource\": \"arn:aws:s3:::my-bucket/*\"`, or `\"*\"` for all
",
            "3 files checked: 1 error, 0 warnings, 1 file unreadable\n"
        )
    );
}

#[test]
fn an_unreadable_file_in_json_has_an_error_and_no_findings() {
    assert_eq!(
        iam_codegen(&[
            "--format",
            "json",
            "policy",
            "check",
            "policies/malformed/does-not-exist.json",
            "policies/malformed/trailing-comma.json",
            "../examples/policies/tester.json",
        ]),
        output(
            1,
            r#"{
  "version": 1,
  "files": [
    {
      "file": "policies/malformed/does-not-exist.json",
      "error": "cannot read the file: No such file or directory (os error 2)"
    },
    {
      "file": "policies/malformed/trailing-comma.json",
      "error": "line 8 column 5 (at `/Statement/0`): trailing comma"
    },
    {
      "file": "../examples/policies/tester.json",
      "findings": []
    }
  ]
}
"#,
            ""
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["iam-codegen", "policy", "check"][..],
        &["iam-codegen", "policy", "check", "--kind", "user", "a.json"],
        &["iam-codegen", "policy", "fmt"],
        &[
            "iam-codegen",
            "--format",
            "yaml",
            "policy",
            "check",
            "a.json",
        ],
    ] {
        let err = Cli::try_parse_from(args).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}");
    }
}

#[test]
fn fmt_prints_the_policy_as_read() {
    // The examples are written in canonical key order with two-space indents.
    for name in ["operator-ec2-tagged", "mfa-enforcement", "s3-developer"] {
        let path = format!("../examples/policies/{name}.json");
        let original = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            iam_codegen(&["policy", "fmt", &path]),
            output(0, &original, ""),
            "{name}"
        );
    }
}

#[test]
fn fmt_orders_keys_and_canonicalises_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    std::fs::write(
        &path,
        r#"{"Statement":{"Resource":["arn:aws:s3:::logs/*"],"Action":["s3:GetObject"],"Effect":"Allow","Sid":"Read"},"Version":"2012-10-17"}"#,
    )
    .unwrap();
    let path = path.to_str().unwrap();
    assert_eq!(
        iam_codegen(&["policy", "fmt", path]),
        output(
            0,
            r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "Read",
    "Effect": "Allow",
    "Action": [
      "s3:GetObject"
    ],
    "Resource": [
      "arn:aws:s3:::logs/*"
    ]
  }
}
"#,
            ""
        )
    );
    assert_eq!(
        iam_codegen(&["policy", "fmt", "--canonical", path]),
        output(
            0,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::logs/*"
    }
  ]
}
"#,
            ""
        )
    );
}

#[test]
fn fmt_of_an_invalid_policy_prints_findings_on_stderr_only() {
    assert_eq!(
        iam_codegen(&["policy", "fmt", "policies/broken/missing-resource.json"]),
        output(
            3,
            "",
            "\
policies/broken/missing-resource.json:/Statement/0: error missing-resource: the statement has no `Resource` or `NotResource`
  help: name the resources, e.g. `\"Resource\": \"arn:aws:s3:::my-bucket/*\"`, or `\"*\"` for all
"
        )
    );
    assert_eq!(
        iam_codegen(&["policy", "fmt", "policies/malformed/trailing-comma.json"]),
        output(
            1,
            "",
            "policies/malformed/trailing-comma.json:8:5: error: trailing comma (at `/Statement/0`)\n"
        )
    );
    assert_eq!(
        iam_codegen(&["policy", "fmt", "policies/malformed/does-not-exist.json"]),
        output(
            1,
            "",
            "policies/malformed/does-not-exist.json: error: cannot read the file: No such file or directory (os error 2)\n"
        )
    );
}

#[test]
fn fmt_prints_a_policy_with_warnings_and_the_warnings_on_stderr() {
    let out = iam_codegen(&["policy", "fmt", "policies/broken/missing-version.json"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.starts_with("{\n  \"Statement\": [\n"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "\
policies/broken/missing-version.json: warning missing-version: the policy has no `Version`, so AWS reads it as `2008-10-17`
  help: add `\"Version\": \"2012-10-17\"`; without it policy variables are read as literal text
"
    );
}

/// A reader that went away, like `head` after its lines.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn a_broken_pipe_ends_quietly_with_success() {
    for args in [
        &[
            "iam-codegen",
            "policy",
            "check",
            "policies/broken/missing-resource.json",
        ][..],
        &[
            "iam-codegen",
            "policy",
            "fmt",
            "../examples/policies/tester.json",
        ],
    ] {
        let cli = Cli::try_parse_from(args).unwrap();
        let status = run(cli, &mut ClosedPipe, &mut ClosedPipe).unwrap();
        assert_eq!(status.code(), 0, "{args:?}");
    }
}
