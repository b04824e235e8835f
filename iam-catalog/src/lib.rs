//! The AWS service catalogue: every action, resource type and condition key of the
//! AWS Service Authorization Reference, and the AWS managed policies, as Rust tables
//! generated from a pinned snapshot (see `scripts/refresh-iam-data.sh`).
