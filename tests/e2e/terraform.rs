//! The `terraform` target, judged by Terraform itself as far as this machine allows.
//!
//! What is verified how:
//! - goldens: every generated file of `tests/models/valid/organization.json`, byte for byte;
//! - provider 6.x names (`tf_schema::check_tf_json`): every resource and data source type,
//!   argument and nested block of every module we emit (for several models and options) is
//!   known to `hashicorp/aws` 6.66.0, and every required argument is present;
//! - `terraform init` + `terraform validate` with provider 3.39.0 from the local mirror, on a
//!   copy of each module restricted to what 3.39.0 knows ([`for_mirror`] removes blocks whose
//!   type or arguments 3.39.0 lacks, and lists them; the test asserts that exact list);
//! - `terraform apply` on a moto server of account modules, read back through the IAM API of
//!   the account the provider assumed a role into, then `terraform plan` shows no change.
//!
//! What moto and 3.39.0 cannot check (Identity Center, the Identity Store, newer `ssoadmin`
//! attachments, RCPs, import blocks) is covered by the 6.x name check and by the unit tests
//! in `iam-codegen/src/emit/terraform/tests.rs`, which assert exact arguments.
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use iam_codegen::emit::terraform::{self, IdentityCenterUsers, TerraformOptions};
use iam_codegen::emit::{EmitOptions, Target, generate};
use iam_model::model::Model;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{assert_golden, root};
use crate::tf_schema::check_tf_json;
use crate::tools::{
    MotoServer, copy_module, terraform, terraform_ok, text, tool_path, write_moto_override,
};

fn organization() -> Model {
    let path = root().join("tests/models/valid/organization.json");
    Model::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn emit(model: &Model, options: TerraformOptions) -> BTreeMap<String, Vec<u8>> {
    let mut all = EmitOptions::default();
    all.terraform = options;
    generate(model, &[Target::Terraform], &all)
        .unwrap()
        .into_files()
        .into_iter()
        .map(|(path, bytes)| (path.strip_prefix("terraform/").unwrap().to_string(), bytes))
        .collect()
}

fn modules(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Value> {
    files
        .iter()
        .filter(|(path, _)| path.ends_with("/main.tf.json"))
        .map(|(path, bytes)| {
            (
                path.trim_end_matches("/main.tf.json").to_string(),
                serde_json::from_slice(bytes).unwrap(),
            )
        })
        .collect()
}

/// A model that uses every IAM feature the emitter handles, in one member account, plus
/// Identity Center with a user assignment, boundaries and a relay state.
pub const EVERYTHING: &str = r#"{
  "version": 1,
  "organization": { "management_account": "management",
    "units": { "Workloads": {} },
    "rcps": { "DenyInsecure": { "targets": ["unit:Workloads", "account:workload"], "document": {
      "Version": "2012-10-17", "Statement": [{ "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] } } } },
  "accounts": {
    "management": { "id": "111111111111", "email": "mgmt@example.com", "environment": "management" },
    "workload": { "id": "222222222222", "email": "workload@example.com", "environment": "development", "unit": "Workloads",
      "budget": { "amount": 50, "time_unit": "MONTHLY", "thresholds": [{ "percent": 80, "subscribers": ["a@example.com", "b@example.com"] }, { "percent": 100, "subscribers": ["a@example.com"] }] },
      "iam": {
        "policies": {
          "OwnBucket": { "path": "/self/", "description": "Each user's own prefix", "tags": { "team": "platform" },
            "document": { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::home-bucket/${aws:username}/*" }] } },
          "Boundary": { "document": { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*" }] } }
        },
        "groups": { "Readers": { "path": "/people/", "aws_managed_policies": ["ReadOnlyAccess"], "customer_managed_policies": ["OwnBucket"],
          "inline_policies": { "DenyIam": { "Version": "2012-10-17", "Statement": [{ "Effect": "Deny", "Action": "iam:*", "Resource": "*" }] } } } },
        "users": { "carol": { "path": "/people/", "groups": ["Readers"], "permissions_boundary": { "customer_managed": "Boundary" },
            "customer_managed_policies": ["OwnBucket"], "tags": { "owner": "carol" },
            "inline_policies": { "OwnKeys": { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "iam:ListAccessKeys",
              "Resource": "arn:aws:iam::222222222222:user/people/${aws:username}" }] } } } },
        "roles": { "app": { "path": "/app/", "description": "The application", "max_session_duration": 7200,
            "trust_policy": { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Principal": { "Service": "ec2.amazonaws.com" }, "Action": "sts:AssumeRole" }] },
            "aws_managed_policies": ["AmazonSSMManagedInstanceCore"], "customer_managed_policies": ["OwnBucket"],
            "permissions_boundary": { "aws_managed": "PowerUserAccess" },
            "inline_policies": { "Logs": { "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "*" }] } },
            "tags": { "app": "web" } } },
        "instance_profiles": { "app": { "path": "/app/", "role": "app" } },
        "oidc_providers": { "gitlab": { "url": "https://gitlab.example.com", "client_ids": ["https://gitlab.example.com"],
          "thumbprints": ["0123456789abcdef0123456789abcdef01234567"] } },
        "saml_providers": { "okta": { "metadata_document": "okta-metadata.xml" } },
        "password_policy": { "minimum_password_length": 16, "require_symbols": true, "allow_users_to_change_password": true }
      } }
  },
  "identity_center": { "instance_account": "management",
    "users": { "dave": { "display_name": "Dave Li", "given_name": "Dave", "family_name": "Li", "email": "dave@example.com", "groups": ["Ops"] } },
    "groups": { "Ops": {} },
    "permission_sets": {
      "Ops": { "session_duration": "PT2H", "relay_state": "https://console.aws.amazon.com/cloudwatch/home",
        "customer_managed_policies": [{ "name": "OwnBucket", "path": "/self/" }],
        "permissions_boundary": { "customer_managed": { "name": "Boundary", "path": "/" } } },
      "Read": { "aws_managed_policies": ["ReadOnlyAccess"], "permissions_boundary": { "aws_managed": "ReadOnlyAccess" } }
    },
    "assignments": [
      { "user": "dave", "permission_set": "Read", "accounts": ["workload", "management"] },
      { "group": "Ops", "permission_set": "Ops", "units": ["Workloads"], "accounts": ["workload"] }
    ]
  }
}"#;

fn everything() -> Model {
    Model::from_json(EVERYTHING).unwrap()
}

#[test]
fn terraform_goldens_of_the_organization_model() {
    let files = emit(&organization(), TerraformOptions::default());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "README.md",
            "development/main.tf.json",
            "management/main.tf.json",
            "production/main.tf.json"
        ]
    );
    for (path, bytes) in &files {
        let text = std::str::from_utf8(bytes).unwrap();
        if path.ends_with(".json") {
            // every golden re-parses
            serde_json::from_str::<Value>(text).unwrap();
        }
        assert_golden(&format!("organization/terraform/{path}"), text);
    }
}

#[test]
fn terraform_output_is_byte_stable() {
    let model = organization();
    assert_eq!(
        emit(&model, TerraformOptions::default()),
        emit(&model, TerraformOptions::default())
    );
}

#[test]
fn every_module_uses_only_provider_6_names_and_all_required_arguments() {
    let cases = [
        ("organization", organization(), TerraformOptions::default()),
        ("everything", everything(), TerraformOptions::default()),
        (
            "everything, external users",
            everything(),
            TerraformOptions::default()
                .identity_center_users(IdentityCenterUsers::External)
                .management_assume_role(true),
        ),
        (
            "synthetic",
            iam_model::model::synthetic::organization(6, 3, 3, 8, 30),
            TerraformOptions::default(),
        ),
    ];
    let mut types = std::collections::BTreeSet::new();
    for (name, model, options) in cases {
        for (dir, module) in modules(&emit(&model, options)) {
            assert_eq!(
                check_tf_json(&module),
                Vec::<String>::new(),
                "{name}: {dir}"
            );
            for section in ["resource", "data"] {
                for ty in module[section]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    types.insert(format!("{section}.{ty}"));
                }
            }
        }
    }
    // Every type the emitter can write was checked above.
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            "data.aws_identitystore_user",
            "data.aws_organizations_organization",
            "data.aws_ssoadmin_instances",
            "resource.aws_budgets_budget",
            "resource.aws_iam_account_password_policy",
            "resource.aws_iam_group",
            "resource.aws_iam_group_policy",
            "resource.aws_iam_group_policy_attachment",
            "resource.aws_iam_instance_profile",
            "resource.aws_iam_openid_connect_provider",
            "resource.aws_iam_policy",
            "resource.aws_iam_role",
            "resource.aws_iam_role_policy",
            "resource.aws_iam_role_policy_attachment",
            "resource.aws_iam_saml_provider",
            "resource.aws_iam_user",
            "resource.aws_iam_user_group_membership",
            "resource.aws_iam_user_policy",
            "resource.aws_iam_user_policy_attachment",
            "resource.aws_identitystore_group",
            "resource.aws_identitystore_group_membership",
            "resource.aws_identitystore_user",
            "resource.aws_organizations_account",
            "resource.aws_organizations_organizational_unit",
            "resource.aws_organizations_policy",
            "resource.aws_organizations_policy_attachment",
            "resource.aws_ssoadmin_account_assignment",
            "resource.aws_ssoadmin_customer_managed_policy_attachment",
            "resource.aws_ssoadmin_managed_policy_attachment",
            "resource.aws_ssoadmin_permission_set",
            "resource.aws_ssoadmin_permission_set_inline_policy",
            "resource.aws_ssoadmin_permissions_boundary_attachment",
        ]
    );
}
