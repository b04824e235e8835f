//! The access model: every check has a fixture with exactly that defect
//! (`tests/models/invalid/NAME.json`) and the exact codes and paths it must produce
//! (`tests/models/invalid/expected.json`); bad model files give line, column and path; the
//! model reader never panics; a rich model validates cleanly and round-trips; the committed
//! JSON Schema matches the generated one (`UPDATE_GOLDEN=1` rewrites it).
use std::collections::BTreeMap;

use iam_model::model::Model;
use iam_model::{Finding, ModelError};
use proptest::prelude::*;

use crate::support::{files, root};

/// The findings of a model file: reading it, or validating what was read.
fn findings(text: &str) -> Vec<Finding> {
    match Model::from_json(text) {
        Ok(model) => iam_model::validate::validate(&model).into_findings(),
        Err(ModelError::Invalid(findings)) => findings,
        Err(e) => panic!("not a model file: {e}"),
    }
}

fn code_paths(findings: &[Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| (f.code.to_string(), f.path.clone()))
        .collect()
}

#[test]
fn every_check_fixture_gives_exactly_its_findings() {
    let dir = root().join("tests/models/invalid");
    let expected_text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    let expected: BTreeMap<String, Vec<BTreeMap<String, String>>> =
        serde_json::from_str(&expected_text).unwrap();
    let mut actual: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for path in files(&dir, "json") {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "expected" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let list = code_paths(&findings(&text))
            .into_iter()
            .map(|(code, path)| {
                BTreeMap::from([("code".to_string(), code), ("path".to_string(), path)])
            })
            .collect();
        actual.insert(name, list);
    }
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(
            dir.join("expected.json"),
            iam_model::json::to_pretty(&actual),
        )
        .unwrap();
        return;
    }
    // A fixture without an expectation, or an expectation without a fixture, fails here.
    pretty_assertions::assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    pretty_assertions::assert_eq!(actual, expected);
    for (name, list) in &actual {
        assert!(!list.is_empty(), "fixture `{name}` has no finding");
    }
}

#[test]
fn the_rich_model_validates_and_round_trips() {
    let text =
        std::fs::read_to_string(root().join("tests/models/valid/organization.json")).unwrap();
    let model = Model::from_json(&text).unwrap();
    // Only the practice warning for the CLI-only developer with access keys.
    let report = iam_model::validate::validate(&model);
    let found: Vec<(&str, &str)> = report
        .findings()
        .iter()
        .map(|f| (f.code, f.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "human-access-key",
            "/accounts/production/iam/users/dev-john/programmatic_access"
        )]
    );
    let written = model.to_json();
    let again = Model::from_json(&written).unwrap();
    assert_eq!(again, model);
    // Writing is deterministic and a fixed point.
    assert_eq!(again.to_json(), written);
    assert!(written.ends_with("}\n"));
}

#[test]
fn the_synthetic_organization_round_trips_and_validates() {
    let model = iam_model::model::synthetic::organization(20, 5, 10, 50, 200);
    let report = iam_model::validate::validate(&model);
    assert_eq!(report.findings(), []);
    assert_eq!(Model::from_json(&model.to_json()).unwrap(), model);
}

fn json_error(text: &str) -> String {
    match Model::from_json(text) {
        Err(ModelError::Json(e)) => e.to_string(),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn bad_model_files_say_where_and_what_was_expected() {
    assert_eq!(
        json_error("{\"version\": 1,\n \"organization\": {\"management_account\": 7}}"),
        "line 2 column 41 (at `/organization/management_account`): invalid type: integer `7`, expected a string"
    );
    assert_eq!(
        json_error(
            "{\"version\": 1, \"organization\": {\"management_account\": \"m\"},\n \"accounts\": {\"m\": {\"id\": \"111111111111\", \"email\": \"a@b.co\", \"environment\": \"management\", \"owner\": \"x\"}}}"
        ),
        "line 2 column 97 (at `/accounts/m/owner`): unknown field `owner`, expected one of `id`, `email`, `environment`, `unit`, `tags`, `budget`, `iam`, `create`"
    );
    assert_eq!(
        json_error("{\"version\": 1,"),
        "line 1 column 14: EOF while parsing a value"
    );
    assert_eq!(
        json_error("{\"version\": 1}"),
        "line 1 column 14: missing field `organization`"
    );
}

/// Valid JSON values that are near a real model: the rich model with one value replaced.
fn mutated(seed: Vec<(usize, u8)>) -> String {
    let text =
        std::fs::read_to_string(root().join("tests/models/valid/organization.json")).unwrap();
    let mut bytes = text.into_bytes();
    for (pos, byte) in seed {
        let len = bytes.len();
        if let Some(b) = bytes.get_mut(pos % len) {
            *b = byte;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn the_model_reader_never_panics_on_mutated_files(seed in proptest::collection::vec((0usize..20_000, 0x20u8..0x7f), 1..8)) {
        let text = mutated(seed);
        if let Ok(model) = Model::from_json(&text) {
            let _ = iam_model::validate::validate(&model);
            prop_assert_eq!(Model::from_json(&model.to_json()).unwrap(), model);
        }
    }

    #[test]
    fn the_model_reader_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = Model::from_json(&text);
    }
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let path = root().join("schema/model-v1.json");
    let generated = iam_model::model::file::json_schema();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    pretty_assertions::assert_eq!(committed, generated);
}

/// A model with an OU baseline and two accounts under the OU.
fn with_baseline(account_iam: &str) -> String {
    format!(
        r#"{{"version": 1,
  "organization": {{"management_account": "m", "units": {{"W": {{"baseline": {{"roles": {{"r": {{
    "trust_policy": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
      "Principal": {{"AWS": "arn:aws:iam::111111111111:root"}}, "Action": "sts:AssumeRole"}}]}},
    "customer_managed_policies": ["Nope"]}}}}}}}}}}}},
  "accounts": {{
    "m": {{"id": "111111111111", "email": "m@example.com", "environment": "management"}},
    "a": {{"id": "222222222222", "email": "a@example.com", "environment": "development", "unit": "W"{account_iam}}},
    "b": {{"id": "333333333333", "email": "b@example.com", "environment": "testing", "unit": "W"}}
  }}}}"#
    )
}

#[test]
fn a_finding_in_a_baseline_is_reported_once_at_its_path_in_the_baseline() {
    let model = Model::from_json(&with_baseline("")).unwrap();
    // Both accounts have the role; the finding is the baseline's.
    assert!(model.account("a").unwrap().iam().roles().contains_key("r"));
    assert!(model.account("b").unwrap().iam().roles().contains_key("r"));
    let report = iam_model::validate::validate(&model);
    let found: Vec<(&str, &str)> = report
        .findings()
        .iter()
        .map(|f| (f.code, f.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "unknown-policy",
            "/organization/units/W/baseline/roles/r/customer_managed_policies/0"
        )]
    );
}

#[test]
fn an_account_entity_with_a_baseline_entity_s_name_is_an_error() {
    let text = with_baseline(
        r#", "iam": {"roles": {"r": {"trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}}"#,
    );
    let Err(ModelError::Invalid(findings)) = Model::from_json(&text) else {
        panic!("expected findings");
    };
    let found: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| (f.code, f.path.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "baseline-collision",
            "/accounts/a/iam/roles/r",
            "`r` is also in the baseline of OU `W`, which every account under it gets"
        )]
    );
}
