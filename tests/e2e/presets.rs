//! The presets: each exists as a Rust function (`iam_model::presets`, the one source of
//! truth), as the model file `examples/<name>.json` (the function's `to_json()` byte for
//! byte, rewritten by `UPDATE_GOLDEN=1`) and as the example program `examples/<name>.rs`
//! (which calls the function). Every preset validates without errors, with exactly the
//! warnings listed here (each one a trade-off the seed makes on purpose), and
//! `iam-codegen validate` and `iam-codegen init` agree with the library.
use std::collections::BTreeSet;

use iam_model::model::Model;
use iam_model::presets;

use crate::support::{files, root};

/// The warnings each preset is expected to give, as (code, path), and why.
fn expected_warnings(name: &str) -> Vec<(&'static str, &'static str)> {
    match name {
        // One account is both the management account and the workplace: the guide's
        // single-account setup assigns DeveloperAccess there on purpose.
        "single-account" => vec![(
            "management-account-access",
            "/identity_center/assignments/1/accounts/0",
        )],
        // The IAM user fallback: the guide's CLI-only developer has access keys, and the
        // one account also runs production with PowerUserAccess developers.
        "iam-users" => vec![
            (
                "sensitive-data-on-any-resource",
                "/accounts/main/iam/policies/TesterPolicy/document/Statement/1/Action/3",
            ),
            (
                "human-access-key",
                "/accounts/main/iam/users/dev-john/programmatic_access",
            ),
            (
                "developer-production-write",
                "/accounts/main/iam/groups/Developers",
            ),
        ],
        // The seed's "example tester policy concept" reads application data (`s3:GetObject`)
        // on `*`; the warning asks to name the test buckets.
        "small-team" => vec![
            (
                "sensitive-data-on-any-resource",
                "/identity_center/permission_sets/SandboxTesterAccess/inline_policy/Statement/1/Action/3",
            ),
            (
                "sensitive-data-on-any-resource",
                "/identity_center/permission_sets/TesterAccess/inline_policy/Statement/1/Action/3",
            ),
        ],
        "sandbox" => vec![(
            "sensitive-data-on-any-resource",
            "/identity_center/permission_sets/SandboxTesterAccess/inline_policy/Statement/1/Action/3",
        )],
        // The seed's developer deploys the backend into the one (production) account, so the
        // group writes there; the writes are scoped to the backend (instances tagged
        // `Project` = `backend`, `backend-*` load balancers and databases), never `*`.
        "web-backend" => vec![(
            "developer-production-write",
            "/accounts/main/iam/groups/BackendDevelopers",
        )],
        _ => vec![],
    }
}

fn run(args: &[&str]) -> (iam_codegen::cli::ExitStatus, String, String) {
    use clap::Parser;
    let cli = iam_codegen::cli::Cli::try_parse_from(args).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = iam_codegen::cli::run(cli, &mut out, &mut err).unwrap();
    (
        status,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn every_preset_file_is_its_function_and_reads_back_equal() {
    let dir = root().join("examples");
    for preset in &presets::ALL {
        let model = (preset.build)();
        let text = model.to_json();
        let path = dir.join(format!("{}.json", preset.name));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let file = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        pretty_assertions::assert_eq!(file, text, "{}", preset.name);
        assert_eq!(Model::from_json(&file).unwrap(), model, "{}", preset.name);
        assert!(
            dir.join(format!("{}.rs", preset.name)).exists(),
            "{} has no example program",
            preset.name
        );
    }
    // Every program in examples/ is a preset; every model file is a preset or one of the
    // hand-written examples that exercise the emitters beyond the presets.
    const HAND_WRITTEN: [&str; 3] = ["attachments", "organization", "organization-at-scale"];
    let names: BTreeSet<String> = presets::ALL.iter().map(|p| p.name.to_string()).collect();
    for ext in ["json", "rs"] {
        for path in files(&dir, ext) {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let allowed =
                names.contains(&stem) || (ext == "json" && HAND_WRITTEN.contains(&stem.as_str()));
            assert!(allowed, "{} is not a preset", path.display());
        }
    }
}

#[test]
fn every_preset_validates_with_exactly_its_expected_warnings() {
    for preset in &presets::ALL {
        let report = iam_model::validate::validate(&(preset.build)());
        let errors: Vec<_> = report.errors().collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", preset.name);
        let warnings: Vec<(&str, &str)> = report
            .warnings()
            .map(|f| (f.code, f.path.as_str()))
            .collect();
        pretty_assertions::assert_eq!(warnings, expected_warnings(preset.name), "{}", preset.name);
    }
}

#[test]
fn every_preset_is_named_once_and_has_assertions() {
    let names: BTreeSet<&str> = presets::ALL.iter().map(|p| p.name).collect();
    assert_eq!(names.len(), presets::ALL.len());
    for preset in &presets::ALL {
        assert!(!(preset.build)().assertions().is_empty(), "{}", preset.name);
    }
}

#[test]
fn the_cli_validates_every_example_cleanly() {
    for preset in &presets::ALL {
        let path = root().join(format!("examples/{}.json", preset.name));
        let (status, _out, _err) = run(&["iam-codegen", "validate", path.to_str().unwrap()]);
        assert_eq!(status.code(), 0, "{}", preset.name);
    }
}

#[test]
fn init_lists_and_writes_presets() {
    let (status, out, _) = run(&["iam-codegen", "init", "--list"]);
    assert_eq!(status.code(), 0);
    let listed: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        listed,
        presets::ALL.iter().map(|p| p.name).collect::<Vec<_>>()
    );

    let (status, out, _) = run(&["iam-codegen", "init", "--preset", "sandbox"]);
    assert_eq!(status.code(), 0);
    assert_eq!(out, presets::sandbox().to_json());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.json");
    let file_arg = file.to_str().unwrap();
    let (status, out, err) = run(&[
        "iam-codegen",
        "init",
        "--preset",
        "third-party",
        "-o",
        file_arg,
    ]);
    assert_eq!(status.code(), 0);
    assert_eq!(out, "");
    assert!(err.starts_with("wrote `"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        presets::third_party().to_json()
    );

    // An existing file is kept unless --force.
    use clap::Parser;
    let cli = iam_codegen::cli::Cli::try_parse_from([
        "iam-codegen",
        "init",
        "--preset",
        "sandbox",
        "-o",
        file_arg,
    ])
    .unwrap();
    let e = iam_codegen::cli::run(cli, &mut Vec::new(), &mut Vec::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("`{}` exists; pass --force to replace it", file.display())
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        presets::third_party().to_json()
    );
    let (status, _, _) = run(&[
        "iam-codegen",
        "init",
        "--preset",
        "sandbox",
        "-o",
        file_arg,
        "--force",
    ]);
    assert_eq!(status.code(), 0);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        presets::sandbox().to_json()
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // An unknown preset is a usage error (exit 2), listing the presets.
    let e = iam_codegen::cli::Cli::try_parse_from(["iam-codegen", "init", "--preset", "big-team"])
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.render().to_string().lines().next().unwrap(),
        "error: invalid value 'big-team' for '--preset <NAME>'"
    );
    assert!(
        e.render().to_string().contains(
            "[possible values: small-team, single-account, sandbox, iam-users, third-party, dev-partner, web-backend]"
        ),
        "{}",
        e.render()
    );
    assert!(iam_codegen::cli::Cli::try_parse_from(["iam-codegen", "init"]).is_err());
}
