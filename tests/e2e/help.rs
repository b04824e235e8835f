//! Golden copies of `--help`, for the binary and every subcommand, in `tests/help/`: a change
//! to the command line shows up in review. `UPDATE_GOLDEN=1 cargo test` rewrites them.
use clap::CommandFactory as _;

use crate::support::{root, update_golden};

fn helps() -> Vec<(String, String)> {
    let mut cli = iam_codegen::cli::Cli::command();
    cli.build();
    let mut out = vec![(
        "iam-codegen".to_string(),
        cli.render_long_help().to_string(),
    )];
    let mut stack: Vec<(String, clap::Command)> = cli
        .get_subcommands()
        .map(|c| (format!("iam-codegen {}", c.get_name()), c.clone()))
        .collect();
    while let Some((name, mut cmd)) = stack.pop() {
        out.push((name.clone(), cmd.render_long_help().to_string()));
        for sub in cmd.get_subcommands() {
            if sub.get_name() != "help" {
                stack.push((format!("{name} {}", sub.get_name()), sub.clone()));
            }
        }
    }
    out.retain(|(name, _)| !name.split(' ').any(|w| w == "help"));
    out.sort();
    out
}

#[test]
fn help_texts_match_their_goldens() {
    let dir = root().join("tests/help");
    let mut expected_files = Vec::new();
    for (name, text) in helps() {
        let file = format!("{}.txt", name.replace(' ', "-"));
        let path = dir.join(&file);
        if update_golden() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("cannot read `tests/help/{file}`: {e}; run `UPDATE_GOLDEN=1 cargo test`")
        });
        pretty_assertions::assert_eq!(
            golden,
            text,
            "`{name} --help` differs from tests/help/{file}"
        );
        expected_files.push(file);
    }
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    expected_files.sort();
    assert_eq!(found, expected_files, "help goldens with no command");
}
