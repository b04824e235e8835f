//! Generating every target (`emit::generate` with `Target::ALL`, the model validated first)
//! for the synthetic organization of 500 accounts, 40 permission sets, 200 groups, 5,000
//! users and 20,000 assignments, and for the doubled one (1,000 accounts, 40,000
//! assignments). Run: `cargo bench -p iam-codegen --bench generate`. Peak memory:
//! `cargo run --release -p iam-codegen --example generate_memory -- 500 40 200 5000 20000`.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iam_codegen::emit::{EmitOptions, Target, generate};
use iam_model::model::synthetic::organization;

fn bench(c: &mut Criterion) {
    let options = EmitOptions::default();
    let mut group = c.benchmark_group("generate all targets");
    for (accounts, users, assignments) in [(500, 5_000, 20_000), (1_000, 10_000, 40_000)] {
        let model = organization(accounts, 40, 200, users, assignments);
        let id =
            BenchmarkId::from_parameter(format!("{accounts} accounts, {assignments} assignments"));
        group.bench_with_input(id, &model, |b, model| {
            b.iter(|| generate(std::hint::black_box(model), &Target::ALL, &options))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
