//! `iam-codegen import`: a model from an export directory (`scripts/export-aws.sh`'s
//! layout), with what the model cannot hold listed, exact output and exit codes; import of
//! an export of the imported model is a fixed point; a 500-account export.
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::support::{generate_importing, root, run_cli, update_golden};

/// A fixture export of `examples/organization.json` as deployed, written in the AWS CLI's
/// response shapes (botocore 1.43.11 service models), with what AWS adds by itself: the
/// `FullAWSAccess` SCP and `RCPFullAWSAccess` RCP attached everywhere, a service-linked role,
/// a role IAM Identity Center provisioned, the Identity Center SAML provider, an access key,
/// a console password and an older policy version (URL-encoded, as the IAM API returns
/// documents).
const EXPORT: &str = "tests/fixtures/export/organization";

fn relative(text: &str) -> String {
    text.replace(&format!("{}/", root().display()), "")
}

#[test]
fn import_writes_the_model_and_lists_what_it_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let export = root().join(EXPORT);
    let (code, out, err) = run_cli(&[
        "import",
        export.to_str().unwrap(),
        "-o",
        model.to_str().unwrap(),
    ]);
    let err = relative(&err).replace(&model.display().to_string(), "model.json");
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "",
            "tests/fixtures/export/organization/iam/222222222222.json:/RoleDetailList/3: not imported service-linked-role: role `AWSServiceRoleForSupport` is a service-linked role (AWS creates and manages it)
tests/fixtures/export/organization/iam/222222222222.json:/RoleDetailList/4: not imported sso-reserved-role: role `AWSReservedSSO_AdminAccess_0123456789abcdef` is provisioned by IAM Identity Center from a permission set
tests/fixtures/export/organization/iam/222222222222/access-keys/dev-john.json:/AccessKeyMetadata/0: not imported access-key: user `dev-john` has access key `AKIAIOSFODNN7EXAMPLE` (Active); the model records only that the user has keys
tests/fixtures/export/organization/iam/222222222222/login-profile/dev-john.json:/LoginProfile: not imported login-profile: user `dev-john` has a console password (reset required); the model records only that the user signs in to the console
tests/fixtures/export/organization/iam/222222222222/saml-providers.json:/SAMLProviderList/0: not imported saml-provider: SAML provider `arn:aws:iam::222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`: the model names its metadata XML file; add it by hand with the metadata from `aws iam get-saml-provider`
tests/fixtures/export/organization/iam/444444444444.json:/Policies/0: not imported policy-versions: policy `TesterPolicy`: only the default version is imported, not v1
model.json:/accounts/production/iam/users/dev-john/programmatic_access: warning human-access-key: IAM user `dev-john` is a person with long-term access keys
model.json:/accounts/production/iam/users/dev-john/console_access: warning console-user-without-mfa: IAM user `dev-john` can sign in to the console without MFA being enforced
model.json:/accounts/sandbox: warning sandbox-without-budget: sandbox account `sandbox` has no budget
imported 4 accounts into model.json; 6 items the model does not hold; 0 validation errors, 3 warnings
"
        )
    );
    let written = std::fs::read_to_string(&model).unwrap();
    let expected = root().join("tests/fixtures/export/organization.model.json");
    if update_golden() {
        std::fs::write(&expected, &written).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&expected).unwrap(), written);
    // The model validates: `validate` exits 0.
    let (code, _, _) = run_cli(&["validate", model.to_str().unwrap()]);
    assert_eq!(code, 0);
}

#[test]
fn import_json_is_one_document_with_the_model_when_there_is_no_output_file() {
    let export = root().join(EXPORT);
    let (code, out, err) = run_cli(&["import", export.to_str().unwrap(), "--format", "json"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], 1);
    let codes: Vec<&str> = doc["omissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "service-linked-role",
            "sso-reserved-role",
            "access-key",
            "login-profile",
            "saml-provider",
            "policy-versions"
        ]
    );
    assert_eq!(doc["omissions"][0]["file"], "iam/222222222222.json");
    assert_eq!(doc["omissions"][0]["path"], "/RoleDetailList/3");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3);
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/export/organization.model.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(doc["model"], expected);
}

#[test]
fn a_malformed_export_file_names_the_file_line_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("iam")).unwrap();
    std::fs::write(
        dir.path().join("iam/123456789012.json"),
        "{\"UserDetailList\": [{\"UserName\": 7}]}",
    )
    .unwrap();
    let (code, out, err) = run_cli(&["import", dir.path().to_str().unwrap()]);
    assert_eq!(
        (code, out.as_str(), err.replace(&dir.path().display().to_string(), "DIR")),
        (
            1,
            "",
            "error: cannot import `DIR`: `iam/123456789012.json`: line 1 column 34 (at `/UserDetailList/0/UserName`): invalid type: integer `7`, expected a string\n"
                .to_string()
        )
    );
}

#[test]
fn a_missing_listing_is_an_error_naming_the_aws_call() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("organizations")).unwrap();
    std::fs::write(
        dir.path().join("organizations/organization.json"),
        r#"{"Organization": {"MasterAccountId": "111111111111"}}"#,
    )
    .unwrap();
    let (code, _, err) = run_cli(&["import", dir.path().to_str().unwrap()]);
    assert_eq!(
        (code, err.replace(&dir.path().display().to_string(), "DIR")),
        (
            1,
            "error: cannot import `DIR`: the export has no `organizations/roots.json` (aws organizations list-roots)\n"
                .to_string()
        )
    );
}

#[test]
fn importing_the_export_of_an_imported_model_is_a_fixed_point() {
    let files = iam_codegen_read(EXPORT);
    let first = iam_model::import::import(&files).unwrap();
    let again = iam_model::import::import(&iam_model::import::export_of(&first.model)).unwrap();
    assert_eq!(again.model.to_json(), first.model.to_json());
}

#[test]
fn every_example_survives_export_and_import_with_the_same_access() {
    // What the model holds that AWS does not (budgets, account tags, OU targets of
    // assignments, the OIDC provider's model name) changes form; the access matrix does not.
    for (name, path) in crate::support::examples() {
        let model = iam_model::Model::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let imported = iam_model::import::import(&iam_model::import::export_of(&model)).unwrap();
        let report = iam_model::validate::validate(&imported.model);
        assert!(!report.has_errors(), "{name}: {:?}", report.findings());
        // Environments are not stored in AWS; import reads them from names.
        let rows = |m: &iam_model::Model| -> Vec<String> {
            iam_model::eval::model::access_matrix(m)
                .rows
                .iter()
                .map(|r| format!("{} {} {:?}", r.principal, r.account, r.results))
                .collect()
        };
        assert_eq!(rows(&model), rows(&imported.model), "{name}");
    }
}

fn iam_codegen_read(relative: &str) -> iam_model::import::ExportFiles {
    let dir = root().join(relative);
    let mut files = iam_model::import::ExportFiles::new();
    for path in crate::support::walk(&dir) {
        if path.ends_with(".json") {
            files.insert(
                path.clone(),
                std::fs::read_to_string(dir.join(&path)).unwrap(),
            );
        }
    }
    files
}

#[test]
fn a_500_account_export_imports() {
    // The figure is measured by `cargo bench -p iam-model --bench import`; tests never time.
    let model = iam_model::model::synthetic::organization(500, 40, 200, 5000, 20000);
    let files = iam_model::import::export_of(&model);
    assert_eq!(files.len(), 3153);
    let imported = iam_model::import::import(&files).unwrap();
    assert_eq!(imported.model.accounts().len(), 501);
    assert_eq!(imported.omissions, []);
}

#[test]
fn generate_import_existing_writes_an_import_block_per_iam_resource() {
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("tests/fixtures/export/organization.model.json");
    let (code, err) = generate_importing(&model, dir.path());
    assert_eq!(code, 0, "{err}");
    let text =
        std::fs::read_to_string(dir.path().join("terraform/production/imports.tf.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let blocks: Vec<(String, String)> = doc["import"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["to"].as_str().unwrap().into(),
                b["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("aws_iam_account_password_policy.account_password_policy", "iam-account-password-policy"),
        ("aws_iam_group.group_developers", "Developers"),
        ("aws_iam_group_policy_attachment.group_developers_aws_policy_read_only_access", "Developers/arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ("aws_iam_instance_profile.instance_profile_web_server", "web-server"),
        ("aws_iam_openid_connect_provider.oidc_provider_token_actions_githubusercontent_com", "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"),
        ("aws_iam_role.role_ci_deploy", "ci-deploy"),
        ("aws_iam_role.role_partner_access", "partner-access"),
        ("aws_iam_role.role_web_server", "web-server"),
        ("aws_iam_role_policy.role_ci_deploy_policy_deploy", "ci-deploy:Deploy"),
        ("aws_iam_role_policy_attachment.role_partner_access_aws_policy_read_only_access", "partner-access/arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ("aws_iam_role_policy_attachment.role_web_server_aws_policy_amazon_ssm_managed_instance_core", "web-server/arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
        ("aws_iam_user.user_dev_john", "dev-john"),
        ("aws_iam_user_group_membership.user_dev_john", "dev-john/Developers"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(blocks, expected);
    // Without the flag there is none.
    let plain = tempfile::tempdir().unwrap();
    let (code, _, _) = run_cli(&[
        "generate",
        model.to_str().unwrap(),
        "--target",
        "terraform",
        "-o",
        plain.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(
        !plain
            .path()
            .join("terraform/production/imports.tf.json")
            .exists()
    );
}

/// A management-account module of the fixture organization (`management/<stage>`) with its
/// `imports.tf.json` merged in (`data`, `locals` and `import` sections), as Terraform reads
/// the two files.
fn management_with_imports(dir: &std::path::Path, stage: &str) -> (Value, Value) {
    let read = |file: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(dir.join("terraform/management").join(stage).join(file))
                .unwrap(),
        )
        .unwrap()
    };
    let (mut module, imports) = (read("main.tf.json"), read("imports.tf.json"));
    for section in ["data", "locals"] {
        let target = module
            .as_object_mut()
            .unwrap()
            .entry(section)
            .or_insert_with(|| serde_json::json!({}));
        for (key, value) in imports[section].as_object().into_iter().flatten() {
            match target.get_mut(key) {
                Some(Value::Object(existing)) => {
                    existing.extend(value.as_object().unwrap().clone());
                }
                _ => {
                    target[key] = value.clone();
                }
            }
        }
    }
    let mut blocks = module["import"].as_array().cloned().unwrap_or_default();
    blocks.extend(imports["import"].as_array().unwrap().iter().cloned());
    module["import"] = Value::Array(blocks);
    (module, imports)
}

#[test]
fn generate_import_existing_imports_units_and_identity_center_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("tests/fixtures/export/organization.model.json");
    let (code, err) = generate_importing(&model, dir.path());
    assert_eq!(code, 0, "{err}");
    // The imported model has every policy and membership id: no note.
    assert!(!err.contains("note:"), "{err}");
    // Every resource of the Organizations and Identity Center modules has an import block in
    // its own module: what a data source finds by name (OUs, Identity Center), and SCPs/RCPs,
    // their attachments and the group memberships by the ids the model keeps.
    let stages = ["organizations", "identity-store", "identity-center"];
    let mut blocks = Vec::new();
    let mut not_imported = Vec::new();
    for stage in stages {
        let (module, imports) = management_with_imports(dir.path(), stage);
        blocks.extend(imports["import"].as_array().unwrap().iter().cloned());
        let imported: std::collections::BTreeSet<String> = module["import"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let to = b["to"].as_str().unwrap();
                to.strip_suffix("[each.key]").unwrap_or(to).to_string()
            })
            .collect();
        let mut resources = std::collections::BTreeSet::new();
        for (ty, named) in module["resource"].as_object().unwrap() {
            for name in named.as_object().unwrap().keys() {
                let address = format!("{ty}.{name}");
                if !imported.contains(&address) {
                    not_imported.push(address.clone());
                }
                resources.insert(address);
            }
        }
        assert_eq!(
            imported.difference(&resources).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{stage} imports what it does not hold"
        );
    }
    assert_eq!(not_imported, Vec::<String>::new());
    let by_id: Vec<(&str, &str)> = blocks
        .iter()
        .filter(|b| {
            let to = b["to"].as_str().unwrap();
            to.starts_with("aws_organizations_policy")
                || to.starts_with("aws_identitystore_group_membership")
        })
        .map(|b| (b["to"].as_str().unwrap(), b["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        by_id,
        [
            (
                "aws_organizations_policy.scp_deny_leave_organization",
                "p-examplescp1"
            ),
            (
                "aws_organizations_policy_attachment.scp_deny_leave_organization_root",
                "${data.aws_organizations_organization.this.roots[0].id}:p-examplescp1"
            ),
            (
                "aws_organizations_policy.scp_sandbox_regions",
                "p-examplescp2"
            ),
            (
                "aws_organizations_policy_attachment.scp_sandbox_regions_unit_sandbox",
                "${local.import_unit_unit_sandbox}:p-examplescp2"
            ),
            (
                "aws_organizations_policy.rcp_deny_external_s3",
                "p-examplercp1"
            ),
            (
                "aws_organizations_policy_attachment.rcp_deny_external_s3_unit_workloads_prod",
                "${local.import_unit_unit_workloads_prod}:p-examplercp1"
            ),
            (
                "aws_identitystore_group_membership.this[each.key]",
                "${local.identity_store_id}/${each.value}"
            ),
        ]
    );
    let (_, imports) = management_with_imports(dir.path(), "identity-store");
    assert_eq!(
        imports["locals"]["import_membership_ids"],
        serde_json::json!({
            "sso_user_alice_example_com_in_sso_group_aws_admins": "a1b2c3d4-5678-90ab-cdef-000000000001",
            "sso_user_alice_example_com_in_sso_group_aws_developers": "a1b2c3d4-5678-90ab-cdef-000000000002"
        })
    );
    // The account assignments: one block over the module's own `for_each` map, with the
    // principals' ids from the module's lookups by name.
    let (_, imports) = management_with_imports(dir.path(), "identity-center");
    let assignments = imports["import"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["to"] == "aws_ssoadmin_account_assignment.this[each.key]")
        .unwrap();
    assert_eq!(
        assignments,
        &serde_json::json!({
            "for_each": "${local.account_assignments}",
            "to": "aws_ssoadmin_account_assignment.this[each.key]",
            "id": "${local.principal_ids[each.value.principal]},${each.value.principal_type},${each.value.account_id},AWS_ACCOUNT,${local.import_permission_set_arns[each.value.permission_set]},${local.sso_instance_arn}"
        })
    );
    // The data sources use provider 6.x names and arguments only, and Terraform with the
    // mirror's provider 3.39.0 validates the rest (`import` with `for_each` included);
    // exactly what 3.39.0 lacks is left out of that check.
    let mut removed = Vec::new();
    for stage in stages {
        let (module, _) = management_with_imports(dir.path(), stage);
        assert_eq!(
            crate::tf_schema::check_tf_json(&module),
            Vec::<String>::new(),
            "{stage}"
        );
        removed.extend(crate::terraform::validate_with_mirror(&module));
    }
    let removed_types: std::collections::BTreeSet<String> = removed
        .iter()
        .map(|a| {
            // `import.aws_x.this[each.key]`: the address without the key.
            let a = a.split('[').next().unwrap_or(a);
            let a = a
                .strip_prefix("import.")
                .map_or(a.to_string(), |t| format!("import {t}"));
            a.rsplit_once('.')
                .map_or(a.clone(), |(ty, _)| ty.to_string())
        })
        .collect();
    // 3.39.0 has no `aws_identitystore_*` resources, nor `alternate_identifier` in the data
    // sources, nor customer managed policy attachments; RCPs are younger than its checks.
    let expected: std::collections::BTreeSet<String> = [
        "aws_identitystore_group",
        "aws_identitystore_group_membership",
        "aws_identitystore_user",
        "aws_organizations_policy",
        "aws_ssoadmin_customer_managed_policy_attachment",
        "data.aws_identitystore_group",
        "data.aws_identitystore_user",
        "import aws_identitystore_group",
        "import aws_identitystore_group_membership",
        "import aws_identitystore_user",
        "import aws_organizations_policy",
        "import aws_ssoadmin_customer_managed_policy_attachment",
        "local",
        "output",
    ]
    .map(String::from)
    .into();
    assert_eq!(removed_types, expected, "{removed:#?}");
    assert!(removed.contains(&"local.principal_ids".to_string()));
}

#[test]
fn generate_import_existing_names_what_has_no_id_on_stderr() {
    // A model written by hand has no policy or membership ids: those resources get no
    // import block, and a note each.
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("examples/organization.json");
    let (code, err) = generate_importing(&model, dir.path());
    assert_eq!(code, 0, "{err}");
    let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(
        notes,
        [
            "note: no import block for `aws_organizations_policy.scp_deny_leave_organization` in `terraform/management/organizations`: SCP `DenyLeaveOrganization` has no `id` in the model",
            "note: no import block for `aws_organizations_policy_attachment.scp_deny_leave_organization_root` in `terraform/management/organizations`: SCP `DenyLeaveOrganization` has no `id` in the model (attached to `root`)",
            "note: no import block for `aws_organizations_policy.scp_sandbox_regions` in `terraform/management/organizations`: SCP `SandboxRegions` has no `id` in the model",
            "note: no import block for `aws_organizations_policy_attachment.scp_sandbox_regions_unit_sandbox` in `terraform/management/organizations`: SCP `SandboxRegions` has no `id` in the model (attached to `unit:Sandbox`)",
            "note: no import block for `aws_organizations_policy.rcp_deny_external_s3` in `terraform/management/organizations`: RCP `DenyExternalS3` has no `id` in the model",
            "note: no import block for `aws_organizations_policy_attachment.rcp_deny_external_s3_unit_workloads_prod` in `terraform/management/organizations`: RCP `DenyExternalS3` has no `id` in the model (attached to `unit:Workloads/Prod`)",
            "note: no import block for `aws_identitystore_group_membership.this[\"sso_user_alice_example_com_in_sso_group_aws_developers\"]` in `terraform/management/identity-store`: user `alice@example.com` has no membership id for group `AWS-Developers` in the model",
            "note: no import block for `aws_identitystore_group_membership.this[\"sso_user_alice_example_com_in_sso_group_aws_admins\"]` in `terraform/management/identity-store`: user `alice@example.com` has no membership id for group `AWS-Admins` in the model",
        ]
    );
    // ... and the modules' import files have blocks for the rest, none for them.
    let mut targets = Vec::new();
    for stage in ["organizations", "identity-store", "identity-center"] {
        let (_, imports) = management_with_imports(dir.path(), stage);
        for block in imports["import"].as_array().unwrap() {
            targets.push(format!("{stage}: {}", block["to"].as_str().unwrap()));
        }
    }
    assert_eq!(
        targets,
        [
            "organizations: aws_organizations_organizational_unit.unit_sandbox",
            "organizations: aws_organizations_organizational_unit.unit_security",
            "organizations: aws_organizations_organizational_unit.unit_workloads",
            "organizations: aws_organizations_organizational_unit.unit_workloads_non_prod",
            "organizations: aws_organizations_organizational_unit.unit_workloads_prod",
            "identity-store: aws_identitystore_group.sso_group_aws_admins",
            "identity-store: aws_identitystore_group.sso_group_aws_developers",
            "identity-store: aws_identitystore_group.sso_group_aws_testers",
            "identity-store: aws_identitystore_user.sso_user_alice_example_com",
            "identity-center: aws_ssoadmin_permission_set.permission_set_admin_access",
            "identity-center: aws_ssoadmin_permission_set.permission_set_developer_access",
            "identity-center: aws_ssoadmin_permission_set.permission_set_tester_access",
            "identity-center: aws_ssoadmin_permission_set_inline_policy.permission_set_developer_access",
            "identity-center: aws_ssoadmin_managed_policy_attachment.permission_set_admin_access_aws_policy_administrator_access",
            "identity-center: aws_ssoadmin_managed_policy_attachment.permission_set_developer_access_aws_policy_power_user_access",
            "identity-center: aws_ssoadmin_customer_managed_policy_attachment.permission_set_tester_access_policy_tester_policy",
            "identity-center: aws_ssoadmin_account_assignment.this[each.key]",
        ]
    );
    // Without `--import-existing` there is no note.
    let plain = tempfile::tempdir().unwrap();
    let (code, _, err) = run_cli(&[
        "generate",
        model.to_str().unwrap(),
        "--target",
        "terraform",
        "-o",
        plain.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(!err.contains("note:"), "{err}");
}
