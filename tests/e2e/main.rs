//! End-to-end tests: the managed policy corpus, broken policies, the CLI.
mod managed_policies;
mod real_tools;
mod support;
mod tf_schema;
mod tools;
