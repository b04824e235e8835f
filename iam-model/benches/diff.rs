//! The access diff of a synthetic organization of 500 accounts, 40 permission sets, 200
//! groups, 5,000 users and 20,000 assignments against itself with one group given one more
//! permission set in one account (`iam_model::eval::diff::diff`).
//! Run: `cargo bench -p iam-model --bench diff`.
use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::model::Model;
use iam_model::model::synthetic::organization;

fn bench(c: &mut Criterion) {
    let old = organization(500, 40, 200, 5_000, 20_000);
    let mut file: serde_json::Value = serde_json::from_str(&old.to_json()).unwrap_or_default();
    if let Some(list) = file
        .pointer_mut("/identity_center/assignments")
        .and_then(|a| a.as_array_mut())
    {
        list.push(
            serde_json::json!({"group": "Group-0001", "permission_set": "PermissionSet001",
            "accounts": ["account-0250"]}),
        );
    }
    let Ok(new) = Model::from_json(&file.to_string()) else {
        return;
    };
    c.bench_function("diff 500 accounts, 20k assignments", |b| {
        b.iter(|| iam_model::eval::diff::diff(std::hint::black_box(&old), &new))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
