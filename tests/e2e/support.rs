//! Helpers shared by the end-to-end tests.
use std::path::{Path, PathBuf};

/// The model file at `path` (from the repository root), read and parsed.
pub fn read_model(path: &str) -> iam_model::model::Model {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    iam_model::model::Model::from_json(&text)
        .unwrap_or_else(|e| panic!("model `{path}` does not read: {e}"))
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file with the given extension directly in `dir`, sorted by name.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    out
}

/// Compare `actual` with the golden file `tests/golden/<relative>` (a diff on failure).
/// `UPDATE_GOLDEN=1` rewrites the file instead; that is refused in CI (`CI=true`).
pub fn assert_golden(relative: &str, actual: &str) {
    let path = root().join("tests/golden").join(relative);
    if update_golden() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden `tests/golden/{relative}`: {e}; run `UPDATE_GOLDEN=1 cargo test` and review `git diff`"
        )
    });
    pretty_assertions::assert_eq!(expected, actual, "golden `tests/golden/{relative}` differs");
}

/// Whether golden files are being rewritten (`UPDATE_GOLDEN=1`). Never in CI.
pub fn update_golden() -> bool {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty() && v != "0");
    let ci = std::env::var_os("CI").is_some_and(|v| v == "true" || v == "1");
    assert!(
        !(update && ci),
        "UPDATE_GOLDEN is set in CI (CI=true): golden files are never rewritten there"
    );
    update
}

/// The example models, `examples/*.json`, in sorted order: (name, path).
pub fn examples() -> Vec<(String, PathBuf)> {
    files(&root().join("examples"), "json")
        .into_iter()
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect()
}

/// Every file under `dir`, as relative paths with `/`, sorted; hidden files included.
pub fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap();
                let parts: Vec<_> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    out
}

/// Run the command line in this process: (exit code, stdout, stderr), with an error
/// printed the way `main` prints it (`error: ` and the chain joined by `: `).
pub fn run_cli(args: &[&str]) -> (u8, String, String) {
    use clap::Parser as _;
    let mut argv = vec!["iam-codegen"];
    argv.extend_from_slice(args);
    let cli = iam_codegen::cli::Cli::try_parse_from(argv).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = match iam_codegen::cli::run(cli, &mut out, &mut err) {
        Ok(status) => status.code(),
        Err(e) => {
            let mut text = format!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            err.extend_from_slice(text.as_bytes());
            err.push(b'\n');
            1
        }
    };
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// `generate MODEL --target terraform --import-existing -o DIR`: the exit code and stderr.
pub fn generate_importing(model: &std::path::Path, dir: &std::path::Path) -> (u8, String) {
    let (code, _, err) = run_cli(&[
        "generate",
        model.to_str().unwrap(),
        "--target",
        "terraform",
        "--import-existing",
        "-o",
        dir.to_str().unwrap(),
    ]);
    (code, err)
}
