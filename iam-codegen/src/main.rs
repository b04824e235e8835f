//! The `iam-codegen` command line.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = iam_codegen::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    match iam_codegen::cli::run(cli, &mut stdout, &mut stderr) {
        Ok(status) => status.into(),
        Err(err) => {
            use std::io::Write as _;
            let mut text = format!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            // Nothing useful can be done when stderr itself is gone.
            let _ = writeln!(stderr, "{text}");
            ExitCode::from(1)
        }
    }
}
