//! Exact arguments of what Terraform with provider 3.39.0 and moto cannot check: Identity
//! Center, the Identity Store, RCPs, budgets, account imports, provider settings.
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;

const MODEL: &str = r#"{
  "version": 1,
  "organization": { "management_account": "root-account",
    "units": { "Workloads": { "units": { "Prod": {} } } },
    "rcps": { "DenyInsecure": { "targets": ["unit:Workloads/Prod", "account:app"], "document": {
      "Version": "2012-10-17", "Statement": [{ "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] } } } },
  "accounts": {
    "root-account": { "id": "111111111111", "email": "root@example.com", "environment": "management" },
    "app": { "id": "222222222222", "email": "app@example.com", "environment": "production", "unit": "Workloads/Prod",
      "budget": { "amount": 50, "time_unit": "MONTHLY", "thresholds": [{ "percent": 80, "subscribers": ["a@example.com"] }] } },
    "other": { "id": "333333333333", "email": "other@example.com", "environment": "testing", "unit": "Workloads" }
  },
  "identity_center": { "instance_account": "root-account",
    "users": { "dave": { "display_name": "Dave Li", "given_name": "Dave", "family_name": "Li", "email": "dave@example.com", "groups": ["Ops"] } },
    "groups": { "Ops": { "description": "Operations" } },
    "permission_sets": {
      "Ops": { "session_duration": "PT2H", "relay_state": "https://console.aws.amazon.com/",
        "customer_managed_policies": [{ "name": "OwnBucket", "path": "/self/" }],
        "permissions_boundary": { "customer_managed": { "name": "Boundary", "path": "/" } },
        "inline_policy": { "Version": "2012-10-17", "Statement": [{ "Effect": "Deny", "Action": "aws-portal:*", "Resource": "arn:aws:s3:::${aws:username}" }] } }
    },
    "assignments": [
      { "group": "Ops", "permission_set": "Ops", "units": ["Workloads"], "accounts": ["app"] },
      { "user": "dave", "permission_set": "Ops", "accounts": ["root-account"] }
    ]
  }
}"#;

/// The management account's modules of `MODEL`, by directory.
fn management_modules(options: TerraformOptions) -> BTreeMap<String, Value> {
    let model = Model::from_json(MODEL).unwrap();
    let all = EmitOptions {
        terraform: options,
        ..EmitOptions::default()
    };
    let files = emit(&model, &all).unwrap();
    assert_eq!(
        files.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        [
            "README.md",
            "management/identity-center/main.tf.json",
            "management/identity-store/main.tf.json",
            "management/organizations/main.tf.json"
        ]
    );
    files
        .iter()
        .filter_map(|(path, bytes)| {
            let dir = path.strip_suffix("/main.tf.json")?;
            Some((dir.to_string(), serde_json::from_slice(bytes).unwrap()))
        })
        .collect()
}

/// The management account's modules of `MODEL` as one: each section of every module (no
/// block is in two of them), and the provider and variables they share. The identity
/// store's module, which reads the instance too and has principal ids of its own, is left
/// out: [`identity_store`] gives it.
fn management(options: TerraformOptions) -> Value {
    let modules = management_modules(options);
    let mut merged = json!({});
    for (_, module) in modules.iter().filter(|(dir, _)| *dir != IDENTITY_STORE_DIR) {
        for (section, value) in module.as_object().unwrap() {
            match (section.as_str(), merged.get_mut(section)) {
                (_, None) => merged[section] = value.clone(),
                ("//" | "terraform" | "provider" | "variable", Some(same)) => {
                    if section != "//" {
                        assert_eq!(same, value, "{section}");
                    }
                }
                ("import", Some(Value::Array(blocks))) => {
                    blocks.extend(value.as_array().unwrap().iter().cloned());
                }
                (_, Some(Value::Object(into))) => {
                    for (key, v) in value.as_object().unwrap() {
                        match into.get_mut(key) {
                            Some(Value::Object(named))
                                if section != "locals" && section != "output" =>
                            {
                                for (name, body) in v.as_object().unwrap() {
                                    assert!(
                                        named.insert(name.clone(), body.clone()).is_none(),
                                        "{section}.{key}.{name}"
                                    );
                                }
                            }
                            Some(_) => panic!("{section}.{key} is in two modules"),
                            None => {
                                into.insert(key.clone(), v.clone());
                            }
                        }
                    }
                }
                (_, Some(_)) => panic!("{section}"),
            }
        }
    }
    merged
}

/// The identity store's module of `MODEL`.
fn identity_store(options: TerraformOptions) -> Value {
    management_modules(options)
        .remove(IDENTITY_STORE_DIR)
        .unwrap()
}

#[test]
fn literals_escape_template_sequences() {
    assert_eq!(
        literal("arn:aws:s3:::b/${aws:username}/*"),
        "arn:aws:s3:::b/$${aws:username}/*"
    );
    assert_eq!(literal("100%{x}"), "100%%{x}");
    assert_eq!(literal("$${x}"), "$$${x}");
    assert_eq!(literal("plain $ and %"), "plain $ and %");
}

#[test]
fn management_module_runs_with_management_credentials_unless_told() {
    let m = management(TerraformOptions::default());
    assert_eq!(
        m["provider"],
        json!({ "aws": { "allowed_account_ids": ["111111111111"], "region": "${var.region}" } })
    );
    assert_eq!(m["variable"].as_object().unwrap().len(), 1);
    let m = management(
        TerraformOptions::default()
            .management_assume_role(true)
            .assume_role_name("Deployer")
            .region("eu-west-1")
            .provider_version(">= 6.10"),
    );
    assert_eq!(
        m["provider"]["aws"]["assume_role"]["role_arn"],
        "arn:aws:iam::111111111111:role/${var.assume_role_name}"
    );
    assert_eq!(m["variable"]["assume_role_name"]["default"], "Deployer");
    assert_eq!(m["variable"]["region"]["default"], "eu-west-1");
    assert_eq!(
        m["terraform"]["required_providers"]["aws"],
        json!({ "source": "hashicorp/aws", "version": ">= 6.10" })
    );
}

#[test]
fn member_accounts_are_imported_and_never_destroyed() {
    let m = management(TerraformOptions::default());
    assert_eq!(
        m["resource"]["aws_organizations_account"]["account_app"],
        json!({
            "email": "app@example.com",
            "lifecycle": { "ignore_changes": ["role_name", "iam_user_access_to_billing"], "prevent_destroy": true },
            "name": "app",
            "parent_id": "${aws_organizations_organizational_unit.unit_workloads_prod.id}"
        })
    );
    assert_eq!(
        m["import"],
        json!([
            { "id": "222222222222", "to": "aws_organizations_account.account_app" },
            { "id": "333333333333", "to": "aws_organizations_account.account_other" }
        ])
    );
    assert_eq!(
        m["resource"]["aws_organizations_organizational_unit"],
        json!({
            "unit_workloads": { "name": "Workloads", "parent_id": "${data.aws_organizations_organization.this.roots[0].id}" },
            "unit_workloads_prod": { "name": "Prod", "parent_id": "${aws_organizations_organizational_unit.unit_workloads.id}" }
        })
    );
    let m = management(TerraformOptions::default().import_accounts(false));
    assert_eq!(m.get("import"), None);
}

#[test]
fn rcps_have_their_type_and_one_attachment_per_target() {
    let m = management(TerraformOptions::default());
    let rcp = &m["resource"]["aws_organizations_policy"]["rcp_deny_insecure"];
    assert_eq!(rcp["type"], "RESOURCE_CONTROL_POLICY");
    assert_eq!(rcp["name"], "DenyInsecure");
    assert_eq!(
        m["resource"]["aws_organizations_policy_attachment"],
        json!({
            "rcp_deny_insecure_account_app": {
                "policy_id": "${aws_organizations_policy.rcp_deny_insecure.id}",
                "target_id": "222222222222"
            },
            "rcp_deny_insecure_unit_workloads_prod": {
                "policy_id": "${aws_organizations_policy.rcp_deny_insecure.id}",
                "target_id": "${aws_organizations_organizational_unit.unit_workloads_prod.id}"
            }
        })
    );
}

#[test]
fn budgets_filter_on_the_linked_account_and_mail_each_threshold() {
    let m = management(TerraformOptions::default());
    assert_eq!(
        m["resource"]["aws_budgets_budget"],
        json!({
            "budget_app": {
                "budget_type": "COST",
                "cost_filter": [{ "name": "LinkedAccount", "values": ["222222222222"] }],
                "limit_amount": "50.0",
                "limit_unit": "USD",
                "name": "app-budget",
                "notification": [{
                    "comparison_operator": "GREATER_THAN",
                    "notification_type": "ACTUAL",
                    "subscriber_email_addresses": ["a@example.com"],
                    "threshold": 80,
                    "threshold_type": "PERCENTAGE"
                }],
                "time_unit": "MONTHLY"
            }
        })
    );
}

#[test]
fn identity_center_resources_have_exact_arguments() {
    let m = management(TerraformOptions::default());
    let store = identity_store(TerraformOptions::default());
    let r = &m["resource"];
    assert_eq!(m["data"]["aws_ssoadmin_instances"], json!({ "this": {} }));
    assert_eq!(
        store["data"]["aws_ssoadmin_instances"],
        json!({ "this": {} })
    );
    // The identity store's resources are its module's only; Identity Center looks the
    // group and the assigned user up by name.
    for managed in [
        "aws_identitystore_user",
        "aws_identitystore_group",
        "aws_identitystore_group_membership",
    ] {
        assert_eq!(r.get(managed), None, "{managed}");
    }
    assert_eq!(
        m["data"]["aws_identitystore_group"]["sso_group_ops"],
        json!({
            "alternate_identifier": { "unique_attribute": { "attribute_path": "DisplayName", "attribute_value": "Ops" } },
            "identity_store_id": "${local.identity_store_id}"
        })
    );
    assert_eq!(
        m["data"]["aws_identitystore_user"]["sso_user_dave"],
        json!({
            "alternate_identifier": { "unique_attribute": { "attribute_path": "UserName", "attribute_value": "dave" } },
            "identity_store_id": "${local.identity_store_id}"
        })
    );
    assert_eq!(
        m["locals"]["principal_ids"],
        json!({
            "sso_group_ops": "${data.aws_identitystore_group.sso_group_ops.group_id}",
            "sso_user_dave": "${data.aws_identitystore_user.sso_user_dave.user_id}"
        })
    );
    assert_eq!(
        store["locals"],
        json!({
            "group_memberships": { "sso_user_dave_in_sso_group_ops": { "group": "sso_group_ops", "user": "sso_user_dave" } },
            "identity_store_id": "${tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]}",
            "principal_ids": {
                "sso_group_ops": "${aws_identitystore_group.sso_group_ops.group_id}",
                "sso_user_dave": "${aws_identitystore_user.sso_user_dave.user_id}"
            }
        })
    );
    let mut locals = m["locals"].clone();
    for computed in [
        "account_assignments",
        "permission_set_arns",
        "principal_ids",
    ] {
        locals.as_object_mut().unwrap().remove(computed);
    }
    assert_eq!(
        locals,
        json!({
            "identity_store_id": "${tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]}",
            "sso_instance_arn": "${tolist(data.aws_ssoadmin_instances.this.arns)[0]}"
        })
    );
    assert_eq!(
        m["locals"]["permission_set_arns"],
        json!({ "permission_set_ops": "${aws_ssoadmin_permission_set.permission_set_ops.arn}" })
    );
    let r = &store["resource"];
    assert_eq!(
        r["aws_identitystore_user"]["sso_user_dave"],
        json!({
            "display_name": "Dave Li",
            "emails": { "primary": true, "value": "dave@example.com" },
            "identity_store_id": "${local.identity_store_id}",
            "name": { "family_name": "Li", "given_name": "Dave" },
            "user_name": "dave"
        })
    );
    assert_eq!(
        r["aws_identitystore_group"]["sso_group_ops"],
        json!({ "description": "Operations", "display_name": "Ops", "identity_store_id": "${local.identity_store_id}" })
    );
    assert_eq!(
        r["aws_identitystore_group_membership"]["this"],
        json!({
            "for_each": "${local.group_memberships}",
            "group_id": "${local.principal_ids[each.value.group]}",
            "identity_store_id": "${local.identity_store_id}",
            "member_id": "${local.principal_ids[each.value.user]}"
        })
    );
    let r = &m["resource"];
    let set = "${aws_ssoadmin_permission_set.permission_set_ops.arn}";
    assert_eq!(
        r["aws_ssoadmin_permission_set"]["permission_set_ops"],
        json!({
            "instance_arn": "${local.sso_instance_arn}",
            "name": "Ops",
            "relay_state": "https://console.aws.amazon.com/",
            "session_duration": "PT2H"
        })
    );
    assert_eq!(
        r["aws_ssoadmin_permission_set_inline_policy"]["permission_set_ops"],
        json!({
            "inline_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"aws-portal:*\",\"Resource\":\"arn:aws:s3:::$${aws:username}\"}]}",
            "instance_arn": "${local.sso_instance_arn}",
            "permission_set_arn": set
        })
    );
    assert_eq!(
        r["aws_ssoadmin_customer_managed_policy_attachment"]["permission_set_ops_policy_own_bucket"],
        json!({
            "customer_managed_policy_reference": { "name": "OwnBucket", "path": "/self/" },
            "instance_arn": "${local.sso_instance_arn}",
            "permission_set_arn": set
        })
    );
    assert_eq!(
        r["aws_ssoadmin_permissions_boundary_attachment"]["permission_set_ops"],
        json!({
            "instance_arn": "${local.sso_instance_arn}",
            "permission_set_arn": set,
            "permissions_boundary": { "customer_managed_policy_reference": { "name": "Boundary", "path": "/" } }
        })
    );
    assert_eq!(
        r["aws_ssoadmin_account_assignment"],
        json!({ "this": {
            "for_each": "${local.account_assignments}",
            "instance_arn": "${local.sso_instance_arn}",
            "permission_set_arn": "${local.permission_set_arns[each.value.permission_set]}",
            "principal_id": "${local.principal_ids[each.value.principal]}",
            "principal_type": "${each.value.principal_type}",
            "target_id": "${each.value.account_id}",
            "target_type": "AWS_ACCOUNT"
        } })
    );
    // The OU assignment is expanded to every account under `Workloads`; `app` is named twice.
    assert_eq!(
        m["locals"]["account_assignments"],
        json!({
            "permission_set_ops_sso_group_ops_account_app": { "account_id": "222222222222",
                "permission_set": "permission_set_ops", "principal": "sso_group_ops", "principal_type": "GROUP" },
            "permission_set_ops_sso_group_ops_account_other": { "account_id": "333333333333",
                "permission_set": "permission_set_ops", "principal": "sso_group_ops", "principal_type": "GROUP" },
            "permission_set_ops_sso_user_dave_account_root_account": { "account_id": "111111111111",
                "permission_set": "permission_set_ops", "principal": "sso_user_dave", "principal_type": "USER" }
        })
    );
}

#[test]
fn external_users_are_looked_up_by_user_name() {
    let m = identity_store(
        TerraformOptions::default().identity_center_users(IdentityCenterUsers::External),
    );
    assert_eq!(m["resource"].get("aws_identitystore_user"), None);
    assert_eq!(
        m["data"]["aws_identitystore_user"]["sso_user_dave"],
        json!({
            "alternate_identifier": { "unique_attribute": { "attribute_path": "UserName", "attribute_value": "dave" } },
            "identity_store_id": "${local.identity_store_id}"
        })
    );
    assert_eq!(
        m["locals"]["principal_ids"]["sso_user_dave"],
        "${data.aws_identitystore_user.sso_user_dave.user_id}"
    );
}

#[test]
fn two_resources_with_one_name_are_a_collision() {
    let mut module = Module::new(
        "x",
        &AccountName::from_static("x"),
        "222222222222".to_string(),
        false,
        &TerraformOptions::default(),
    );
    module
        .resource("aws_iam_role", "role_a", json!({}))
        .unwrap();
    assert_eq!(
        module
            .resource("aws_iam_role", "role_a", json!({}))
            .unwrap_err()
            .to_string(),
        "two artifacts would be written to `x/main.tf.json#/resource/aws_iam_role/role_a`"
    );
}

#[test]
fn a_file_put_together_from_blocks_reads_as_serde_json_writes_it_whole() {
    let body =
        json!({ "a": [1, { "b": [] }], "c": {}, "d": "x\ny ${z}", "e": { "f": [true, null] } });
    let whole = json!({ "resource": { "t": { "n": body, "m": {} } }, "x": [], "y": "z" });
    let mut block = Vec::new();
    write_value(&mut block, &body, 3);
    let mut out = Vec::new();
    let mut file = Object::open(&mut out, 0);
    let mut types = Object::open(file.key("resource"), 1);
    let mut names = Object::open(types.key("t"), 2);
    names.key("n").extend_from_slice(&block);
    names.entry("m", &json!({}));
    names.close();
    types.close();
    file.entry("x", &json!([]));
    file.entry("y", "z");
    file.close();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        serde_json::to_string_pretty(&whole).unwrap()
    );
    let mut empty = Vec::new();
    Object::open(&mut empty, 2).close();
    assert_eq!(empty, b"{}");
}

#[test]
fn an_external_identity_provider_s_users_and_groups_are_looked_up_and_never_managed() {
    let text = MODEL.replace(
        r#""instance_account": "root-account","#,
        r#""instance_account": "root-account", "identity_source": "external_identity_provider","#,
    );
    let model = Model::from_json(&text).unwrap();
    let files = emit(&model, &EmitOptions::default()).unwrap();
    let m: Value = serde_json::from_slice(
        files
            .get("management/identity-center/main.tf.json")
            .unwrap(),
    )
    .unwrap();
    for managed in [
        "aws_identitystore_user",
        "aws_identitystore_group",
        "aws_identitystore_group_membership",
    ] {
        assert_eq!(m["resource"].get(managed), None, "{managed}");
    }
    assert_eq!(
        m["data"]["aws_identitystore_group"]["sso_group_ops"],
        json!({
            "alternate_identifier": { "unique_attribute": { "attribute_path": "DisplayName", "attribute_value": "Ops" } },
            "identity_store_id": "${local.identity_store_id}"
        })
    );
    assert_eq!(
        m["data"]["aws_identitystore_user"]["sso_user_dave"]["alternate_identifier"],
        json!({ "unique_attribute": { "attribute_path": "UserName", "attribute_value": "dave" } })
    );
    assert_eq!(m["locals"].get("group_memberships"), None);
    assert_eq!(
        m["locals"]["principal_ids"],
        json!({
            "sso_group_ops": "${data.aws_identitystore_group.sso_group_ops.group_id}",
            "sso_user_dave": "${data.aws_identitystore_user.sso_user_dave.user_id}"
        })
    );
}

#[test]
fn only_accounts_marked_create_are_not_imported() {
    let text = MODEL.replace(
        r#""environment": "testing", "unit": "Workloads""#,
        r#""environment": "testing", "unit": "Workloads", "create": true"#,
    );
    let model = Model::from_json(&text).unwrap();
    let files = emit(&model, &EmitOptions::default()).unwrap();
    let m: Value =
        serde_json::from_slice(files.get("management/organizations/main.tf.json").unwrap())
            .unwrap();
    assert_eq!(
        m["import"],
        json!([{ "to": "aws_organizations_account.account_app", "id": "222222222222" }])
    );
    assert!(m["resource"]["aws_organizations_account"]["account_other"].is_object());
}

/// The model with the ids AWS gave the RCP and Dave's membership in Ops.
fn with_ids() -> Model {
    let text = MODEL
        .replace(
            r#""DenyInsecure": { "targets""#,
            r#""DenyInsecure": { "id": "p-examplercp1", "targets""#,
        )
        .replace(
            r#""groups": ["Ops"] }"#,
            r#""groups": ["Ops"], "membership_ids": { "Ops": "a1b2c3d4-5678-90ab-cdef-000000011111" } }"#,
        );
    Model::from_json(&text).unwrap()
}

fn imports_of(model: &Model) -> Value {
    let all = EmitOptions {
        terraform: TerraformOptions::default().import_iam(true),
        ..EmitOptions::default()
    };
    let files = emit(model, &all).unwrap();
    // The organization's policies are imported in the Organizations module, the memberships
    // in the identity store's module: one document of both.
    let mut merged = serde_json::json!({"import": []});
    for dir in [ORGANIZATIONS_DIR, IDENTITY_STORE_DIR] {
        let bytes = files
            .get(&format!("{dir}/imports.tf.json"))
            .unwrap_or_else(|| panic!("no {dir}/imports.tf.json"));
        let imports: Value = serde_json::from_slice(bytes).unwrap();
        for (section, value) in imports.as_object().unwrap() {
            match value {
                Value::Array(blocks) => merged["import"]
                    .as_array_mut()
                    .unwrap()
                    .extend(blocks.iter().cloned()),
                Value::Object(entries) => {
                    let target = merged
                        .as_object_mut()
                        .unwrap()
                        .entry(section.clone())
                        .or_insert_with(|| serde_json::json!({}))
                        .as_object_mut()
                        .unwrap();
                    for (key, entry) in entries {
                        match (target.get_mut(key), entry) {
                            (Some(Value::Object(existing)), Value::Object(more)) => {
                                existing.extend(more.clone());
                            }
                            _ => {
                                target.insert(key.clone(), entry.clone());
                            }
                        }
                    }
                }
                other => panic!("{section}: {other}"),
            }
        }
    }
    merged
}

#[test]
fn policies_attachments_and_memberships_are_imported_by_the_model_s_ids() {
    let imports = imports_of(&with_ids());
    let blocks: Vec<&Value> = imports["import"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| {
            let to = b["to"].as_str().unwrap();
            to.starts_with("aws_organizations_policy")
                || to.starts_with("aws_identitystore_group_membership")
        })
        .collect();
    assert_eq!(
        blocks,
        [
            &json!({"to": "aws_organizations_policy.rcp_deny_insecure", "id": "p-examplercp1"}),
            &json!({"to": "aws_organizations_policy_attachment.rcp_deny_insecure_unit_workloads_prod",
                "id": "${local.import_unit_unit_workloads_prod}:p-examplercp1"}),
            &json!({"to": "aws_organizations_policy_attachment.rcp_deny_insecure_account_app",
                "id": "222222222222:p-examplercp1"}),
            &json!({"for_each": "${local.import_membership_ids}",
                "to": "aws_identitystore_group_membership.this[each.key]",
                "id": "${local.identity_store_id}/${each.value}"}),
        ]
    );
    assert_eq!(
        imports["locals"]["import_membership_ids"],
        json!({"sso_user_dave_in_sso_group_ops": "a1b2c3d4-5678-90ab-cdef-000000011111"})
    );
    // The keys are the memberships' own `for_each` keys.
    let model = with_ids();
    let all = EmitOptions {
        terraform: TerraformOptions::default(),
        ..EmitOptions::default()
    };
    let files = emit(&model, &all).unwrap();
    let main: Value = serde_json::from_slice(
        files
            .get(&format!("{IDENTITY_STORE_DIR}/main.tf.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        main["locals"]["group_memberships"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["sso_user_dave_in_sso_group_ops"]
    );
    assert_eq!(imports::missing_ids(&model), []);
}

#[test]
fn what_has_no_id_gets_no_import_block_and_is_named() {
    let model = Model::from_json(MODEL).unwrap();
    let imports = imports_of(&model);
    assert_eq!(imports["locals"].get("import_membership_ids"), None);
    // Blocks for what a data source finds by name, none for the policies and memberships.
    let targets: Vec<&str> = imports["import"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "aws_organizations_organizational_unit.unit_workloads",
            "aws_organizations_organizational_unit.unit_workloads_prod",
            "aws_identitystore_group.sso_group_ops",
            "aws_identitystore_user.sso_user_dave",
        ]
    );
    let notes: Vec<String> = imports::missing_ids(&model)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        notes,
        [
            "no import block for `aws_organizations_policy.rcp_deny_insecure` in `terraform/management/organizations`: RCP `DenyInsecure` has no `id` in the model",
            "no import block for `aws_organizations_policy_attachment.rcp_deny_insecure_unit_workloads_prod` in `terraform/management/organizations`: RCP `DenyInsecure` has no `id` in the model (attached to `unit:Workloads/Prod`)",
            "no import block for `aws_organizations_policy_attachment.rcp_deny_insecure_account_app` in `terraform/management/organizations`: RCP `DenyInsecure` has no `id` in the model (attached to `account:app`)",
            "no import block for `aws_identitystore_group_membership.this[\"sso_user_dave_in_sso_group_ops\"]` in `terraform/management/identity-store`: user `dave` has no membership id for group `Ops` in the model",
        ]
    );
}

/// The identity store has a module of its own only for the built-in directory in the
/// management account: with an external identity provider Identity Center looks everything
/// up, and a delegated administrator's Identity Center stays whole in its account's module.
#[test]
fn the_identity_store_is_apart_only_for_the_management_account_s_built_in_directory() {
    let dirs = |text: &str| -> Vec<String> {
        let model = Model::from_json(text).unwrap();
        emit(&model, &EmitOptions::default())
            .unwrap()
            .iter()
            .filter_map(|(p, _)| p.strip_suffix("/main.tf.json").map(String::from))
            .collect()
    };
    let external = MODEL.replace(
        r#""instance_account": "root-account","#,
        r#""instance_account": "root-account", "identity_source": "external_identity_provider","#,
    );
    assert_eq!(
        dirs(&external),
        ["management/identity-center", "management/organizations"]
    );
    let delegated = MODEL.replace(
        r#""instance_account": "root-account","#,
        r#""instance_account": "other","#,
    );
    assert_eq!(dirs(&delegated), ["management/organizations", "other"]);
    let model = Model::from_json(&delegated).unwrap();
    let files = emit(&model, &EmitOptions::default()).unwrap();
    let other: Value = serde_json::from_slice(files.get("other/main.tf.json").unwrap()).unwrap();
    for managed in [
        "aws_identitystore_user",
        "aws_identitystore_group",
        "aws_identitystore_group_membership",
        "aws_ssoadmin_account_assignment",
    ] {
        assert!(other["resource"][managed].is_object(), "{managed}");
    }
    assert_eq!(
        other
            .get("data")
            .and_then(|d| d.get("aws_identitystore_group")),
        None
    );
    assert_eq!(
        imports::missing_ids(&model).last().map(ToString::to_string),
        Some("no import block for `aws_identitystore_group_membership.this[\"sso_user_dave_in_sso_group_ops\"]` in `terraform/other`: user `dave` has no membership id for group `Ops` in the model".to_string())
    );
    // Without users or groups there is no identity store to hold.
    let no_principals = MODEL
        .replace(
            r#""users": { "dave": { "display_name": "Dave Li", "given_name": "Dave", "family_name": "Li", "email": "dave@example.com", "groups": ["Ops"] } },"#,
            "",
        )
        .replace(r#""groups": { "Ops": { "description": "Operations" } },"#, "")
        .replace(
            r#"
      { "group": "Ops", "permission_set": "Ops", "units": ["Workloads"], "accounts": ["app"] },
      { "user": "dave", "permission_set": "Ops", "accounts": ["root-account"] }
    "#,
            "",
        );
    assert_eq!(
        dirs(&no_principals),
        ["management/identity-center", "management/organizations"]
    );
}
