//! Times `simulate --cases` on a JSON Lines batch in-process, against what it cannot avoid:
//! parsing the JSON, and the library's work (build each request, evaluate it).
//!
//! `cargo run --release -p iam-codegen --example simulate_overhead -- FILE.jsonl [parse|library|cli]`
//! (make the file with `cargo run --release -p iam-model --example conditions_workload -- 100000`)
//! prints the milliseconds of each part (CPU time of the thread where Linux says it, so a
//! loaded machine does not skew it; wall time elsewhere) and the ratio cli / (parse + library). Naming one part
//! runs only that one, which is what a profiler wants to look at.
//!
//! - `parse`: each line into a typed case, as the CLI reads it (policies by id, the principal
//!   as a JSON value, context values as one string or several).
//! - `library`: from the parsed cases, the request built and evaluated with the explanation
//!   the CLI prints, against the header's policies compiled once.
//! - `cli`: `iam_codegen::cli::run` on `simulate --cases FILE --format json`, the function
//!   the binary calls, writing to a sink.
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use clap::Parser as _;
use iam_model::eval::{PolicySet, Request, RequestPrincipal, evaluate};
use iam_model::json::OneOrMany;
use iam_model::policy::{AccountId, Policy, kind};
use serde::Deserialize;

#[derive(Deserialize)]
struct Header {
    policies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
// Read for the parse, as the CLI reads them; the library part uses the header's policies.
#[expect(
    dead_code,
    reason = "parsed as the CLI parses it, not all of it is used here"
)]
struct Case {
    id: String,
    #[serde(default)]
    identity_policies: Vec<serde_json::Value>,
    request: RequestIn,
}

#[derive(Deserialize)]
struct RequestIn {
    principal: serde_json::Value,
    action: String,
    resource: String,
    #[serde(default)]
    resource_account: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, OneOrMany<String>>,
}

fn parse(lines: &[&str]) -> Result<Vec<Case>, serde_json::Error> {
    lines.iter().map(|l| serde_json::from_str(l)).collect()
}

fn library(set: &PolicySet, cases: &[Case]) -> Result<usize, Box<dyn std::error::Error>> {
    let mut allowed = 0;
    for case in cases {
        let r = &case.request;
        let principal: RequestPrincipal = match &r.principal {
            serde_json::Value::String(text) => text.parse()?,
            _ => return Err("the workload names principals by ARN".into()),
        };
        let mut request = Request::new(principal, &r.action, &r.resource);
        if let Some(account) = &r.resource_account {
            request = request.resource_account(account.parse::<AccountId>()?);
        }
        for (key, values) in &r.context {
            request = request.context(key, values.iter().cloned());
        }
        let evaluation = evaluate(set, &request);
        allowed += usize::from(evaluation.decision().is_allowed());
        black_box(evaluation.matches());
    }
    Ok(allowed)
}

fn cli(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let cli = iam_codegen::cli::Cli::try_parse_from([
        "iam-codegen",
        "simulate",
        "--cases",
        path,
        "--format",
        "json",
    ])?;
    let status = iam_codegen::cli::run(cli, &mut std::io::sink(), &mut std::io::sink())?;
    if status.code() != 0 {
        return Err(format!("simulate exited {}", status.code()).into());
    }
    Ok(())
}

// The time this thread spent on a CPU, from Linux's `/proc/thread-self/schedstat` (in ns),
// so that other processes on a loaded machine do not count; the wall clock elsewhere.
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let (start, cpu) = (Instant::now(), cpu_time());
    let value = f();
    let elapsed = match (cpu, cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => start.elapsed(),
    };
    (value, elapsed)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: simulate_overhead FILE.jsonl [parse|library|cli]")?;
    if !path.ends_with(".jsonl") {
        return Err("the batch file name must end in `.jsonl`".into());
    }
    let only = args.next();
    let wants = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let text = std::fs::read_to_string(&path)?;
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let header: Option<Header> = match lines.first() {
        Some(first) if first.trim_start().starts_with(r#"{"policies""#) => {
            let header = serde_json::from_str(first)?;
            lines.remove(0);
            Some(header)
        }
        _ => None,
    };
    let mut set = PolicySet::new();
    for (id, value) in header.map(|h| h.policies).unwrap_or_default() {
        let document = Policy::<kind::Identity>::from_json(&value.to_string())?.into_document();
        set = set.identity(&id, document);
    }

    let (cases, parse_time) = timed(|| parse(&lines));
    let cases = cases?;
    let (mut library_time, mut cli_time) = (Duration::ZERO, Duration::ZERO);
    if wants("parse") {
        println!("parse:   {:9.1} ms ({} cases)", ms(parse_time), cases.len());
    }
    if wants("library") {
        let (allowed, time) = timed(|| library(&set, &cases));
        library_time = time;
        println!("library: {:9.1} ms ({} allowed)", ms(time), allowed?);
    }
    drop(cases);
    if wants("cli") {
        let (result, time) = timed(|| cli(&path));
        result?;
        cli_time = time;
        println!("cli:     {:9.1} ms", ms(time));
    }
    if only.is_none() {
        let ratio = cli_time.as_secs_f64() / (parse_time + library_time).as_secs_f64();
        println!("ratio cli / (parse + library): {ratio:.2}");
    }
    Ok(())
}
