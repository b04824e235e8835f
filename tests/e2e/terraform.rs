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
use std::time::Instant;

use iam_codegen::emit::terraform::{IdentityCenterUsers, TerraformOptions};
use iam_codegen::emit::{EmitOptions, Target, generate};
use iam_model::model::Model;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{assert_golden, root};
use crate::tf_schema::check_tf_json;
use crate::tools::{
    MotoServer, moto_iam_state, terraform, terraform_ok, text, tool_path, write_moto_override,
};

fn organization() -> Model {
    let path = root().join("tests/models/valid/organization.json");
    Model::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `examples/organization-at-scale.json`: 50 accounts, two OU baselines, an external
/// identity source.
fn at_scale() -> Model {
    let path = root().join("examples/organization-at-scale.json");
    Model::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn emit(model: &Model, options: TerraformOptions) -> BTreeMap<String, Vec<u8>> {
    let all = EmitOptions {
        terraform: options,
        ..EmitOptions::default()
    };
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

/// Accounts that differ only by their OU's baseline get no module: the baselines are
/// StackSets of the management account's baselines module, and the 50-account example is
/// the management account's modules and the README.
#[test]
fn ou_baselines_are_stack_sets_of_the_baselines_module_not_per_account_copies() {
    let files = emit(&at_scale(), TerraformOptions::default());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "README.md",
            "management/baselines/main.tf.json",
            "management/identity-center/main.tf.json",
            "management/organizations/main.tf.json"
        ]
    );
    let management = &modules(&files)["management/baselines"];
    let instances = &management["resource"]["aws_cloudformation_stack_set_instance"];
    // The OU is the Organizations module's: its id is read by name, from the root down.
    assert_eq!(
        instances["baseline_unit_workloads_production"]["deployment_targets"],
        json!({"organizational_unit_ids": ["${local.unit_workloads_production_id}"]})
    );
    assert_eq!(
        (&management["data"], &management["locals"]),
        (
            &json!({
                "aws_organizations_organization": {"this": {}},
                "aws_organizations_organizational_units": {
                    "children_of_root": {"parent_id": "${data.aws_organizations_organization.this.roots[0].id}"},
                    "children_of_unit_workloads": {"parent_id": "${local.unit_workloads_id}"}
                }
            }),
            &json!({
                "unit_workloads_id": "${one([for u in data.aws_organizations_organizational_units.children_of_root.children : u.id if u.name == \"Workloads\"])}",
                "unit_workloads_production_id": "${one([for u in data.aws_organizations_organizational_units.children_of_unit_workloads.children : u.id if u.name == \"Production\"])}"
            })
        )
    );
    let set = &management["resource"]["aws_cloudformation_stack_set"]["baseline_unit_workloads_production"];
    assert_eq!(
        (&set["permission_model"], &set["auto_deployment"]),
        (
            &json!("SERVICE_MANAGED"),
            &json!({"enabled": true, "retain_stacks_on_account_removal": false})
        )
    );
    // The template is the cloudformation target's, with `${` escaped for Terraform.
    let cloudformation = generate(
        &at_scale(),
        &[Target::Cloudformation],
        &EmitOptions::default(),
    )
    .unwrap();
    let body: Value = serde_json::from_slice(
        cloudformation
            .get("cloudformation/baselines/WorkloadsProduction.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        set["template_body"],
        json!(serde_json::to_string(&body).unwrap().replace("${", "$${"))
    );
}

/// An account's own role that attaches a policy of its OU's baseline names it by ARN: the
/// StackSet, not the account's module, creates the policy.
#[test]
fn an_own_entity_attaches_a_baseline_policy_by_its_arn() {
    let model = crate::support::read_model("tests/fixtures/baseline-policy-attached.json");
    let files = emit(&model, TerraformOptions::default());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "README.md",
            "app/main.tf.json",
            "management/baselines/main.tf.json",
            "management/organizations/main.tf.json"
        ]
    );
    let app = &modules(&files)["app"];
    assert_eq!(app["resource"].get("aws_iam_policy"), None);
    assert_eq!(
        app["resource"]["aws_iam_role_policy_attachment"]["role_reader_policy_read_logs"]["policy_arn"],
        json!("arn:aws:iam::222222222222:policy/base/ReadLogs")
    );
    assert_eq!(check_tf_json(app), Vec::<String>::new());
}

#[test]
fn terraform_goldens_of_the_organization_model() {
    let files = emit(&organization(), TerraformOptions::default());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "README.md",
            "development/main.tf.json",
            "management/identity-center/main.tf.json",
            "management/identity-store/main.tf.json",
            "management/organizations/main.tf.json",
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
        ("at scale", at_scale(), TerraformOptions::default()),
    ];
    let mut types = std::collections::BTreeSet::new();
    for (name, model, options) in cases {
        for (dir, module) in modules(&emit(&model, options)) {
            assert_eq!(
                check_tf_json(&module),
                Vec::<String>::new(),
                "{name}: {dir}"
            );
            types.extend(types_of(&module));
        }
    }
    // Every type the emitter can write was checked above.
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            "data.aws_identitystore_group",
            "data.aws_identitystore_user",
            "data.aws_organizations_organization",
            "data.aws_organizations_organizational_units",
            "data.aws_ssoadmin_instances",
            "resource.aws_budgets_budget",
            "resource.aws_cloudformation_stack_set",
            "resource.aws_cloudformation_stack_set_instance",
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

/// The schema of the mirror's provider 3.39.0 (`terraform providers schema -json`), in the
/// form of `tests/terraform/provider-aws-6-schema.json`: per type, `arguments` (name →
/// `{required}`) and nested `blocks`. Computed-only attributes are left out: they cannot be
/// set.
fn mirror_schema() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf.json"), "{}\n").unwrap();
        write_moto_override(dir.path(), "http://127.0.0.1:9");
        terraform_ok(dir.path(), &["init", "-input=false", "-no-color"]);
        let raw: Value =
            serde_json::from_str(&terraform_ok(dir.path(), &["providers", "schema", "-json"]))
                .unwrap();
        let aws = &raw["provider_schemas"]["registry.terraform.io/hashicorp/aws"];
        let convert = |types: &Value| -> Value {
            Value::Object(
                types
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(ty, s)| (ty.clone(), block(&s["block"])))
                    .collect(),
            )
        };
        json!({
            "resources": convert(&aws["resource_schemas"]),
            "data_sources": convert(&aws["data_source_schemas"]),
        })
    })
}

fn block(b: &Value) -> Value {
    let arguments: serde_json::Map<String, Value> = b["attributes"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, a)| a["required"] == true || a["optional"] == true)
        .map(|(name, a)| (name.clone(), json!({ "required": a["required"] == true })))
        .collect();
    let blocks: serde_json::Map<String, Value> = b["block_types"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, t)| {
            let mut nested = block(&t["block"]);
            nested["required"] = json!(t["min_items"].as_u64().unwrap_or(0) > 0);
            (name.clone(), nested)
        })
        .collect();
    json!({ "arguments": arguments, "blocks": blocks })
}

/// Whether a body fits a schema: no unknown argument or block, no missing required one.
fn fits(body: &Value, schema: &Value) -> bool {
    let bodies = match body {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    bodies.into_iter().all(|body| {
        let Some(body) = body.as_object() else {
            return false;
        };
        let known = body.iter().all(|(key, value)| {
            ["lifecycle", "depends_on", "for_each"].contains(&key.as_str())
                || schema["arguments"].get(key).is_some()
                || schema["blocks"].get(key).is_some_and(|b| fits(value, b))
        });
        let required = schema["arguments"]
            .as_object()
            .into_iter()
            .flatten()
            .chain(schema["blocks"].as_object().into_iter().flatten())
            .filter(|(_, s)| s["required"] == true)
            .all(|(key, _)| body.contains_key(key));
        known && required
    })
}

/// Replaces every string in `v` that mentions one of `addresses` (`aws_x.name.` inside a
/// `${...}`) by a literal; true when something was replaced.
fn unreference(v: &mut Value, addresses: &[String]) -> bool {
    match v {
        Value::String(s) => {
            let hit = s.contains("${")
                && addresses
                    .iter()
                    .any(|a| s.contains(&format!("{a}.")) || s.contains(&format!("{a}[")));
            if hit {
                // a GUID: what the replaced ids (Identity Store group and user ids) look like
                *s = "00000000-0000-0000-0000-000000000000".to_string();
            }
            hit
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |acc, i| unreference(i, addresses) | acc),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |acc, i| unreference(i, addresses) | acc),
        _ => false,
    }
}

/// A copy of a module for provider 3.39.0: every resource or data block whose type 3.39.0
/// lacks, or whose arguments it does not take, is removed, and so are RCPs; arguments that reference a removed
/// block get a literal instead; locals and outputs that reference one are removed. Returns the
/// copy and the removed addresses, sorted. Everything left is what `terraform validate` (and
/// `apply`) with 3.39.0 checks.
fn for_mirror(module: &Value) -> (Value, Vec<String>) {
    let schema = mirror_schema();
    let mut copy = module.clone();
    let mut removed = Vec::new();
    for (section, kinds, prefix) in [
        ("resource", "resources", ""),
        ("data", "data_sources", "data."),
    ] {
        let Some(types) = copy.get_mut(section).and_then(Value::as_object_mut) else {
            continue;
        };
        for (ty, named) in types.iter_mut() {
            let named = named.as_object_mut().unwrap();
            let gone: Vec<String> = named
                .iter()
                .filter(|(_, body)| {
                    // RCPs (November 2024) are younger than 3.39.0's `type` validation
                    body["type"] == "RESOURCE_CONTROL_POLICY"
                        || schema[kinds].get(ty).is_none_or(|s| !fits(body, s))
                })
                .map(|(name, _)| name.clone())
                .collect();
            for name in gone {
                named.remove(&name);
                removed.push(format!("{prefix}{ty}.{name}"));
            }
        }
        types.retain(|_, named| !named.as_object().unwrap().is_empty());
    }
    let mut addresses = removed.clone();
    if let Some(locals) = copy.get_mut("locals").and_then(Value::as_object_mut) {
        let gone: Vec<String> = locals
            .iter()
            .filter(|(_, v)| unreference(&mut (*v).clone(), &addresses))
            .map(|(k, _)| k.clone())
            .collect();
        for name in gone {
            locals.remove(&name);
            removed.push(format!("local.{name}"));
            addresses.push(format!("local.{name}"));
        }
    }
    if let Some(outputs) = copy.get_mut("output").and_then(Value::as_object_mut) {
        let gone: Vec<String> = outputs
            .iter()
            .filter(|(_, v)| unreference(&mut (*v).clone(), &addresses))
            .map(|(k, _)| k.clone())
            .collect();
        for name in gone {
            outputs.remove(&name);
            removed.push(format!("output.{name}"));
        }
    }
    // `import` blocks (imports.tf.json) into a removed resource go with it.
    if let Some(imports) = copy.get_mut("import").and_then(Value::as_array_mut) {
        imports.retain(|block| {
            let to = block["to"].as_str().unwrap_or_default();
            let gone = addresses
                .iter()
                .any(|a| to == a || to.starts_with(&format!("{a}[")));
            if gone {
                removed.push(format!("import.{to}"));
            }
            !gone
        });
    }
    for section in ["resource", "data", "import"] {
        if let Some(s) = copy.get_mut(section) {
            unreference(s, &addresses);
        }
    }
    // A section left empty (a module of StackSets only) is not valid Terraform JSON.
    if let Some(file) = copy.as_object_mut() {
        file.retain(|_, v| !v.as_object().is_some_and(serde_json::Map::is_empty));
    }
    removed.sort();
    (copy, removed)
}

/// `terraform init` + `terraform validate` of the 3.39.0 copy of one module; the removed
/// addresses.
pub(crate) fn validate_with_mirror(module: &Value) -> Vec<String> {
    let (copy, removed) = for_mirror(module);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf.json"),
        serde_json::to_string_pretty(&copy).unwrap(),
    )
    .unwrap();
    write_moto_override(dir.path(), "http://127.0.0.1:9");
    terraform_ok(dir.path(), &["init", "-input=false", "-no-color"]);
    let out = terraform(dir.path(), &["validate", "-no-color", "-json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            &report["valid"],
            &report["error_count"],
            &report["warning_count"]
        ),
        (&json!(true), &json!(0), &json!(0)),
        "{}",
        text(&out.stdout)
    );
    removed
}

#[test]
fn every_module_validates_with_the_mirror_provider() {
    let started = Instant::now();
    let mut removed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, model) in [
        ("organization", organization()),
        ("everything", everything()),
        ("at-scale", at_scale()),
    ] {
        for (dir, module) in modules(&emit(&model, TerraformOptions::default())) {
            removed.insert(format!("{name}/{dir}"), validate_with_mirror(&module));
        }
    }
    // Exactly what provider 3.39.0 cannot check; the 6.x name check and the unit tests cover it.
    assert_eq!(
        removed,
        BTreeMap::from([
            (
                "at-scale/management/baselines".to_string(),
                vec![
                    // 3.39.0's StackSets have no `call_as` or `operation_preferences`, and its
                    // stack set instances no `deployment_targets` (an OU as the target); the
                    // OU lookups by name (`aws_organizations_organizational_units`) stay
                    "aws_cloudformation_stack_set.baseline_unit_workloads",
                    "aws_cloudformation_stack_set.baseline_unit_workloads_production",
                    "aws_cloudformation_stack_set_instance.baseline_unit_workloads",
                    "aws_cloudformation_stack_set_instance.baseline_unit_workloads_production",
                    "output.baseline_unit_workloads_production_stack_set_id",
                    "output.baseline_unit_workloads_stack_set_id",
                ],
            ),
            (
                "at-scale/management/identity-center".to_string(),
                vec![
                    // 3.39.0's aws_identitystore_group data source has no `alternate_identifier`
                    "data.aws_identitystore_group.sso_group_aws_admins",
                    "data.aws_identitystore_group.sso_group_aws_developers",
                    "data.aws_identitystore_group.sso_group_aws_read_only",
                    "data.aws_identitystore_group.sso_group_aws_testers",
                    "local.principal_ids",
                    "output.sso_group_aws_admins_id",
                    "output.sso_group_aws_developers_id",
                    "output.sso_group_aws_read_only_id",
                    "output.sso_group_aws_testers_id",
                ],
            ),
            (
                "at-scale/management/organizations".to_string(),
                vec![
                    "aws_budgets_budget.budget_sandbox_05",
                    "aws_budgets_budget.budget_sandbox_10",
                    "aws_budgets_budget.budget_sandbox_15",
                    "aws_budgets_budget.budget_sandbox_20",
                    "aws_budgets_budget.budget_sandbox_25",
                    "aws_budgets_budget.budget_sandbox_30",
                    "aws_budgets_budget.budget_sandbox_35",
                    "aws_budgets_budget.budget_sandbox_40",
                    "aws_budgets_budget.budget_sandbox_45",
                ],
            ),
            (
                "everything/management/identity-center".to_string(),
                vec![
                    "aws_ssoadmin_customer_managed_policy_attachment.permission_set_ops_policy_own_bucket",
                    "aws_ssoadmin_permissions_boundary_attachment.permission_set_ops",
                    "aws_ssoadmin_permissions_boundary_attachment.permission_set_read",
                    // the lookups of the identity store module's group and user by name
                    "data.aws_identitystore_group.sso_group_ops",
                    "data.aws_identitystore_user.sso_user_dave",
                    // the ids of the removed groups and users
                    "local.principal_ids",
                    "output.sso_group_ops_id",
                ],
            ),
            (
                "everything/management/identity-store".to_string(),
                vec![
                    "aws_identitystore_group.sso_group_ops",
                    "aws_identitystore_group_membership.this",
                    "aws_identitystore_user.sso_user_dave",
                    "local.principal_ids",
                    "output.sso_group_ops_id",
                ],
            ),
            (
                "everything/management/organizations".to_string(),
                vec![
                    // 3.39.0 has `cost_filters` (a map), not the `cost_filter` blocks of 6.x
                    "aws_budgets_budget.budget_workload",
                    "aws_organizations_policy.rcp_deny_insecure",
                    "output.rcp_deny_insecure_id",
                ],
            ),
            ("everything/workload".to_string(), vec![]),
            ("organization/development".to_string(), vec![]),
            (
                "organization/management/identity-center".to_string(),
                vec![
                    "aws_ssoadmin_customer_managed_policy_attachment.permission_set_tester_access_policy_tester_policy",
                    "data.aws_identitystore_group.sso_group_aws_admins",
                    "data.aws_identitystore_group.sso_group_aws_developers",
                    "data.aws_identitystore_group.sso_group_aws_testers",
                    "local.principal_ids",
                    "output.sso_group_aws_admins_id",
                    "output.sso_group_aws_developers_id",
                    "output.sso_group_aws_testers_id",
                ],
            ),
            (
                "organization/management/identity-store".to_string(),
                vec![
                    "aws_identitystore_group.sso_group_aws_admins",
                    "aws_identitystore_group.sso_group_aws_developers",
                    "aws_identitystore_group.sso_group_aws_testers",
                    "aws_identitystore_group_membership.this",
                    "aws_identitystore_user.sso_user_alice_example_com",
                    "local.principal_ids",
                    "output.sso_group_aws_admins_id",
                    "output.sso_group_aws_developers_id",
                    "output.sso_group_aws_testers_id",
                ],
            ),
            (
                "organization/management/organizations".to_string(),
                vec![
                    "aws_budgets_budget.budget_sandbox",
                    "aws_organizations_policy.rcp_deny_external_s3",
                    "output.rcp_deny_external_s3_id",
                ],
            ),
            (
                "organization/production".to_string(),
                // 3.39.0 requires `thumbprint_list`; 6.x does not, and the model has none
                vec![
                    "aws_iam_openid_connect_provider.oidc_provider_github",
                    "output.oidc_provider_github_arn",
                ],
            ),
        ])
        .into_iter()
        .map(|(k, v): (String, Vec<&str>)| (k, v.into_iter().map(String::from).collect()))
        .collect::<BTreeMap<_, _>>()
    );
    eprintln!("terraform validate of 12 modules: {:?}", started.elapsed());
}

/// A SAML metadata document long enough for provider 3.39.0 (1,000 characters at least).
fn saml_metadata() -> String {
    let cert = "MIIC".to_string() + &"A".repeat(1200);
    format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#
    )
}

/// Applies the 3.39.0 copy of a member-account module on a fresh moto server, checks that
/// the provider's `assume_role` put everything in that account (the default account stays
/// empty), that the next plan is empty, and returns the account's IAM state.
fn apply_on_moto(module: &Value, account_id: &str, vars: &[&str]) -> (Value, Vec<String>) {
    let (copy, removed) = for_mirror(module);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf.json"),
        serde_json::to_string_pretty(&copy).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("okta-metadata.xml"), saml_metadata()).unwrap();
    // AWS managed policies are attached by ARN: moto must know them.
    let moto = MotoServer::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    write_moto_override(dir.path(), &moto.endpoint());
    terraform_ok(dir.path(), &["init", "-input=false", "-no-color"]);
    let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
    args.extend(vars);
    terraform_ok(dir.path(), &args);
    let mut plan = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
    plan.extend(vars);
    let out = terraform(dir.path(), &plan);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the plan after apply is not empty:\n{}",
        text(&out.stdout)
    );
    let default = moto_iam_state(&moto);
    assert_eq!(
        (&default["roles"], &default["users"], &default["policies"]),
        (&json!({}), &json!({}), &json!({})),
        "resources landed in moto's default account instead of {account_id}"
    );
    let role = format!("arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole");
    let out = std::process::Command::new(tool_path("python"))
        .arg(root().join("tests/tools/moto_iam_as.py"))
        .args([moto.endpoint().as_str(), role.as_str()])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    (serde_json::from_slice(&out.stdout).unwrap(), removed)
}

/// A policy of the model as IAM returns it: the canonical document, parsed.
fn doc<K: iam_model::policy::Kind>(policy: &iam_model::policy::Policy<K>) -> Value {
    serde_json::from_str(&policy.clone().canonical().to_json_compact()).unwrap()
}

#[test]
fn an_account_module_applies_on_moto_and_reads_back_as_the_model() {
    let started = Instant::now();
    let model = everything();
    let module = modules(&emit(&model, TerraformOptions::default()))["workload"].clone();
    let (state, removed) = apply_on_moto(
        &module,
        "222222222222",
        &["-var", "saml_provider_okta_metadata_file=okta-metadata.xml"],
    );
    assert_eq!(removed, Vec::<String>::new());
    let iam = model.account("workload").unwrap().iam();
    let own_bucket = iam.policies().get("OwnBucket").unwrap();
    let boundary = iam.policies().get("Boundary").unwrap();
    let carol = iam.users().get("carol").unwrap();
    let readers = iam.groups().get("Readers").unwrap();
    let app = iam.roles().get("app").unwrap();
    let inline =
        |p: &iam_model::model::Permissions, name: &str| doc(p.inline_policies().get(name).unwrap());
    // The policy variable `${aws:username}` reached IAM unescaped.
    assert_eq!(
        own_bucket.document().document().statements()[0]
            .resource()
            .map(|r| format!("{r:?}"))
            .is_some_and(|r| r.contains("${aws:username}")),
        true
    );
    let mut state = state;
    let password_policy = state
        .as_object_mut()
        .unwrap()
        .remove("password_policy")
        .unwrap();
    assert_eq!(
        state,
        json!({
            "roles": {
                "app": {
                    "arn": "arn:aws:iam::222222222222:role/app/app",
                    "path": "/app/",
                    "description": "The application",
                    "max_session_duration": 7200,
                    "permissions_boundary": "arn:aws:iam::aws:policy/PowerUserAccess",
                    "assume_role_policy": doc(app.trust_policy()),
                    "attached_policies": [
                        "arn:aws:iam::222222222222:policy/self/OwnBucket",
                        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
                    ],
                    "inline_policies": { "Logs": inline(app.permissions(), "Logs") }
                }
            },
            "users": {
                "carol": {
                    "arn": "arn:aws:iam::222222222222:user/people/carol",
                    "path": "/people/",
                    // moto 5.2.1's GetUser, as boto3 reads it, has no PermissionsBoundary:
                    // the user's boundary is checked by the unit tests, not here
                    "permissions_boundary": null,
                    "groups": ["Readers"],
                    "attached_policies": ["arn:aws:iam::222222222222:policy/self/OwnBucket"],
                    "inline_policies": { "OwnKeys": inline(carol.permissions(), "OwnKeys") }
                }
            },
            "groups": {
                "Readers": {
                    "arn": "arn:aws:iam::222222222222:group/people/Readers",
                    "path": "/people/",
                    "members": ["carol"],
                    "attached_policies": [
                        "arn:aws:iam::222222222222:policy/self/OwnBucket",
                        "arn:aws:iam::aws:policy/ReadOnlyAccess"
                    ],
                    "inline_policies": { "DenyIam": inline(readers.permissions(), "DenyIam") }
                }
            },
            "policies": {
                "arn:aws:iam::222222222222:policy/Boundary": {
                    "name": "Boundary",
                    "path": "/",
                    "description": null,
                    "attachment_count": 0,
                    "document": doc(boundary.document())
                },
                "arn:aws:iam::222222222222:policy/self/OwnBucket": {
                    "name": "OwnBucket",
                    "path": "/self/",
                    "description": "Each user's own prefix",
                    "attachment_count": 3,
                    "document": doc(own_bucket.document())
                }
            },
            "instance_profiles": {
                "app": {
                    "arn": "arn:aws:iam::222222222222:instance-profile/app/app",
                    "path": "/app/",
                    "roles": ["app"]
                }
            },
            "oidc_providers": ["arn:aws:iam::222222222222:oidc-provider/gitlab.example.com"],
            "saml_providers": ["arn:aws:iam::222222222222:saml-provider/okta"]
        })
    );
    assert_eq!(
        (
            &password_policy["MinimumPasswordLength"],
            &password_policy["RequireSymbols"],
            &password_policy["RequireNumbers"],
            &password_policy["AllowUsersToChangePassword"],
        ),
        (&json!(16), &json!(true), &json!(false), &json!(true))
    );
    eprintln!(
        "terraform apply + plan of one account on moto: {:?}",
        started.elapsed()
    );
}

/// A model without an organization (one account, no OUs, no SCPs) gives a module that reads
/// nothing from AWS Organizations: `terraform plan` works in an account that has none (a
/// fresh moto server, whose account is the model's: `MOTO_ACCOUNT_ID`). Reading the
/// organization there fails with `AWSOrganizationsNotInUseException`.
#[test]
fn the_iam_users_module_plans_in_an_account_without_an_organization() {
    let model =
        Model::from_json(&std::fs::read_to_string(root().join("examples/iam-users.json")).unwrap())
            .unwrap();
    let files = emit(&model, TerraformOptions::default());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["README.md", "management/iam/main.tf.json"]
    );
    let text_of = String::from_utf8(files["management/iam/main.tf.json"].clone()).unwrap();
    assert!(!text_of.contains("aws_organizations"), "{text_of}");
    let module = modules(&files)["management/iam"].clone();
    let account = model.accounts().values().next().unwrap().id().to_string();
    let (copy, removed) = for_mirror(&module);
    assert_eq!(removed, Vec::<String>::new());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf.json"),
        serde_json::to_string_pretty(&copy).unwrap(),
    )
    .unwrap();
    let moto = MotoServer::start_with_env(&[("MOTO_ACCOUNT_ID", account.as_str())]);
    write_moto_override(dir.path(), &moto.endpoint());
    // The module allows only the model's account: let the provider ask moto's STS for it
    // (merged after `zz_moto_override.tf.json`, by name).
    std::fs::write(
        dir.path().join("zz_moto_zaccount_override.tf.json"),
        r#"{"provider": {"aws": {"skip_requesting_account_id": false}}}"#,
    )
    .unwrap();
    terraform_ok(dir.path(), &["init", "-input=false", "-no-color"]);
    // Exit 2: the plan succeeded and has changes (everything is to be created).
    let plan = terraform(
        dir.path(),
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    assert_eq!(
        plan.status.code(),
        Some(2),
        "{}\n{}",
        text(&plan.stdout),
        text(&plan.stderr)
    );
    assert!(
        text(&plan.stdout).contains("aws_iam_group.group_admins will be created"),
        "{}",
        text(&plan.stdout)
    );
}

/// A model of `examples/`.
fn example(name: &str) -> Model {
    let path = root().join(format!("examples/{name}.json"));
    Model::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The data and resource types of a module, as `data.TYPE` and `resource.TYPE`, sorted.
fn types_of(module: &Value) -> Vec<String> {
    let mut types = Vec::new();
    for section in ["data", "resource"] {
        for ty in module[section]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            types.push(format!("{section}.{ty}"));
        }
    }
    types
}

/// The management account's resources are split by stage, one root module (one state) each:
/// the exact modules and the types each holds, no resource in two states, and with
/// `--import-existing` every `import` block in the module that holds its resource.
#[test]
fn the_management_account_has_one_state_per_stage() {
    let layout = |files: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<String>> {
        modules(files)
            .into_iter()
            .map(|(dir, module)| (dir, types_of(&module)))
            .collect()
    };
    let organization_layout = BTreeMap::from([
        ("development", vec!["resource.aws_iam_policy"]),
        (
            "management/identity-center",
            vec![
                "data.aws_identitystore_group",
                "data.aws_ssoadmin_instances",
                "resource.aws_ssoadmin_account_assignment",
                "resource.aws_ssoadmin_customer_managed_policy_attachment",
                "resource.aws_ssoadmin_managed_policy_attachment",
                "resource.aws_ssoadmin_permission_set",
                "resource.aws_ssoadmin_permission_set_inline_policy",
            ],
        ),
        (
            "management/identity-store",
            vec![
                "data.aws_ssoadmin_instances",
                "resource.aws_identitystore_group",
                "resource.aws_identitystore_group_membership",
                "resource.aws_identitystore_user",
            ],
        ),
        (
            "management/organizations",
            vec![
                "data.aws_organizations_organization",
                "resource.aws_budgets_budget",
                "resource.aws_organizations_account",
                "resource.aws_organizations_organizational_unit",
                "resource.aws_organizations_policy",
                "resource.aws_organizations_policy_attachment",
            ],
        ),
        (
            "production",
            vec![
                "resource.aws_iam_account_password_policy",
                "resource.aws_iam_group",
                "resource.aws_iam_group_policy_attachment",
                "resource.aws_iam_instance_profile",
                "resource.aws_iam_openid_connect_provider",
                "resource.aws_iam_role",
                "resource.aws_iam_role_policy",
                "resource.aws_iam_role_policy_attachment",
                "resource.aws_iam_user",
                "resource.aws_iam_user_group_membership",
            ],
        ),
    ]);
    let at_scale_layout = BTreeMap::from([
        (
            "management/baselines",
            vec![
                "data.aws_organizations_organization",
                "data.aws_organizations_organizational_units",
                "resource.aws_cloudformation_stack_set",
                "resource.aws_cloudformation_stack_set_instance",
            ],
        ),
        (
            "management/identity-center",
            vec![
                "data.aws_identitystore_group",
                "data.aws_ssoadmin_instances",
                "resource.aws_ssoadmin_account_assignment",
                "resource.aws_ssoadmin_managed_policy_attachment",
                "resource.aws_ssoadmin_permission_set",
                "resource.aws_ssoadmin_permission_set_inline_policy",
            ],
        ),
        (
            "management/organizations",
            vec![
                "data.aws_organizations_organization",
                "resource.aws_budgets_budget",
                "resource.aws_organizations_account",
                "resource.aws_organizations_organizational_unit",
                "resource.aws_organizations_policy",
                "resource.aws_organizations_policy_attachment",
            ],
        ),
    ]);
    for (name, expected) in [
        ("organization", organization_layout),
        ("organization-at-scale", at_scale_layout),
    ] {
        let model = example(name);
        let files = emit(&model, TerraformOptions::default().import_iam(true));
        let expected: BTreeMap<String, Vec<String>> = expected
            .into_iter()
            .map(|(dir, types)| {
                (
                    dir.to_string(),
                    types.into_iter().map(String::from).collect(),
                )
            })
            .collect();
        assert_eq!(layout(&files), expected, "{name}");
        // No resource in two states: within an account, every address is in one module.
        let mut owner: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut importing = Vec::new();
        for (dir, module) in modules(&files) {
            let account = module["provider"]["aws"]["allowed_account_ids"][0]
                .as_str()
                .unwrap()
                .to_string();
            for (ty, named) in module["resource"].as_object().into_iter().flatten() {
                for resource in named.as_object().unwrap().keys() {
                    let address = format!("{ty}.{resource}");
                    if let Some(other) =
                        owner.insert((account.clone(), address.clone()), dir.clone())
                    {
                        panic!("{name}: {address} is in {other} and {dir}");
                    }
                }
            }
            // Each import block, in main.tf.json or imports.tf.json, is the module's own.
            let imports: Option<Value> = files
                .get(&format!("{dir}/imports.tf.json"))
                .map(|b| serde_json::from_slice(b).unwrap());
            for block in module["import"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(imports.iter().flat_map(|i| i["import"].as_array().unwrap()))
            {
                let to = block["to"].as_str().unwrap();
                let to = to.split_once('[').map_or(to, |(a, _)| a);
                let (ty, resource) = to.split_once('.').unwrap();
                assert!(
                    module["resource"][ty][resource].is_object(),
                    "{name}: {dir} imports {to}, which another module holds"
                );
                if importing.last() != Some(&dir) {
                    importing.push(dir.clone());
                }
            }
        }
        // The modules whose import blocks were checked above.
        let expected: &[&str] = match name {
            "organization" => &[
                "development",
                "management/identity-center",
                "management/identity-store",
                "management/organizations",
                "production",
            ],
            _ => &["management/identity-center", "management/organizations"],
        };
        assert_eq!(importing, expected, "{name}");
    }
}
