//! Importing the export of a synthetic organization of 500 accounts, 40 permission sets,
//! 200 groups, 5,000 users and 20,000 assignments (`iam_model::import::export_of` of
//! `iam_model::model::synthetic::organization`). Run: `cargo bench -p iam-model --bench import`.
use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::model::synthetic::organization;

fn bench(c: &mut Criterion) {
    let files = iam_model::import::export_of(&organization(500, 40, 200, 5_000, 20_000));
    c.bench_function("import 500 accounts, 20k assignments", |b| {
        b.iter(|| iam_model::import::import(std::hint::black_box(&files)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
