//! The access diff of a synthetic organization of 500 accounts, 40 permission sets, 200
//! groups, 5,000 users and 20,000 assignments against itself with one group given one more
//! permission set in one account, and against itself with 400 users renamed and given a new
//! email (`iam_model::eval::diff::diff`).
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
    // 400 Identity Center users get a new user name and email (`userNNNNN@example.com` ->
    // `uNNNNN@example.org`): neither an exact nor an email match, found by similarity.
    let mut file: serde_json::Value = serde_json::from_str(&old.to_json()).unwrap_or_default();
    if let Some(users) = file
        .pointer_mut("/identity_center/users")
        .and_then(|u| u.as_object_mut())
    {
        for i in 1..=400 {
            let old_name = format!("user{i:05}@example.com");
            let new_name = format!("u{i:05}@example.org");
            if let Some(mut user) = users.remove(&old_name) {
                if let Some(email) = user.get_mut("email") {
                    *email = serde_json::Value::from(new_name.clone());
                }
                users.insert(new_name, user);
            }
        }
    }
    let Ok(renamed) = Model::from_json(&file.to_string()) else {
        return;
    };
    c.bench_function(
        "diff 500 accounts, 400 users renamed with a new email",
        |b| b.iter(|| iam_model::eval::diff::diff(std::hint::black_box(&old), &renamed)),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
