//! Times validation and each target on a synthetic organization.
//!
//! `cargo run --release -p iam-codegen --example text_targets_timing -- [ACCOUNTS SETS GROUPS USERS ASSIGNMENTS]`
//! (default: 500 40 200 5000 20000, the size of the `generate` bench) prints the time of
//! validation, of each target's `emit` and of the access matrix alone, with the number and
//! size of the files. With `ONLY=TARGET` in the environment (`ONLY=docs`), only that
//! target runs, which is what a profiler wants to look at.
use std::time::Instant;

use iam_codegen::emit::{
    EmitOptions, Target, aws_cli, aws_config, cloudformation, docs, policies, terraform,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let [accounts, sets, groups, users, assignments] = match args[..] {
        [] => [500, 40, 200, 5_000, 20_000],
        [a, b, c, d, e] => [a, b, c, d, e],
        _ => return Err("expected ACCOUNTS SETS GROUPS USERS ASSIGNMENTS".into()),
    };
    let model =
        iam_model::model::synthetic::organization(accounts, sets, groups, users, assignments);
    let options = EmitOptions::default();
    let start = Instant::now();
    let report = iam_model::validate::validate(&model);
    println!("validation: {:?}", start.elapsed());
    drop(report);
    let start = Instant::now();
    let matrix = iam_model::eval::model::access_matrix(&model);
    println!(
        "access matrix: {} rows, {:?}",
        matrix.rows.len(),
        start.elapsed()
    );
    let only = std::env::var("ONLY").ok();
    let total = Instant::now();
    for target in Target::ALL {
        if only.as_deref().is_some_and(|o| o != target.as_str()) {
            continue;
        }
        let start = Instant::now();
        let files = match target {
            Target::Cloudformation => cloudformation::emit(&model, &options)?,
            Target::Terraform => terraform::emit(&model, &options)?,
            Target::Policies => policies::emit(&model, &options)?,
            Target::AwsConfig => aws_config::emit(&model, &options)?,
            Target::Docs => docs::emit(&model, &options)?,
            Target::AwsCli => aws_cli::emit(&model, &options)?,
        };
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        println!(
            "{}: {} files, {bytes} bytes, {:?}",
            target.as_str(),
            files.len(),
            start.elapsed()
        );
    }
    println!("every target (without validation): {:?}", total.elapsed());
    Ok(())
}
