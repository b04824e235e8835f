//! `generate --merge FILE`: the profiles merged into an existing AWS CLI config, judged by the
//! AWS CLI itself (awscli 1.45.11 with botocore 1.43.11, pinned in
//! `scripts/requirements-tools.txt`): `aws configure get` on the merged file, and botocore's
//! config loader (`tests/tools/aws_config_read.py`) for the whole profile map. A section the
//! block defines that already exists is refused (file byte-identical) unless
//! `--merge-adopt`; CRLF, comments, permissions and symbolic links are kept.
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{root, run_cli};
use crate::tools::{text, tool_path};

/// The small-team preset: `[sso-session sso]` and profiles such as `dev` (DeveloperAccess in
/// development, 555555555555) and `admin`.
fn model() -> PathBuf {
    root().join("examples/small-team.json")
}

/// `generate MODEL --merge FILE` with more arguments: (exit code, stderr with the file's path
/// shown as `FILE`). The model's own findings (the preset's two
/// `sensitive-data-on-any-resource` warnings, asserted in `presets.rs`) are left out: each is
/// a line that starts with the model's path and a `  help:` line.
fn merge(file: &Path, more: &[&str]) -> (u8, String) {
    let model = model();
    let mut args = vec![
        "generate",
        model.to_str().unwrap(),
        "--merge",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(more);
    let (code, out, err) = run_cli(&args);
    assert_eq!(out, "");
    let model = model.to_str().unwrap();
    let mut merge_lines = String::new();
    let mut in_finding = false;
    for line in err.lines() {
        if line.starts_with(model) {
            in_finding = true;
        } else if !(in_finding && line.starts_with("  help: ")) {
            in_finding = false;
            merge_lines.push_str(line);
            merge_lines.push('\n');
        }
    }
    (code, merge_lines.replace(file.to_str().unwrap(), "FILE"))
}

/// `aws configure get KEY --profile PROFILE` on the file: the value, or `None` when the CLI
/// exits non-zero.
fn aws_get(file: &Path, key: &str, profile: &str) -> Option<String> {
    let home = file.parent().unwrap();
    let out = Command::new(tool_path("aws"))
        .args(["configure", "get", key, "--profile", profile])
        .env("AWS_CONFIG_FILE", file)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("HOME", home)
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| text(&out.stdout).trim_end().to_string())
}

/// The file as botocore's loader reads it (`tests/tools/aws_config_read.py`).
fn botocore_read(file: &Path) -> serde_json::Value {
    let out = Command::new(tool_path("python"))
        .arg(root().join("tests/tools/aws_config_read.py"))
        .env("AWS_CONFIG_FILE", file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "botocore cannot read the merged file: {}\n{}",
        text(&out.stderr),
        std::fs::read_to_string(file).unwrap()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The merged file works for the AWS CLI: the `dev` profile and the session read back with
/// the model's values.
fn assert_cli_reads_the_profiles(file: &Path) {
    assert_eq!(
        aws_get(file, "sso_account_id", "dev").as_deref(),
        Some("555555555555")
    );
    assert_eq!(
        aws_get(file, "sso_role_name", "dev").as_deref(),
        Some("DeveloperAccess")
    );
    assert_eq!(aws_get(file, "sso_session", "dev").as_deref(), Some("sso"));
    assert_eq!(
        aws_get(file, "region", "dev").as_deref(),
        Some("ap-northeast-2")
    );
    let config = botocore_read(file);
    assert_eq!(
        config["sso_sessions"]["sso"],
        serde_json::json!({
            "sso_start_url": "https://d-9067c0ffee.awsapps.com/start",
            "sso_region": "ap-northeast-2",
            "sso_registration_scopes": "sso:account:access"
        })
    );
}

#[test]
fn comments_crlf_and_other_profiles_are_kept_and_the_cli_reads_the_result() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config");
    let mine = "# my settings\r\n[default]\r\nregion = eu-west-1\r\n; old profile\r\n[profile mine]\r\nrole_arn = arn:aws:iam::123456789012:role/x\r\nsource_profile = default\r\n[services local]\r\ns3 =\r\n  endpoint_url = http://127.0.0.1:9000\r\n";
    std::fs::write(&file, mine).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(
        merge(&file, &[]),
        (0, "FILE: profiles merged\n".to_string())
    );
    let merged = std::fs::read_to_string(&file).unwrap();
    assert!(
        merged.starts_with(&format!("{mine}\r\n# BEGIN iam-codegen managed block")),
        "{merged}"
    );
    // Every line keeps (or gets) the file's CRLF.
    assert!(!merged.replace("\r\n", "").contains('\n'), "{merged:?}");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_cli_reads_the_profiles(&file);
    assert_eq!(
        aws_get(&file, "region", "default").as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        aws_get(&file, "source_profile", "mine").as_deref(),
        Some("default")
    );
    // A second merge changes nothing.
    assert_eq!(
        merge(&file, &[]),
        (0, "FILE: profiles unchanged\n".to_string())
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), merged);
}

#[test]
fn a_profile_that_exists_outside_the_block_is_refused_and_the_file_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config");
    let mine = "[default]\nregion = eu-west-1\n\n# mine\n[profile \"dev\"]\nregion = us-east-1\n\n[sso-session sso]\nsso_start_url = https://old.awsapps.com/start\n";
    std::fs::write(&file, mine).unwrap();
    let (code, err) = merge(&file, &[]);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "error: cannot merge the profiles into `FILE`: `[profile \"dev\"]` (line 5), `[sso-session sso]` (line 8) outside the managed block define what the block defines (botocore would use only one of them); remove them, or pass `--merge-adopt` to replace them by the block's\n"
        )
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), mine);
    // `--check` says the same and writes nothing either.
    assert_eq!(merge(&file, &["--check"]).0, 1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), mine);
}

#[test]
fn merge_adopt_leaves_one_section_for_each_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config");
    std::fs::write(
        &file,
        "[profile dev]\nregion = us-east-1\ns3 =\n  addressing_style = path\n# kept comment\n\n[profile mine]\nregion = eu-west-1\n",
    )
    .unwrap();
    let (code, err) = merge(&file, &["--merge-adopt"]);
    assert_eq!(
        (code, err.as_str()),
        (
            0,
            "FILE:1: `[profile dev]` adopted: the managed block's section replaces it\nFILE: profiles merged\n"
        )
    );
    let merged = std::fs::read_to_string(&file).unwrap();
    assert_eq!(merged.matches("[profile dev]").count(), 1, "{merged}");
    assert!(
        merged.starts_with("# kept comment\n\n[profile mine]\nregion = eu-west-1\n\n# BEGIN"),
        "{merged}"
    );
    assert_cli_reads_the_profiles(&file);
    assert_eq!(
        aws_get(&file, "region", "mine").as_deref(),
        Some("eu-west-1")
    );
}

#[test]
fn a_link_is_written_through_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let real_dir = tmp.path().join("dotfiles");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("aws-config");
    std::fs::write(&real, "[default]\nregion = eu-west-1\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = tmp.path().join("config");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(
        merge(&link, &[]),
        (0, "FILE: profiles merged\n".to_string())
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), real);
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("[profile dev]\n")
    );
    assert_cli_reads_the_profiles(&link);
    // No temporary file is left next to the target or the link.
    assert_eq!(std::fs::read_dir(&real_dir).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
}

#[test]
fn a_file_the_cli_cannot_read_is_not_merged_into() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config");
    let broken = "[profile x]\nregion = eu-west-1\n[profile x]\n";
    std::fs::write(&file, broken).unwrap();
    // The AWS CLI refuses it too.
    assert_eq!(aws_get(&file, "region", "x"), None);
    let (code, err) = merge(&file, &[]);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "error: cannot merge the profiles into `FILE`: line 3: the section `[profile x]` is defined twice; the AWS CLI cannot read the file as it is, fix it by hand\n"
        )
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
}
