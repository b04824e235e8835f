//! End-to-end tests: the managed policy corpus, broken policies, the CLI.
mod broken_policies;
mod cloudformation;
mod eval_cases;
mod fuzz_corpus;
mod generate_cli;
mod golden;
mod managed_policies;
mod model_checks;
mod policy_cli;
mod policy_props;
mod presets;
mod real_tools;
mod secrets;
mod support;
mod terraform;
mod tf_schema;
mod tools;
