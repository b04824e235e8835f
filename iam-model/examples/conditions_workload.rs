//! Write the condition-heavy workload of the `eval_conditions` bench as a lean JSON Lines
//! batch for `iam-codegen simulate --cases -`: a `{"policies": …}` line with the ten
//! policies, then one case per request naming them by id.
//!
//! `cargo run --release -p iam-model --example conditions_workload -- 100000 > batch.jsonl`
#![expect(
    clippy::indexing_slicing,
    reason = "the generator indexes fixed tables within their length"
)]
use std::io::Write;

#[path = "../benches/workload/conditions.rs"]
mod workload;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut policies = serde_json::Map::new();
    let mut ids = Vec::new();
    for (i, text) in workload::policies().iter().enumerate() {
        let id = format!("p{i}");
        policies.insert(id.clone(), serde_json::from_str(text)?);
        ids.push(id);
    }
    writeln!(out, "{}", serde_json::json!({ "policies": policies }))?;
    for (i, r) in workload::requests(count).iter().enumerate() {
        let context: serde_json::Map<String, serde_json::Value> = r
            .context
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect();
        let case = serde_json::json!({
            "id": format!("r{i}"),
            "identity_policies": ids,
            "request": {
                "principal": r.principal,
                "action": r.action,
                "resource": r.resource,
                "resource_account": workload::ACCOUNT,
                "context": context,
            },
        });
        writeln!(out, "{case}")?;
    }
    out.flush()?;
    Ok(())
}
