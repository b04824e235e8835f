//! `iam-codegen generate`: writing into a directory, re-running, the `--check` drift gate,
//! stale files, user files, invalid models, unwritable directories, template overrides and
//! printing on stdout. Exact exit codes, stdout and stderr (the output directory is shown
//! as `DIR`). The `policies` target is used so that the file lists do not depend on the
//! other targets.
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::support::{root, run_cli};

const POLICY_FILES: [&str; 10] = [
    "policies/accounts/development/managed/TesterPolicy.json",
    "policies/accounts/production/roles/ci-deploy/inline/Deploy.json",
    "policies/accounts/production/roles/ci-deploy/trust.json",
    "policies/accounts/production/roles/partner-access/assume-role-policy-for-999999999999.json",
    "policies/accounts/production/roles/partner-access/trust.json",
    "policies/accounts/production/roles/web-server/trust.json",
    "policies/identity-center/permission-sets/DeveloperAccess.json",
    "policies/organization/rcps/DenyExternalS3.json",
    "policies/organization/scps/DenyLeaveOrganization.json",
    "policies/organization/scps/SandboxRegions.json",
];

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    model: PathBuf,
}

impl Setup {
    /// A temporary directory with the example model at `model.json` and no output yet.
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let model = tmp.path().join("model.json");
        std::fs::copy(root().join("examples/organization.json"), &model).unwrap();
        let dir = tmp.path().join("out");
        let setup = Self {
            _tmp: tmp,
            dir,
            model,
        };
        // These tests are about files, not findings: mark the example's one user with access
        // keys as a machine user so that the model has no warnings to print.
        // (A text edit, so that the layout other tests edit stays as written.)
        let text = std::fs::read_to_string(&setup.model).unwrap();
        let marked = text.replacen(
            "\"programmatic_access\": true",
            "\"programmatic_access\": true, \"tags\": { \"UserType\": \"machine\" }",
            1,
        );
        assert_ne!(marked, text);
        std::fs::write(&setup.model, marked).unwrap();
        setup
    }

    /// Run `generate MODEL -t policies -o DIR` with more arguments; `DIR` in the output.
    fn generate(&self, more: &[&str]) -> (u8, String, String) {
        let model = self.model.to_str().unwrap();
        let dir = self.dir.to_str().unwrap();
        let mut args = vec!["generate", model, "--target", "policies", "--out", dir];
        args.extend_from_slice(more);
        let (code, out, err) = run_cli(&args);
        (code, self.shown(&out), self.shown(&err))
    }

    fn shown(&self, text: &str) -> String {
        text.replace(self.dir.to_str().unwrap(), "DIR")
            .replace(self.model.to_str().unwrap(), "MODEL")
    }

    /// Change the model file as JSON.
    fn edit_model(&self, change: impl FnOnce(&mut serde_json::Value)) {
        let mut value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&self.model).unwrap()).unwrap();
        change(&mut value);
        std::fs::write(&self.model, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    }
}

/// Every file and directory under `dir` with its bytes (directories end in `/`).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn lines(prefix: &str, paths: &[&str]) -> String {
    paths.iter().map(|p| format!("{prefix} {p}\n")).collect()
}

fn manifest(paths: &[&str]) -> String {
    let list: Vec<String> = paths.iter().map(|p| format!("    \"{p}\"")).collect();
    format!(
        "{{\n  \"version\": 1,\n  \"files\": [\n{}\n  ]\n}}\n",
        list.join(",\n")
    )
}

#[test]
fn generates_into_an_empty_directory_then_nothing_changes() {
    let s = Setup::new();
    let (code, out, err) = s.generate(&[]);
    assert_eq!(out, "");
    pretty_assertions::assert_eq!(
        err,
        format!(
            "A .iam-codegen-manifest.json\n{}DIR: 11 added, 0 modified, 0 removed, 0 unchanged\n",
            lines("A", &POLICY_FILES)
        )
    );
    assert_eq!(code, 0);
    let mut expected: Vec<&str> = POLICY_FILES.to_vec();
    expected.insert(0, ".iam-codegen-manifest.json");
    assert_eq!(crate::support::walk(&s.dir), expected);
    pretty_assertions::assert_eq!(
        std::fs::read_to_string(s.dir.join(".iam-codegen-manifest.json")).unwrap(),
        manifest(&POLICY_FILES)
    );
    let before = snapshot(&s.dir);

    let (code, out, err) = s.generate(&[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", "DIR: 0 added, 0 modified, 0 removed, 10 unchanged\n")
    );
    assert_eq!(snapshot(&s.dir), before);

    let (code, out, err) = s.generate(&["--check"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", "DIR: up to date (10 files)\n")
    );
}

#[test]
fn check_reports_a_modified_file_and_changes_nothing() {
    let s = Setup::new();
    assert_eq!(s.generate(&[]).0, 0);
    let scp = s.dir.join("policies/organization/scps/SandboxRegions.json");
    std::fs::write(&scp, "{}\n").unwrap();
    let before = snapshot(&s.dir);
    let (code, out, err) = s.generate(&["--check"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "M policies/organization/scps/SandboxRegions.json\n",
            "DIR: 1 file would change; run without `--check` to update\n"
        )
    );
    assert_eq!(snapshot(&s.dir), before);
    // A missing file is `A`; generating again repairs both.
    std::fs::remove_file(s.dir.join(POLICY_FILES[0])).unwrap();
    let (code, out, _) = s.generate(&["--check"]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "A policies/accounts/development/managed/TesterPolicy.json\n\
             M policies/organization/scps/SandboxRegions.json\n"
        )
    );
    let (code, _, err) = s.generate(&[]);
    assert_eq!(
        (code, err.as_str()),
        (
            0,
            "A policies/accounts/development/managed/TesterPolicy.json\n\
             M policies/organization/scps/SandboxRegions.json\n\
             DIR: 1 added, 1 modified, 0 removed, 8 unchanged\n"
        )
    );
    assert_eq!(s.generate(&["--check"]).0, 0);
}

#[test]
fn a_removed_policy_loses_its_file_and_user_files_stay() {
    let s = Setup::new();
    assert_eq!(s.generate(&[]).0, 0);
    std::fs::write(s.dir.join("NOTES.md"), "mine\n").unwrap();
    std::fs::write(
        s.dir.join("policies/organization/scps/README"),
        "mine too\n",
    )
    .unwrap();
    s.edit_model(|m| {
        m["organization"]["scps"]
            .as_object_mut()
            .unwrap()
            .remove("SandboxRegions")
            .unwrap();
    });
    let (code, out, err) = s.generate(&["--check"]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "M .iam-codegen-manifest.json\nD policies/organization/scps/SandboxRegions.json\n"
        )
    );
    assert_eq!(
        err,
        "DIR: 2 files would change; run without `--check` to update\n"
    );
    let (code, out, err) = s.generate(&[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "",
            "M .iam-codegen-manifest.json\nD policies/organization/scps/SandboxRegions.json\n\
             DIR: 0 added, 1 modified, 1 removed, 9 unchanged\n"
        )
    );
    assert!(!s.dir.join(POLICY_FILES[9]).exists());
    pretty_assertions::assert_eq!(
        std::fs::read_to_string(s.dir.join(".iam-codegen-manifest.json")).unwrap(),
        manifest(&POLICY_FILES[..9])
    );
    assert_eq!(
        std::fs::read_to_string(s.dir.join("NOTES.md")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(s.dir.join("policies/organization/scps/README")).unwrap(),
        "mine too\n"
    );
    assert_eq!(s.generate(&["--check"]).0, 0);
}

#[test]
fn a_file_the_generator_did_not_write_is_not_overwritten_without_force() {
    let s = Setup::new();
    let scp = s.dir.join("policies/organization/scps/SandboxRegions.json");
    std::fs::create_dir_all(scp.parent().unwrap()).unwrap();
    std::fs::write(&scp, "hand written\n").unwrap();
    let before = snapshot(&s.dir);
    let (code, out, err) = s.generate(&[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "error: `DIR/policies/organization/scps/SandboxRegions.json` exists and was not written by iam-codegen (it is not in `.iam-codegen-manifest.json`); move it away, or pass `--force` to overwrite it\n"
        )
    );
    assert_eq!(snapshot(&s.dir), before);
    let (code, _, err) = s.generate(&["--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("M policies/organization/scps/SandboxRegions.json\n"),
        "{err}"
    );
}

#[test]
fn an_invalid_model_writes_nothing() {
    let s = Setup::new();
    s.edit_model(|m| {
        m["accounts"]["production"]["iam"]["users"]["dev-john"]["groups"] =
            serde_json::json!(["Nobody"]);
    });
    let (code, out, err) = s.generate(&[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            3,
            "",
            "MODEL:/accounts/production/iam/users/dev-john/groups/0: error unknown-group: there is no IAM group `Nobody` in this account\n  \
             help: define the group under `iam/groups` of the same account\n\
             MODEL: 1 error, 0 warnings\n\
             MODEL: nothing generated\n"
        )
    );
    assert!(!s.dir.exists());
}

/// A directory nobody can write: mode 0555, and for root (whom modes do not stop) the
/// immutable attribute. Undone on drop.
struct Frozen {
    path: PathBuf,
    immutable: bool,
    /// The error the file system gives for a write there.
    error: String,
}

impl Frozen {
    fn new(path: &Path) -> Self {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = path.join("probe");
        let mut frozen = Self {
            path: path.to_path_buf(),
            immutable: false,
            error: String::new(),
        };
        if std::fs::write(&probe, "").is_ok() {
            std::fs::remove_file(&probe).unwrap();
            let status = std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .expect("`chattr` is needed to make a directory unwritable for root");
            assert!(status.success(), "`chattr +i` failed");
            frozen.immutable = true;
        }
        frozen.error = std::fs::write(&probe, "").unwrap_err().to_string();
        frozen
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        if self.immutable {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.path)
                .status();
        }
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn an_unwritable_directory_fails_and_leaves_everything_as_it_was() {
    let s = Setup::new();
    assert_eq!(s.generate(&[]).0, 0);
    // Two files change: one in a writable directory (staged first), one in a frozen one.
    let text = std::fs::read_to_string(&s.model).unwrap();
    let changed = text
        .replace(
            "\"logs:Describe*\"]",
            "\"logs:Describe*\", \"logs:FilterLogEvents\"]",
        )
        .replace("\"eu-west-1\"", "\"eu-central-1\"");
    assert_eq!(changed.matches("eu-central-1").count(), 1);
    assert_eq!(changed.matches("logs:FilterLogEvents").count(), 1);
    std::fs::write(&s.model, changed).unwrap();
    std::fs::write(s.dir.join("NOTES.md"), "mine\n").unwrap();
    let before = snapshot(&s.dir);
    let frozen = Frozen::new(&s.dir.join("policies/organization/scps"));
    let (code, out, err) = s.generate(&[]);
    let error = frozen.error.clone();
    drop(frozen);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            format!(
                "error: cannot write `DIR/policies/organization/scps/SandboxRegions.json`: {error}\n"
            )
            .as_str()
        )
    );
    assert_eq!(snapshot(&s.dir), before);

    // The whole output directory unwritable, with nothing in it yet.
    let fresh = Setup::new();
    std::fs::create_dir(&fresh.dir).unwrap();
    let frozen = Frozen::new(&fresh.dir);
    let (code, _, err) = fresh.generate(&[]);
    let error = frozen.error.clone();
    drop(frozen);
    assert_eq!(
        (code, err),
        (
            1,
            format!("error: cannot write `DIR/.iam-codegen.lock`: {error}\n")
        )
    );
    assert_eq!(snapshot(&fresh.dir), BTreeMap::new());
}

#[test]
fn a_template_override_must_name_a_template() {
    let s = Setup::new();
    let templates = s.dir.with_file_name("templates");
    std::fs::create_dir_all(templates.join("nope")).unwrap();
    std::fs::write(templates.join("nope/thing.hbs"), "{{x}}").unwrap();
    let (code, out, err) = s.generate(&["--templates", templates.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with("error: there is no template `nope/thing.hbs`; the templates are: "),
        "{err}"
    );
    assert!(!s.dir.exists());
}

#[test]
fn without_out_the_files_go_to_stdout_with_headers() {
    let s = Setup::new();
    let (code, out, err) = run_cli(&["generate", s.model.to_str().unwrap(), "-t", "policies"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("==> ")).collect();
    let expected: Vec<String> = POLICY_FILES
        .iter()
        .map(|p| format!("==> {p} <=="))
        .collect();
    assert_eq!(headers, expected);
    assert!(out.starts_with(
        "==> policies/accounts/development/managed/TesterPolicy.json <==\n{\n  \"Version\": \"2012-10-17\",\n"
    ));
    assert!(out.contains(
        "}\n\n==> policies/accounts/production/roles/ci-deploy/inline/Deploy.json <==\n{\n"
    ));
    let (code, out2, _) = run_cli(&[
        "generate",
        s.model.to_str().unwrap(),
        "-t",
        "policies",
        "-o",
        "-",
    ]);
    assert_eq!((code, out2), (0, out));
    // `--check` without a destination is a usage error (exit 2): clap's without `--out`,
    // ours with `-o -`.
    let e = <iam_codegen::cli::Cli as clap::Parser>::try_parse_from([
        "iam-codegen",
        "generate",
        s.model.to_str().unwrap(),
        "--check",
    ])
    .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let (code, out, err) = run_cli(&["generate", s.model.to_str().unwrap(), "--check", "-o", "-"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            2,
            "",
            "error: `--check` compares with an output directory: give `--out DIR` (not `-`) or `--merge FILE`\n"
        )
    );
}

#[test]
fn an_unreadable_model_fails() {
    let (code, out, err) = run_cli(&["generate", "/nonexistent/model.json", "-o", "-"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "error: cannot read `/nonexistent/model.json`: No such file or directory (os error 2)\n"
        )
    );
}

#[test]
fn check_with_json_format_is_one_document() {
    let s = Setup::new();
    assert_eq!(s.generate(&[]).0, 0);
    std::fs::remove_file(s.dir.join(POLICY_FILES[9])).unwrap();
    let model = s.model.to_str().unwrap();
    let dir = s.dir.to_str().unwrap();
    let (code, out, _) = run_cli(&[
        "--format", "json", "generate", model, "-t", "policies", "-o", dir, "--check",
    ]);
    assert_eq!(code, 1);
    pretty_assertions::assert_eq!(
        out,
        "{\n  \"version\": 1,\n  \"check\": true,\n  \"changes\": [\n    {\n      \"change\": \"A\",\n      \"path\": \"policies/organization/scps/SandboxRegions.json\"\n    }\n  ],\n  \"unchanged\": 9\n}\n"
    );
}

#[test]
fn merge_replaces_only_the_managed_block_of_an_aws_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let mine = "[default]\nregion = eu-west-1\n\n[profile personal]\nregion = us-east-1\n";
    std::fs::write(&config, mine).unwrap();
    let model = root().join("examples/single-account.json");
    let (model, config_s) = (model.to_str().unwrap(), config.to_str().unwrap());
    // Not merged yet: --check reports the file and exits 1, changing nothing.
    let (code, out, _) = run_cli(&["generate", model, "--merge", config_s, "--check"]);
    assert_eq!((code, out), (1, format!("M {config_s}\n")));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), mine);
    // Merged: the user's text stays first, byte for byte, then the generated block.
    let (code, out, err) = run_cli(&["generate", model, "--merge", config_s]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(
        err.ends_with(&format!("{config_s}: profiles merged\n")),
        "{err}"
    );
    let merged = std::fs::read_to_string(&config).unwrap();
    let block =
        std::fs::read_to_string(root().join("tests/golden/single-account/aws-config/config"))
            .unwrap();
    assert_eq!(merged, format!("{mine}\n{block}"));
    // Merging again changes nothing; --check agrees.
    let (code, _, err) = run_cli(&["generate", model, "--merge", config_s]);
    assert_eq!(code, 0);
    assert!(
        err.ends_with(&format!("{config_s}: profiles unchanged\n")),
        "{err}"
    );
    let (code, out, _) = run_cli(&["generate", model, "--merge", config_s, "--check"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), merged);
}

#[test]
fn merge_needs_identity_center_profiles() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let model = root().join("examples/attachments.json");
    let (code, _, err) = run_cli(&[
        "generate",
        model.to_str().unwrap(),
        "--merge",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.ends_with("error: `--merge` has nothing to merge: the model has no IAM Identity Center assignments\n"),
        "{err}"
    );
    assert!(!config.exists());
}

#[test]
fn aws_config_needs_the_sso_settings_from_the_model_or_the_flags() {
    let s = Setup::new();
    s.edit_model(|m| {
        let ic = m["identity_center"].as_object_mut().unwrap();
        ic.remove("start_url");
        ic.remove("region");
    });
    let model = s.model.to_str().unwrap().to_string();
    let run = |more: &[&str]| {
        let mut args = vec!["generate", model.as_str(), "-t", "aws-config"];
        args.extend_from_slice(more);
        let (code, out, err) = run_cli(&args);
        (code, s.shown(&out), s.shown(&err))
    };
    let (code, out, err) = run(&[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            3,
            "",
            "MODEL:/identity_center: error missing-sso-settings: the `aws-config` target needs `start_url` (the AWS access portal URL) and `region` (the region of the Identity Center instance) in `identity_center`\n  help: add them to the model, e.g. `\"start_url\": \"https://d-1234567890.awsapps.com/start\", \"region\": \"eu-west-1\"` (IAM Identity Center > Settings), or pass `--sso-start-url URL --sso-region REGION`; without them no profile could sign in\nMODEL: 1 error, 0 warnings\nMODEL: nothing generated\n"
        )
    );
    // Other targets do not need them.
    assert_eq!(
        run_cli(&["generate", model.as_str(), "-t", "policies"]).0,
        0
    );
    // The flags give them (and override the model's).
    let (code, out, _) = run(&[
        "--sso-start-url",
        "https://my-corp.awsapps.com/start",
        "--sso-region",
        "eu-central-1",
        "--sso-session",
        "corp",
        "--profile-region",
        "eu-west-1",
        "--profile-output",
        "table",
        "--profile-name",
        "development/DeveloperAccess=my-dev",
        "--no-user-configs",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out.matches("==> ").count(),
        1,
        "only aws-config/config: {out}"
    );
    assert!(out.contains("[sso-session corp]\nsso_start_url = https://my-corp.awsapps.com/start\nsso_region = eu-central-1\n"), "{out}");
    assert!(out.contains("[profile my-dev]\nsso_session = corp\nsso_account_id = 444444444444\nsso_role_name = DeveloperAccess\nregion = eu-west-1\noutput = table\n"), "{out}");
    // A placeholder or a made-up region is refused where it is written.
    s.edit_model(|m| {
        m["identity_center"]["start_url"] = "https://d-xxxxxxxxxx.awsapps.com/start".into();
        m["identity_center"]["region"] = "xx-xxxx-1".into();
    });
    let (code, _, err) = run(&[]);
    assert_eq!(code, 3);
    assert!(err.starts_with("MODEL:/identity_center/start_url: error invalid-start-url: invalid start URL `https://d-xxxxxxxxxx.awsapps.com/start`: expected `https://d-XXXXXXXXXX.awsapps.com/start` (10 hex digits) or `https://ALIAS.awsapps.com/start`\n"), "{err}");
    assert!(err.contains("MODEL:/identity_center/region: error invalid-region: invalid region `xx-xxxx-1`: expected an AWS region such as `eu-west-1` (the regions of botocore's partitions)\n"), "{err}");
    // Flags are checked by clap: a usage error.
    let e = <iam_codegen::cli::Cli as clap::Parser>::try_parse_from([
        "iam-codegen",
        "generate",
        "m.json",
        "--sso-region",
        "mars-north-1",
    ])
    .unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn the_emitter_options_are_flags() {
    let s = Setup::new();
    let model = s.model.to_str().unwrap();
    let (code, out, err) = run_cli(&[
        "generate",
        model,
        "-t",
        "terraform",
        "--tf-region",
        "eu-west-1",
        "--tf-provider-version",
        "~> 6.10",
        "--tf-assume-role-name",
        "Deployer",
        "--tf-external-users",
        "--tf-no-import-accounts",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("\"default\": \"eu-west-1\""), "{out}");
    assert!(out.contains("\"version\": \"~> 6.10\""), "{out}");
    assert!(out.contains("\"default\": \"Deployer\""), "{out}");
    assert!(out.contains("\"aws_identitystore_user\": {"), "{out}");
    assert!(!out.contains("\"import\""), "{out}");
    let (code, out, _) = run_cli(&[
        "generate",
        model,
        "-t",
        "cloudformation",
        "--cfn-max-resources",
        "5",
        "--cfn-max-outputs",
        "100",
        "--cfn-max-parameters",
        "100",
        "--cfn-inline-body",
    ]);
    assert_eq!(code, 0);
    // Five resources at most per template: the management template is split.
    assert!(out.matches("==> cloudformation/").count() > 8, "{out}");
}
