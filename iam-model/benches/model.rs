//! Validating and loading a synthetic organization of 500 accounts, 40 permission sets,
//! 200 groups, 5,000 users and 20,000 assignments
//! (`iam_model::model::synthetic::organization`), and the same organization where every
//! permission set also holds `PowerUserAccess` and `iam:PassRole` + `lambda:CreateFunction` +
//! `lambda:InvokeFunction` on `*`: the worst case of the `privilege-escalation` check, which
//! asks the evaluator every escalation method in every account where a set is provisioned.
//! Run: `cargo bench -p iam-model --bench model`.
#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark setup changes the synthetic organization's own model file"
)]
use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::model::Model;
use iam_model::model::synthetic::organization;

fn bench(c: &mut Criterion) {
    let model = organization(500, 40, 200, 5_000, 20_000);
    let text = model.to_json();
    c.bench_function("validate 500 accounts, 20k assignments", |b| {
        b.iter(|| iam_model::validate::validate(std::hint::black_box(&model)))
    });
    let escalating = escalating(&text);
    c.bench_function(
        "validate 500 accounts, 20k assignments, every permission set escalates",
        |b| b.iter(|| iam_model::validate::validate(std::hint::black_box(&escalating))),
    );
    c.bench_function("load 500 accounts, 20k assignments", |b| {
        b.iter(|| Model::from_json(std::hint::black_box(&text)))
    });
}

/// The model with `PowerUserAccess` and an escalating statement in every permission set.
fn escalating(text: &str) -> Model {
    let mut doc: serde_json::Value = serde_json::from_str(text).expect("the model is JSON");
    let sets = doc["identity_center"]["permission_sets"]
        .as_object_mut()
        .expect("the synthetic organization has permission sets");
    for set in sets.values_mut() {
        set["aws_managed_policies"] = serde_json::json!(["PowerUserAccess"]);
        set["inline_policy"]["Statement"] = serde_json::json!([{
            "Effect": "Allow",
            "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
            "Resource": "*"
        }]);
    }
    Model::from_json(&doc.to_string()).expect("the changed model reads back")
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
