//! Decisions per second for a realistic workload: 10 policies of 20 statements each (six
//! identity-based policies, two SCP levels, a permissions boundary and a bucket policy), with
//! wildcards in actions and resources, policy variables and conditions.
//!
//! Run with `cargo bench -p iam-model --bench eval`.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark setup reads literal policies and indexes fixed tables modulo their length"
)]
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iam_model::eval::{OrgLevel, PolicySet, Request, evaluate};
use iam_model::policy::{AccountId, Policy, PolicyDocument, kind};

const SERVICES: [&str; 10] = [
    "s3",
    "ec2",
    "iam",
    "dynamodb",
    "lambda",
    "sqs",
    "sns",
    "kms",
    "logs",
    "cloudwatch",
];
const VERBS: [&str; 5] = ["Get*", "List*", "Describe*", "Put?bject", "Create*"];
const CONDITIONS: [&str; 5] = [
    "",
    r#","Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}"#,
    r#","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}"#,
    r#","Condition":{"Bool":{"aws:SecureTransport":"true"},"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#,
    r#","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["team","env"]},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#,
];

// Statement `i` of policy `p`: a few actions of one or two services, an ARN with wildcards.
fn statement(p: usize, i: usize, principal: bool) -> String {
    let service = SERVICES[(p * 7 + i) % SERVICES.len()];
    let other = SERVICES[(p + i * 3) % SERVICES.len()];
    let verb = VERBS[(p + i) % VERBS.len()];
    let effect = if (p + i) % 9 == 4 { "Deny" } else { "Allow" };
    let resource = match i % 4 {
        0 => "*".to_string(),
        1 => format!("arn:aws:{service}:*:111122223333:team-{p}/*"),
        2 => "arn:aws:s3:::home/${aws:username}/*".to_string(),
        _ => format!("arn:aws:{service}:eu-*:*:*"),
    };
    let principal = if principal {
        r#""Principal":{"AWS":"arn:aws:iam::111122223333:root"},"#
    } else {
        ""
    };
    format!(
        r#"{{"Sid":"S{p}x{i}","Effect":"{effect}",{principal}"Action":["{service}:{verb}","{other}:Describe*","{service}:Tag?esource"],"Resource":"{resource}"{}}}"#,
        CONDITIONS[i % CONDITIONS.len()]
    )
}

fn policy(p: usize, principal: bool) -> String {
    policy_with(p, principal, 20, None)
}

fn policy_with(p: usize, principal: bool, count: usize, last: Option<&str>) -> String {
    let mut statements: Vec<String> = (0..count).map(|i| statement(p, i, principal)).collect();
    statements.extend(last.map(str::to_string));
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn identity(p: usize) -> PolicyDocument {
    Policy::<kind::Identity>::from_json(&policy(p, false))
        .unwrap()
        .into_document()
}

fn workload() -> PolicySet {
    let mut set = PolicySet::new();
    for p in 0..6 {
        set = set.identity(&format!("identity-{p}"), identity(p));
    }
    // Each SCP level: 19 generated statements and an allow of everything, so that the levels
    // let requests through to the identity policies.
    for (l, name) in ["Root", "Workloads"].iter().enumerate() {
        let text = policy_with(
            6 + l,
            false,
            19,
            Some(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
        );
        let scp = Policy::<kind::Scp>::from_json(&text)
            .unwrap()
            .into_document();
        set = set.scp_level(OrgLevel::new(*name).policy("guardrails", scp));
    }
    set = set.boundary("boundary", identity(8));
    let bucket = Policy::<kind::ResourceBased>::from_json(&policy(9, true))
        .unwrap()
        .into_document();
    set.resource_policy("bucket", bucket)
}

fn requests() -> Vec<Request> {
    let alice = "arn:aws:iam::111122223333:user/alice";
    let cases = [
        ("s3:GetObject", "arn:aws:s3:::home/alice/notes.txt"),
        ("s3:PutObject", "arn:aws:s3:::home/bob/notes.txt"),
        ("ec2:DescribeInstances", "*"),
        (
            "dynamodb:GetItem",
            "arn:aws:dynamodb:eu-west-1:111122223333:table/orders",
        ),
        ("iam:CreateUser", "arn:aws:iam::111122223333:user/mallory"),
        ("lambda:ListFunctions", "*"),
        ("kms:Decrypt", "arn:aws:kms:eu-west-1:111122223333:key/1234"),
        (
            "sqs:SendMessage",
            "arn:aws:sqs:eu-west-1:111122223333:team-3/queue",
        ),
    ];
    cases
        .iter()
        .map(|(action, resource)| {
            Request::new(alice.parse().unwrap(), action, resource)
                .resource_account(AccountId::from_static("111122223333"))
                .context("aws:RequestedRegion", ["eu-west-1"])
                .context("aws:SourceIp", ["203.0.113.7"])
                .context("aws:SecureTransport", ["true"])
                .context("s3:prefix", ["home/alice/"])
                .context("aws:TagKeys", ["team", "cost"])
                .context("aws:MultiFactorAuthAge", ["600"])
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let set = workload();
    let requests = requests();
    let decisions: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.action(), evaluate(&set, r).decision()))
        .collect();
    eprintln!("workload decisions: {}", decisions.join(", "));
    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("decisions", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(evaluate(black_box(&set), black_box(r)).decision());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
