//! Decisions per second on the condition-heavy workload of issue 13 (see
//! `workload/conditions.rs`): 10 identity policies × 20 statements, ~80% with conditions
//! from 13 operators, `${aws:username}` in some resources, 100,000 same-account requests
//! over s3, ec2, dynamodb, sqs, lambda and sns with 3–10 context keys each.
//!
//! Run with `cargo bench -p iam-model --bench eval_conditions -- --sample-size 10`.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark setup reads generated policies and indexes fixed tables"
)]
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iam_model::eval::{Decision, PolicySet, Request, decide, evaluate};
use iam_model::policy::{AccountId, Policy, kind};

#[path = "workload/conditions.rs"]
mod workload;

const REQUESTS: usize = 100_000;

fn set() -> PolicySet {
    workload::policies()
        .iter()
        .enumerate()
        .fold(PolicySet::new(), |set, (i, text)| {
            let doc = Policy::<kind::Identity>::from_json(text)
                .unwrap()
                .into_document();
            set.identity(&format!("p{i}"), doc)
        })
}

fn build(spec: &workload::RequestSpec) -> Request {
    let mut r = Request::new(
        spec.principal.parse().unwrap(),
        &spec.action,
        &spec.resource,
    )
    .resource_account(AccountId::from_static(workload::ACCOUNT));
    for (key, values) in &spec.context {
        r = r.context(key, values.iter().map(String::as_str));
    }
    r
}

fn bench(c: &mut Criterion) {
    let set = set();
    let specs = workload::requests(REQUESTS);
    let requests: Vec<Request> = specs.iter().map(build).collect();
    let mut counts = [0usize; 3];
    for r in &requests {
        counts[match evaluate(&set, r).decision() {
            Decision::Allowed => 0,
            Decision::ExplicitlyDenied => 1,
            Decision::ImplicitlyDenied => 2,
        }] += 1;
    }
    eprintln!(
        "workload: {REQUESTS} requests: {} allowed, {} explicitly denied, {} implicitly denied",
        counts[0], counts[1], counts[2]
    );
    let mut group = c.benchmark_group("eval_conditions");
    group.throughput(Throughput::Elements(REQUESTS as u64));
    group.bench_function("decisions", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(evaluate(black_box(&set), black_box(r)).decision());
            }
        })
    });
    group.bench_function("decide", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(decide(black_box(&set), black_box(r)));
            }
        })
    });
    group.bench_function("build_request_and_decide", |b| {
        b.iter(|| {
            for spec in &specs {
                let r = build(spec);
                black_box(decide(black_box(&set), &r));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
