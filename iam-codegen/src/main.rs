//! The `iam-codegen` command line.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = iam_codegen::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    // Stderr is unbuffered: without a line buffer, every piece of a formatted line is a
    // system call of its own (`generate` lists thousands of files there).
    let mut stderr = std::io::LineWriter::new(std::io::stderr().lock());
    match iam_codegen::cli::run(cli, &mut stdout, &mut stderr) {
        Ok(status) => status.into(),
        // The reader of our output went away (`iam-codegen … | head`): that is not a failure.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
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
            ExitCode::from(err.exit_code())
        }
    }
}

fn is_broken_pipe(err: &iam_codegen::cli::CliError) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        source = e.source();
    }
    false
}
