//! Model principals: the full access matrix of the synthetic organization (500 accounts,
//! 40 permission sets, 200 groups, 5,000 users, 20,000 assignments), and decisions per
//! second for a realistic model principal (an Identity Center user with two permission sets
//! in a production account under two OU levels of SCPs, paths resolved once), with the
//! evaluation of each path (`evaluate`) and with the decision only (`decide`).
//!
//! Run with `cargo bench -p iam-model --bench access`.
#![expect(
    clippy::unwrap_used,
    reason = "benchmark setup reads the repository's own model file"
)]
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iam_model::eval::model::{ModelEvaluator, Query, access_matrix};
use iam_model::model::Model;
use iam_model::model::synthetic::organization;

fn bench(c: &mut Criterion) {
    let synthetic = organization(500, 40, 200, 5000, 20000);
    let mut group = c.benchmark_group("access");
    group.sample_size(10);
    group.bench_function("matrix of 500 accounts, 20k assignments", |b| {
        b.iter(|| access_matrix(black_box(&synthetic)));
    });
    group.bench_function("compile the 500-account model", |b| {
        b.iter(|| ModelEvaluator::new(black_box(&synthetic)));
    });
    group.finish();

    let model = Model::from_json(include_str!("../../examples/small-team.json")).unwrap();
    let evaluator = ModelEvaluator::new(&model);
    // AWS-Developers has ReadOnlyAccess in staging; alice-style users get every group's sets.
    let principal = "group:AWS-Developers".parse().unwrap();
    let paths = evaluator.paths(&principal, "staging").unwrap();
    let queries = [
        Query::new("staging", "ec2:DescribeInstances", "*"),
        Query::new(
            "staging",
            "s3:PutObject",
            "arn:aws:s3:::app-assets/index.html",
        ),
        Query::new(
            "staging",
            "iam:CreateUser",
            "arn:aws:iam::777777777777:user/someone",
        ),
        Query::new("staging", "lambda:InvokeFunction", "*")
            .context("aws:RequestedRegion", "eu-west-1"),
    ];
    let mut group = c.benchmark_group("model-principal");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("group through its permission set, 4 decisions", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(evaluator.evaluate(black_box(&paths), q).unwrap().decision());
            }
        });
    });
    group.bench_function(
        "group through its permission set, 4 decisions, decide",
        |b| {
            b.iter(|| {
                for q in &queries {
                    black_box(evaluator.decide(black_box(&paths), q).unwrap());
                }
            });
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
