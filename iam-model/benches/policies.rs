//! Parse and check every AWS managed policy document (`data/iam/managed-policies/*.json`) as an
//! `aws-managed` policy. Target: all 1,594 in under 50 ms on one core in release mode.
//!
//! Run with `cargo bench -p iam-model --bench policies`.
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::PolicyKind;
use iam_model::policy::{Policy, kind::AwsManaged};
use iam_model::validate::check_policy_json;
use iam_model::validate::policy::read_raw;

/// The policy documents, pretty-printed as `aws iam get-policy-version` returns them.
#[expect(
    clippy::expect_used,
    reason = "a benchmark without its data set cannot run; failing loudly is the point"
)]
fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/iam/managed-policies");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the managed policy snapshot is in data/iam/managed-policies")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("a readable policy file");
            let entry: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            let document = entry.get("Document").expect("a `Document` element");
            serde_json::to_string_pretty(document).expect("printable JSON")
        })
        .collect()
}

fn managed_policies(c: &mut Criterion) {
    let corpus = corpus();
    assert_eq!(corpus.len(), 1594, "the managed policy snapshot changed");
    let bytes: usize = corpus.iter().map(String::len).sum();
    println!(
        "{} managed policies, {:.1} MB of JSON",
        corpus.len(),
        bytes as f64 / 1e6
    );

    let mut group = c.benchmark_group("managed-policies");
    group.sample_size(20);
    group.bench_function("check_policy_json (all 1594)", |b| {
        b.iter(|| {
            let mut findings = 0;
            for text in &corpus {
                if let Ok(report) = check_policy_json(black_box(text), PolicyKind::AwsManaged) {
                    findings += report.findings().len();
                }
            }
            findings
        });
    });
    // The share of the time spent in serde, reading into the raw mirror.
    group.bench_function("read_raw only (all 1594)", |b| {
        b.iter(|| {
            corpus
                .iter()
                .filter(|text| read_raw(black_box(text)).is_ok())
                .count()
        });
    });
    group.bench_function("Policy::from_json (all 1594)", |b| {
        b.iter(|| {
            corpus
                .iter()
                .filter(|text| Policy::<AwsManaged>::from_json(black_box(text)).is_ok())
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, managed_policies);
criterion_main!(benches);
