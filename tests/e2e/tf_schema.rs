//! Checks a `.tf.json` root module against the argument names of the AWS provider 6.x, offline.
//!
//! `tests/terraform/provider-aws-6-schema.json` is extracted by `scripts/extract-tf-schema.py`
//! from npm `@cdktn/provider-aws@25.7.0`, whose bindings are generated from
//! `registry.terraform.io/hashicorp/aws` 6.66.0. The Terraform binary can only validate against
//! the provider 3.39.0 of the local mirror; this check covers what 6.x added or renamed (for
//! example the `aws_identitystore_*` resources), as far as names and required arguments go.
use serde_json::Value;

use crate::support::root;

/// Meta-arguments Terraform accepts in every resource and data block.
const META_ARGUMENTS: [&str; 7] = [
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

/// The committed provider 6.x schema extract.
pub fn provider_schema() -> Value {
    let path = root().join("tests/terraform/provider-aws-6-schema.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Every problem of `module` against the provider 6.x schema, one line each
/// (`unknown resource type`, `unknown argument`, `missing required argument`, ...), in
/// document order with JSON-pointer paths; empty when it conforms. Only the `resource`,
/// `data` and `provider` (`aws`) blocks are checked.
pub fn check_tf_json(module: &Value) -> Vec<String> {
    let schema = provider_schema();
    let mut problems = Vec::new();
    for (section, kinds) in [("resource", "resources"), ("data", "data_sources")] {
        let Some(types) = module.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (ty, named) in types {
            let path = format!("/{section}/{}", pointer_token(ty));
            let Some(ty_schema) = schema[kinds].get(ty) else {
                problems.push(format!("unknown {section} type `{ty}` at {path}"));
                continue;
            };
            for (name, body) in named.as_object().into_iter().flatten() {
                let path = format!("{path}/{}", pointer_token(name));
                check_bodies(body, ty_schema, &path, true, &mut problems);
            }
        }
    }
    if let Some(aws) = module.get("provider").and_then(|p| p.get("aws")) {
        check_bodies(
            aws,
            &schema["provider"],
            "/provider/aws",
            false,
            &mut problems,
        );
    }
    problems
}

/// One body (an object) or several (an array of objects, as JSON syntax allows).
fn check_bodies(v: &Value, schema: &Value, path: &str, meta: bool, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_body(item, schema, &format!("{path}/{i}"), meta, out);
            }
        }
        _ => check_body(v, schema, path, meta, out),
    }
}

fn check_body(v: &Value, schema: &Value, path: &str, meta: bool, out: &mut Vec<String>) {
    let Some(body) = v.as_object() else {
        out.push(format!("expected an object at {path}"));
        return;
    };
    let empty = serde_json::Map::new();
    let args = schema["arguments"].as_object().unwrap_or(&empty);
    let blocks = schema["blocks"].as_object().unwrap_or(&empty);
    for (key, value) in body {
        let here = format!("{path}/{}", pointer_token(key));
        if meta && META_ARGUMENTS.contains(&key.as_str()) || args.contains_key(key) {
            continue;
        }
        match blocks.get(key) {
            Some(block) => check_bodies(value, block, &here, false, out),
            None => out.push(format!("unknown argument `{key}` at {here}")),
        }
    }
    for (key, s) in args.iter().chain(blocks) {
        if s["required"] == true && !body.contains_key(key) {
            out.push(format!("missing required argument `{key}` at {path}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn fixture() -> Value {
        let path = root().join("tests/fixtures/terraform-iam/main.tf.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn schema_extract_is_pinned_to_provider_6() {
        let source = &provider_schema()["source"];
        assert_eq!(source["npm"], "@cdktn/provider-aws@25.7.0");
        assert_eq!(source["provider"], "registry.terraform.io/hashicorp/aws");
        assert_eq!(source["provider_version"], "6.66.0");
    }

    #[test]
    fn terraform_fixture_uses_only_provider_6_arguments() {
        assert_eq!(check_tf_json(&fixture()), Vec::<String>::new());
    }

    #[test]
    fn identity_center_resources_of_provider_6_are_known() {
        let module = json!({
            "data": {"aws_ssoadmin_instances": {"this": {}}},
            "resource": {
                "aws_identitystore_group": {"developers": {
                    "identity_store_id": "${tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]}",
                    "display_name": "Developers"
                }},
                "aws_ssoadmin_permission_set": {"dev": {
                    "instance_arn": "${tolist(data.aws_ssoadmin_instances.this.arns)[0]}",
                    "name": "Dev",
                    "session_duration": "PT8H"
                }},
                "aws_organizations_policy": {"deny_s3": {
                    "name": "DenyS3", "type": "SERVICE_CONTROL_POLICY", "content": "{}"
                }},
                "aws_budgets_budget": {"monthly": {
                    "budget_type": "COST", "time_unit": "MONTHLY",
                    "limit_amount": "10", "limit_unit": "USD",
                    "notification": [{
                        "comparison_operator": "GREATER_THAN", "threshold": 80,
                        "threshold_type": "PERCENTAGE", "notification_type": "ACTUAL",
                        "subscriber_email_addresses": ["ops@example.com"]
                    }]
                }}
            }
        });
        assert_eq!(check_tf_json(&module), Vec::<String>::new());
    }

    #[test]
    fn misspelled_missing_and_unknown_names_are_reported_with_paths() {
        let mut module = fixture();
        let role = &mut module["resource"]["aws_iam_role"]["deploy"];
        let trust = role
            .as_object_mut()
            .unwrap()
            .remove("assume_role_policy")
            .unwrap();
        role["assume_role_polcy"] = trust;
        module["resource"]["aws_iam_rol"] = json!({"x": {}});
        module["provider"]["aws"]["assume_role"]["role_ar"] = json!("arn");
        module["provider"]["aws"]["skip_get_ec2_platforms"] = json!(true);
        assert_eq!(
            check_tf_json(&module),
            [
                "unknown argument `assume_role_polcy` at /resource/aws_iam_role/deploy/assume_role_polcy",
                "missing required argument `assume_role_policy` at /resource/aws_iam_role/deploy",
                "unknown resource type `aws_iam_rol` at /resource/aws_iam_rol",
                "unknown argument `role_ar` at /provider/aws/assume_role/role_ar",
                // removed in provider 5.0; 3.39.0 of the mirror still takes it
                "unknown argument `skip_get_ec2_platforms` at /provider/aws/skip_get_ec2_platforms",
            ]
        );
    }
}
