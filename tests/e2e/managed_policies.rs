//! Every AWS managed policy document parses, has no error-severity finding as an
//! `aws-managed` policy, and round-trips: parse → print → parse gives an equal policy.
use iam_model::PolicyKind;
use iam_model::policy::{Policy, kind::AwsManaged};
use iam_model::validate::check_policy_json;

use crate::support::{files, root};

fn corpus() -> Vec<(String, String)> {
    let dir = root().join("data/iam/managed-policies");
    files(&dir, "json")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let entry: serde_json::Value = serde_json::from_str(&text).unwrap();
            let document = serde_json::to_string_pretty(&entry["Document"]).unwrap();
            (
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                document,
            )
        })
        .collect()
}

#[test]
fn the_corpus_is_complete() {
    assert_eq!(corpus().len(), 1594);
}

#[test]
fn every_managed_policy_parses_checks_and_round_trips() {
    let mut failures = Vec::new();
    for (name, document) in corpus() {
        let report = check_policy_json(&document, PolicyKind::AwsManaged).unwrap();
        for finding in report.errors() {
            failures.push(format!("{name}: {finding}"));
        }
        match Policy::<AwsManaged>::from_json(&document) {
            Ok(policy) => {
                let printed = policy.to_json_pretty();
                let again = Policy::<AwsManaged>::from_json(&printed).unwrap();
                if again != policy {
                    failures.push(format!("{name}: round trip changed the policy"));
                }
                // The compact form is what AWS would store: same content, no white space.
                let compact: serde_json::Value =
                    serde_json::from_str(&policy.to_json_compact()).unwrap();
                let original: serde_json::Value = serde_json::from_str(&document).unwrap();
                if compact != original {
                    failures.push(format!("{name}: printed JSON differs from the original"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn size_limits_bind_customer_policies_not_aws_managed_ones() {
    let mut over = 0;
    for (_, document) in corpus() {
        let size = iam_model::policy::size::aws_size(&document);
        if size > 6144 {
            over += 1;
            let as_identity = check_policy_json(&document, PolicyKind::Identity).unwrap();
            assert!(as_identity.errors().any(|f| f.code == "policy-too-large"));
        }
    }
    assert_eq!(over, 81);
}

/// The findings the catalogue checks report on AWS's own policies. Deprecated actions are
/// expected (AWS managed policies still name retired services); every other finding must be
/// listed, with its reason, in `tests/managed-policies/exceptions.tsv`.
/// `UPDATE_GOLDEN=1 cargo test` rewrites the list (keeping its header); review with `git diff`.
#[test]
fn catalogue_findings_on_managed_policies_are_all_explained() {
    let mut found = Vec::new();
    for (name, document) in corpus() {
        let report = check_policy_json(&document, PolicyKind::AwsManaged).unwrap();
        for f in report.findings() {
            if f.code != "deprecated-action" {
                found.push(format!("{name}\t{}\t{}", f.code, f.path));
            }
        }
    }
    let path = root().join("tests/managed-policies/exceptions.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let mut out = header.join("\n");
        out.push('\n');
        for line in &found {
            out.push_str(line);
            out.push('\n');
        }
        std::fs::write(&path, out).unwrap();
        return;
    }
    let expected: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(String::from)
        .collect();
    pretty_assertions::assert_eq!(found, expected);
    // Every listed code has its reason in the header.
    for code in ["resource-type-mismatch", "unsupported-condition-key"] {
        assert!(
            header.iter().any(|h| h.contains(code)),
            "no reason given for {code}"
        );
    }
}
