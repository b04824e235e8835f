//! Peak memory and time of generating every target for a synthetic organization.
//!
//! `cargo run --release -p iam-codegen --example generate_memory -- ACCOUNTS SETS GROUPS USERS ASSIGNMENTS`
//! prints the peak resident set (`VmHWM` from `/proc/self/status`, Linux) after building
//! the model and after generating, the time generation took, and the number and size of
//! the files. Generation validates the model first; the time of validation alone is shown too,
//! and then the time of each target alone (its `emit` function, without validation).
use std::time::Instant;

use iam_codegen::emit::{
    Artifacts, EmitError, EmitOptions, Target, aws_cli, aws_config, cloudformation, docs, generate,
    policies, terraform,
};
use iam_model::model::Model;
use iam_model::model::synthetic::organization;

/// A target's emit function.
type Emit = fn(&Model, &EmitOptions) -> Result<Artifacts, EmitError>;

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let [accounts, sets, groups, users, assignments] = args[..] else {
        return Err("expected ACCOUNTS SETS GROUPS USERS ASSIGNMENTS".into());
    };
    let model = organization(accounts, sets, groups, users, assignments);
    let after_model = peak_kib();
    let start = Instant::now();
    let report = iam_model::validate::validate(&model);
    let validate = start.elapsed();
    drop(report);
    let start = Instant::now();
    let files = generate(&model, &Target::ALL, &EmitOptions::default())?;
    let elapsed = start.elapsed();
    let after_generate = peak_kib();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "{accounts} accounts, {assignments} assignments: {} files, {bytes} bytes in {:.1} ms \
         (validation alone: {:.1} ms); peak RSS {after_model} KiB after building the model, {after_generate} KiB after generating",
        files.len(),
        elapsed.as_secs_f64() * 1000.0,
        validate.as_secs_f64() * 1000.0
    );
    drop(files);
    let emitters: [(Target, Emit); 6] = [
        (Target::Cloudformation, cloudformation::emit),
        (Target::Terraform, terraform::emit),
        (Target::Policies, policies::emit),
        (Target::AwsConfig, aws_config::emit),
        (Target::Docs, docs::emit),
        (Target::AwsCli, aws_cli::emit),
    ];
    let options = EmitOptions::default();
    for (target, emit) in emitters {
        let start = Instant::now();
        let files = emit(&model, &options)?;
        let elapsed = start.elapsed();
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        println!(
            "  {:<15} {:>5} files, {bytes:>9} bytes in {:.1} ms",
            target.as_str(),
            files.len(),
            elapsed.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
