#![no_main]
//! Fuzz target: see `iam_model::fuzzing::parse_model`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| iam_model::fuzzing::parse_model(data));
