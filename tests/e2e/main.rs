//! End-to-end tests: the managed policy corpus, broken policies, the CLI.
mod eval_cases;
mod fuzz_corpus;
mod managed_policies;
mod model_checks;
mod real_tools;
mod support;
mod tf_schema;
mod tools;
