//! Helpers shared by the end-to-end tests.
use std::path::{Path, PathBuf};

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

/// Compares `actual` with the golden file `tests/golden/<relative>` (pretty_assertions diff);
/// `UPDATE_GOLDEN=1` rewrites the file instead.
pub fn assert_golden(relative: &str, actual: &str) {
    let path = root().join("tests/golden").join(relative);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden `{}`: {e}; run with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    pretty_assertions::assert_eq!(expected, actual, "golden `{relative}`");
}
