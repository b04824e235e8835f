//! End-to-end tests: the managed policy corpus, broken policies, the CLI.
mod broken_policies;
mod managed_policies;
mod policy_cli;
mod policy_props;
mod support;
