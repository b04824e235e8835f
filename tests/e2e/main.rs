//! End-to-end tests: the managed policy corpus, broken policies, the CLI.
mod eval_cases;
mod managed_policies;
mod support;
