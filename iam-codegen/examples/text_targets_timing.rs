//! Times the three text targets on the synthetic organization (500 accounts).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use iam_codegen::emit::{EmitOptions, aws_cli, aws_config, docs};
    let model = iam_model::model::synthetic::organization(500, 20, 50, 200, 20_000);
    let options = EmitOptions::default();
    let start = std::time::Instant::now();
    let plan = aws_config::profiles(&model, &options.aws_config);
    println!("profiles: {} in {:?}", plan.profiles.len(), start.elapsed());
    let start = std::time::Instant::now();
    let _ = options
        .templates
        .render("aws-config/config.hbs", &serde_json::json!({}));
    println!("one failing render: {:?}", start.elapsed());
    for (name, f) in [
        ("aws-config", aws_config::emit as fn(&_, &_) -> _),
        ("docs", docs::emit),
        ("aws-cli", aws_cli::emit),
    ] {
        let start = std::time::Instant::now();
        let files = f(&model, &options)?;
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        println!(
            "{name}: {} files, {bytes} bytes, {:?}",
            files.len(),
            start.elapsed()
        );
    }
    Ok(())
}
