//! The fuzz targets' invariants hold on every input kept in `fuzz/corpus/` (the fuzzer's
//! finds become regression tests here, on the stable toolchain).
use crate::support::root;

fn run(target: &str, check: fn(&[u8])) -> usize {
    let dir = root().join("fuzz/corpus").join(target);
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        check(&std::fs::read(&path).unwrap());
        count += 1;
    }
    count
}

#[test]
fn policy_roundtrip_corpus() {
    assert!(run("policy_roundtrip", iam_model::fuzzing::policy_roundtrip) >= 16);
}

#[test]
fn parse_model_corpus() {
    assert!(run("parse_model", iam_model::fuzzing::parse_model) >= 9);
}

#[test]
fn wildcard_match_corpus() {
    assert_eq!(run("wildcard_match", iam_model::fuzzing::wildcard_match), 3);
}
