#![no_main]
//! Fuzz target: see `iam_model::fuzzing::wildcard_match`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| iam_model::fuzzing::wildcard_match(data));
