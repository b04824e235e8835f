//! End-to-end tests: the managed policy corpus, broken policies, the CLI.
mod access;
mod broken_policies;
mod eval_cases;
mod fuzz_corpus;
mod managed_policies;
mod model_checks;
mod policy_cli;
mod policy_props;
mod presets;
mod real_tools;
mod support;
mod terraform;
mod tf_schema;
mod tools;
