//! Validating and loading a synthetic organization of 500 accounts, 40 permission sets,
//! 200 groups, 5,000 users and 20,000 assignments
//! (`iam_model::model::synthetic::organization`). Run: `cargo bench -p iam-model --bench model`.
use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::model::Model;
use iam_model::model::synthetic::organization;

fn bench(c: &mut Criterion) {
    let model = organization(500, 40, 200, 5_000, 20_000);
    let text = model.to_json();
    c.bench_function("validate 500 accounts, 20k assignments", |b| {
        b.iter(|| iam_model::validate::validate(std::hint::black_box(&model)))
    });
    c.bench_function("load 500 accounts, 20k assignments", |b| {
        b.iter(|| Model::from_json(std::hint::black_box(&text)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
