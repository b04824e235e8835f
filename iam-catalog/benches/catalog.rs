//! Look up every action name in every AWS managed policy, and expand every wildcard.
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use iam_catalog::{AwsManagedPolicy, KnownAction, expand};
use serde_json::Value;

/// Every `Action`/`NotAction` string in every managed policy document, repeats included.
fn policy_actions() -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if key == "Action" || key == "NotAction" {
                        match v {
                            Value::String(s) => out.push(s.clone()),
                            Value::Array(items) => out
                                .extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned))),
                            _ => {}
                        }
                    } else {
                        walk(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for policy in AwsManagedPolicy::all() {
        let doc: Value = serde_json::from_str(policy.document_json()).unwrap_or(Value::Null);
        walk(&doc, &mut out);
    }
    out
}

fn bench(c: &mut Criterion) {
    let all = policy_actions();
    let (wildcards, exact): (Vec<&String>, Vec<&String>) =
        all.iter().partition(|a| a.contains(['*', '?']));
    eprintln!(
        "corpus: {} action strings ({} exact, {} wildcards); {} exact names resolve",
        all.len(),
        exact.len(),
        wildcards.len(),
        exact
            .iter()
            .filter(|a| KnownAction::lookup(a).is_some())
            .count()
    );
    c.bench_function("lookup every exact action in managed policies", |b| {
        b.iter(|| {
            exact
                .iter()
                .filter(|a| KnownAction::lookup(black_box(a)).is_some())
                .count()
        })
    });
    c.bench_function("expand every wildcard in managed policies", |b| {
        b.iter(|| {
            wildcards
                .iter()
                .map(|a| expand(black_box(a)).count())
                .sum::<usize>()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
