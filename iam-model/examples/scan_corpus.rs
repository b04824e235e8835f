//! Print every finding over the AWS managed policy corpus (a development aid).
use iam_model::PolicyKind;
use iam_model::validate::check_policy_json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/iam/managed-policies".into());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        let entry: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        let doc = serde_json::to_string(entry.get("Document").ok_or("no Document")?)?;
        let report = check_policy_json(&doc, PolicyKind::AwsManaged)?;
        for f in report.findings() {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                path.file_stem().unwrap_or_default().to_string_lossy(),
                f.code,
                f.severity,
                f.path,
                f.message
            );
        }
    }
    Ok(())
}
