#![no_main]
//! Fuzz target: see `iam_model::fuzzing::policy_roundtrip`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| iam_model::fuzzing::policy_roundtrip(data));
