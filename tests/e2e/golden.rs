//! Golden artifacts: every example model (`examples/*.json`, sorted) × every target, with
//! default options, compared byte for byte with `tests/golden/<example>/<target>/<path>`
//! (`UPDATE_GOLDEN=1` rewrites them and removes stale ones; never in CI). A golden file
//! with no matching example or artifact fails the run; every JSON golden re-parses, and
//! every policy golden reads back as a policy of its kind that writes the same bytes.
//! Also: no artifact holds a secret, and generation is deterministic.
use std::collections::BTreeSet;

use iam_codegen::emit::{self, Artifacts, EmitOptions, Target};
use iam_model::Policy;
use iam_model::model::Model;
use iam_model::policy::kind::{Identity, PermissionSet, Rcp, Scp, Trust};

use crate::secrets;
use crate::support::{assert_golden, examples, root, update_golden, walk};

fn generate_all(model: &Model) -> Artifacts {
    emit::generate(model, &Target::ALL, &EmitOptions::default()).unwrap()
}

fn read_example(path: &std::path::Path) -> Model {
    Model::from_json(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("example `{}` does not read: {e}", path.display()))
}

#[test]
fn every_artifact_of_every_example_matches_its_golden() {
    let examples = examples();
    assert!(!examples.is_empty(), "no example models in `examples/`");
    let mut expected = BTreeSet::new();
    for (name, path) in &examples {
        for (artifact, bytes) in generate_all(&read_example(path)).iter() {
            let relative = format!("{name}/{artifact}");
            let text =
                std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("`{relative}` is not UTF-8"));
            assert_golden(&relative, text);
            expected.insert(relative);
        }
    }
    let golden_dir = root().join("tests/golden");
    let stale: Vec<String> = walk(&golden_dir)
        .into_iter()
        .filter(|g| !expected.contains(g))
        .collect();
    if update_golden() {
        for g in &stale {
            std::fs::remove_file(golden_dir.join(g)).unwrap();
        }
        return;
    }
    assert_eq!(
        stale,
        Vec::<String>::new(),
        "golden files with no example or artifact (run `UPDATE_GOLDEN=1 cargo test` to remove them)"
    );
}

/// The policy kind of a golden under `<example>/policies/`, by its place in the layout
/// of `iam_codegen::emit::policies`.
fn check_policy_golden(relative: &str, text: &str) {
    let rewritten = if relative.contains("/policies/organization/scps/") {
        Policy::<Scp>::from_json(text).map(|p| p.to_json_pretty())
    } else if relative.contains("/policies/organization/rcps/") {
        Policy::<Rcp>::from_json(text).map(|p| p.to_json_pretty())
    } else if relative.contains("/policies/identity-center/permission-sets/") {
        Policy::<PermissionSet>::from_json(text).map(|p| p.to_json_pretty())
    } else if relative.ends_with("/trust.json") {
        Policy::<Trust>::from_json(text).map(|p| p.to_json_pretty())
    } else {
        Policy::<Identity>::from_json(text).map(|p| p.to_json_pretty())
    };
    let rewritten =
        rewritten.unwrap_or_else(|e| panic!("golden `{relative}` is not a policy: {e}"));
    pretty_assertions::assert_eq!(rewritten, text, "golden `{relative}` does not round-trip");
}

#[test]
fn every_golden_reparses() {
    let golden_dir = root().join("tests/golden");
    let mut policies = 0;
    for relative in walk(&golden_dir) {
        let text = std::fs::read_to_string(golden_dir.join(&relative)).unwrap();
        if relative.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("golden `{relative}` is not JSON: {e}"));
        }
        if relative.split('/').nth(1) == Some("policies") {
            check_policy_golden(&relative, &text);
            policies += 1;
        }
    }
    assert!(policies > 0, "no policy goldens");
}

#[test]
fn no_artifact_holds_a_secret() {
    for (name, path) in examples() {
        for (artifact, bytes) in generate_all(&read_example(&path)).iter() {
            let hits = secrets::scan(artifact, &String::from_utf8_lossy(bytes));
            assert_eq!(hits, Vec::<String>::new(), "{name}/{artifact}");
        }
    }
    let synthetic = iam_model::model::synthetic::organization(6, 3, 3, 6, 12);
    for (artifact, bytes) in generate_all(&synthetic).iter() {
        let hits = secrets::scan(artifact, &String::from_utf8_lossy(bytes));
        assert_eq!(hits, Vec::<String>::new(), "synthetic/{artifact}");
    }
}

#[test]
fn generating_is_deterministic() {
    let mut models: Vec<Model> = examples().iter().map(|(_, p)| read_example(p)).collect();
    models.push(iam_model::model::synthetic::organization(6, 3, 3, 6, 12));
    for model in models {
        let first = generate_all(&model);
        assert_eq!(generate_all(&model), first, "a second run differs");
        let reread = Model::from_json(&model.to_json()).unwrap();
        assert_eq!(
            generate_all(&reread),
            first,
            "a model written and read back generates other bytes"
        );
        assert!(!first.is_empty());
    }
}
