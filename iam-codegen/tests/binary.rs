//! The real binary, as a shell runs it: what only a process shows (the working directory,
//! a closed pipe, exit codes).
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
