//! A typed model of AWS IAM policies and access setups.
