//! The brownfield round trip on moto (the harness of `tools.rs`: 127.0.0.1, a free port,
//! bounded): boto3 sets up an organization and IAM by hand (`tests/tools/moto_brownfield.py`),
//! `scripts/export-aws.sh` exports it with the pinned AWS CLI, `iam-codegen import` makes a
//! model that validates, `generate --target terraform --import-existing` writes import blocks
//! with which `terraform plan` against moto imports every IAM resource, the OU, the SCP and
//! its attachment and changes none, and
//! `drift` after a hand change on moto names exactly those changes with exit 1.
//!
//! IAM Identity Center is set up on moto too (a user, a group, its membership, two permission
//! sets with AWS managed, customer managed and inline policies, a group assignment) and comes
//! back through export and import. What moto 5.2.1 lacks is named where it is worked around
//! (`moto_brownfield.py`, [`aws_standing_in_for_moto_gaps`]); the parts moto cannot hold
//! (assignments to member accounts, permission set boundaries and tags) are covered by the
//! fixture export of `tests/e2e/import.rs`.
use std::path::Path;
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::support::{generate_importing, root, run_cli};
use crate::tools::{MotoServer, copy_module, terraform_ok, text, tool_path, write_moto_override};

fn helper(moto: &MotoServer, step: &str) {
    let out = Command::new("timeout")
        .args(["--kill-after=10", "300"])
        .arg(tool_path("python"))
        .arg(root().join("tests/tools/moto_brownfield.py"))
        .args([step, &moto.endpoint()])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{step}: {}\n{}",
        text(&out.stderr),
        moto.log_text()
    );
}

/// An `aws` in `dir` that answers the two calls of `export-aws.sh` that moto 5.2.1 does not
/// implement (its server answers both with HTTP 500 `NotImplementedError`; its `ssoadmin`
/// responses have no `get_permissions_boundary_for_permission_set` nor
/// `list_tags_for_resource`) as AWS does for a permission set without a boundary and without
/// tags, and hands every other call to the pinned AWS CLI. AWS API reference:
/// GetPermissionsBoundaryForPermissionSet fails with `ResourceNotFoundException` when none is
/// attached; ListTagsForResource returns `{"Tags": []}`.
fn aws_standing_in_for_moto_gaps(dir: &Path) {
    let script = format!(
        r#"#!/usr/bin/env bash
for arg in "$@"; do
    case "$arg" in
        get-permissions-boundary-for-permission-set)
            echo "An error occurred (ResourceNotFoundException) when calling the GetPermissionsBoundaryForPermissionSet operation: the permission set has no permissions boundary" >&2
            exit 254 ;;
        list-tags-for-resource) echo '{{"Tags": []}}'; exit 0 ;;
    esac
done
exec '{}' "$@"
"#,
        tool_path("aws").display()
    );
    let aws = dir.join("aws");
    std::fs::write(&aws, script).unwrap();
    let mut permissions = std::fs::metadata(&aws).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&aws, permissions).unwrap();
}

/// `scripts/export-aws.sh --profile moto …` into `out`, with an `aws` first on PATH that stands
/// in for moto's gaps ([`aws_standing_in_for_moto_gaps`]) and a profile of fake keys. moto's
/// identity store ids are not hex (`d-` and 10 letters or digits), so the portal URL the
/// script would derive from one is not a valid one: `--start-url` names it.
fn export(moto: &MotoServer, home: &Path, out: &Path) {
    std::fs::write(
        home.join("credentials"),
        "[moto]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    std::fs::write(home.join("config"), "[profile moto]\nregion = us-east-1\n").unwrap();
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    aws_standing_in_for_moto_gaps(&bin);
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        tool_path("aws").parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let result = Command::new("timeout")
        .args(["--kill-after=10", "300", "bash"])
        .arg(root().join("scripts/export-aws.sh"))
        .args([
            "--profile",
            "moto",
            "--endpoint-url",
            &moto.endpoint(),
            "--region",
            "us-east-1",
            "--start-url",
            "https://example-brownfield.awsapps.com/start",
        ])
        .arg(out)
        .env("PATH", path)
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "export-aws.sh failed:\n{}\n{}",
        text(&result.stderr),
        moto.log_text()
    );
}

#[test]
fn moto_organization_exports_imports_plans_no_iam_change_and_shows_drift() {
    let moto = MotoServer::start();
    helper(&moto, "setup");
    let work = tempfile::tempdir().unwrap();
    let exported = work.path().join("export");
    export(&moto, work.path(), &exported);

    let model = work.path().join("model.json");
    let (code, _, err) = run_cli(&[
        "import",
        exported.to_str().unwrap(),
        "-o",
        model.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run_cli(&["validate", model.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let imported: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let iam = &imported["accounts"]["master"]["iam"];
    // moto 5.2.1 leaves a user's PermissionsBoundary out of GetAccountAuthorizationDetails
    // (it gives the role's), so only the role's boundary comes back.
    assert_eq!(
        iam["users"]["dev-john"]["permissions_boundary"],
        Value::Null
    );
    assert_eq!(
        iam["roles"]["web-server"]["permissions_boundary"],
        serde_json::json!({"customer_managed": "ReadLogs"})
    );
    assert_eq!(iam["instance_profiles"]["web-server"]["role"], "web-server");
    // The SCP keeps the id moto gave it, and the membership its membership id (moto makes
    // both at random: checked by form).
    let scp_id = imported["organization"]["scps"]["DenyLeaveOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(iam_model::model::is_policy_id(&scp_id), "{scp_id}");
    let mut imported_ic = imported["identity_center"].clone();
    let membership_ids = imported_ic["users"]["jane@example.com"]
        .as_object_mut()
        .unwrap()
        .remove("membership_ids")
        .unwrap();
    let membership_ids = membership_ids.as_object().unwrap();
    assert_eq!(membership_ids.keys().collect::<Vec<_>>(), ["AWS-Admins"]);
    assert!(iam_model::model::is_membership_id(
        membership_ids["AWS-Admins"].as_str().unwrap()
    ));
    // Identity Center arrives whole: the user with its group, the permission sets with their
    // policies, the group's assignment (moto lists it for the management account only).
    assert_eq!(
        imported_ic,
        serde_json::json!({
            "instance_account": "master",
            "start_url": "https://example-brownfield.awsapps.com/start",
            "region": "us-east-1",
            "users": {"jane@example.com": {
                "display_name": "Jane Doe",
                "given_name": "Jane",
                "family_name": "Doe",
                "email": "jane@example.com",
                "groups": ["AWS-Admins"]
            }},
            "groups": {"AWS-Admins": {"description": "Administrators"}},
            "permission_sets": {
                "AdministratorAccess": {
                    "description": "Full access",
                    "session_duration": "PT4H",
                    "aws_managed_policies": ["AdministratorAccess"]
                },
                "LogReader": {
                    "session_duration": "PT1H",
                    "customer_managed_policies": [{"name": "ReadLogs", "path": "/ops/"}],
                    "inline_policy": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Action": "logs:GetLogEvents",
                            "Resource": "*"
                        }]
                    }
                }
            },
            "assignments": [{
                "group": "AWS-Admins",
                "permission_set": "AdministratorAccess",
                "accounts": ["master"]
            }]
        })
    );

    // Terraform with import blocks: every IAM resource, the OU, the SCP and its attachment
    // are imported, none created or changed.
    // The plan runs without Identity Center: the mirror's provider (3.39.0) has no
    // `aws_identitystore_*` resources (so neither the group membership, imported by its
    // membership id, nor its group and user) nor
    // `aws_ssoadmin_customer_managed_policy_attachment`, and moto has no sso-admin
    // ListTagsForResource, which reading a permission set calls. The membership's import
    // block is checked offline here (it lands in the identity store's module, which owns the
    // membership, and Identity Center's module has none), in `tests/e2e/import.rs` and in the
    // emitter's unit tests.
    let whole = work.path().join("whole");
    let (code, err) = generate_importing(&model, &whole);
    assert_eq!(code, 0, "{err}");
    let import_targets = |stage: &str| -> Vec<String> {
        let path = whole
            .join("terraform/management")
            .join(stage)
            .join("imports.tf.json");
        let imports: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        imports["import"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["to"].as_str().unwrap().to_string())
            .filter(|to| to.starts_with("aws_identitystore_group_membership"))
            .collect()
    };
    assert_eq!(
        (
            import_targets("identity-store"),
            import_targets("identity-center")
        ),
        (
            vec!["aws_identitystore_group_membership.this[each.key]".to_string()],
            vec![]
        )
    );
    let mut without_identity_center = imported.clone();
    without_identity_center
        .as_object_mut()
        .unwrap()
        .remove("identity_center");
    let iam_model = work.path().join("model-iam.json");
    std::fs::write(
        &iam_model,
        serde_json::to_string_pretty(&without_identity_center).unwrap(),
    )
    .unwrap();
    let generated = work.path().join("generated");
    let (code, err) = generate_importing(&iam_model, &generated);
    assert_eq!(code, 0, "{err}");
    // Every id is in the imported model: no resource lacks an import block.
    assert!(!err.contains("note:"), "{err}");
    // The management account's resources are in two root modules here (`organizations`:
    // the OU, the SCP and its attachment; `iam`: the account's own IAM), each planned on its own.
    let mut counts = Vec::new();
    let mut organization_blocks = Vec::new();
    for stage in ["organizations", "iam"] {
        let (imported, blocks) =
            plan_imports(&generated.join("terraform/management").join(stage), &moto);
        counts.push((stage, (imported, blocks.len())));
        if stage == "organizations" {
            organization_blocks = blocks;
        }
    }
    // Every IAM resource of the account (12 here), the OU `Workloads` (found by name among
    // the root's OUs at plan time), the SCP `DenyLeaveOrganization` and its attachment to the
    // OU (by the SCP's id, `OU_ID:POLICY_ID`) has an import block in the module that holds
    // it, and each is imported unchanged.
    assert_eq!(counts, [("organizations", (3, 3)), ("iam", (12, 12))]);
    let policy_blocks: Vec<(&str, String)> = organization_blocks
        .iter()
        .filter(|b| {
            b["to"]
                .as_str()
                .unwrap()
                .starts_with("aws_organizations_policy")
        })
        .map(|b| {
            (
                b["to"].as_str().unwrap(),
                b["id"].as_str().unwrap().replace(&scp_id, "SCP_ID"),
            )
        })
        .collect();
    assert_eq!(
        policy_blocks,
        [
            (
                "aws_organizations_policy.scp_deny_leave_organization",
                "SCP_ID".to_string()
            ),
            (
                "aws_organizations_policy_attachment.scp_deny_leave_organization_unit_workloads",
                "${local.import_unit_unit_workloads}:SCP_ID".to_string()
            ),
        ]
    );

    // A hand change on moto (IAM and Identity Center) is drift, named exactly.
    helper(&moto, "hand-change");
    let again = work.path().join("export-again");
    export(&moto, work.path(), &again);
    let (code, out, _) = run_cli(&["drift", model.to_str().unwrap(), again.to_str().unwrap()]);
    let out = out.replace(&model.display().to_string(), "model.json");
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            r#"model.json:/accounts/master/iam/roles/ci-deploy/customer_managed_policies: drift extra: `ReadLogs` is live in `customer_managed_policies` but not in the model
model.json:/accounts/master/iam/roles/web-server/trust_policy: drift changed: the policy differs: the model has {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:assumerole"]}]}, live has {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":["sts:assumerole"]}]}
model.json:/identity_center/permission_sets/LogReader/aws_managed_policies: drift extra: `ReadOnlyAccess` is live in `aws_managed_policies` but not in the model
"#
        )
    );
}

/// `terraform plan` of a generated module with its `imports.tf.json` against moto: no IAM
/// resource, OU or organization policy is created or changed; how many are imported, and the
/// import blocks of `imports.tf.json`.
fn plan_imports(generated: &Path, moto: &MotoServer) -> (usize, Vec<Value>) {
    let module = copy_module(generated);
    write_moto_override(module.path(), &moto.endpoint());
    // The module names its account in `allowed_account_ids`: let the provider ask moto's STS
    // who it is (123456789012) instead of skipping the check.
    let override_file = module.path().join("zz_moto_override.tf.json");
    let text = std::fs::read_to_string(&override_file).unwrap();
    std::fs::write(
        &override_file,
        text.replace(
            "\"skip_requesting_account_id\": true",
            "\"skip_requesting_account_id\": false",
        ),
    )
    .unwrap();
    terraform_ok(module.path(), &["init", "-input=false", "-no-color"]);
    terraform_ok(
        module.path(),
        &["plan", "-input=false", "-no-color", "-out=plan.tfplan"],
    );
    let plan: Value = serde_json::from_str(&terraform_ok(
        module.path(),
        &["show", "-json", "plan.tfplan"],
    ))
    .unwrap();
    let mut iam_changes = Vec::new();
    let mut imported_count = 0;
    for change in plan["resource_changes"].as_array().unwrap() {
        let ty = change["type"].as_str().unwrap();
        if !ty.starts_with("aws_iam_")
            && ty != "aws_organizations_organizational_unit"
            && !ty.starts_with("aws_organizations_policy")
        {
            continue;
        }
        let actions = &change["change"]["actions"];
        if change["change"]["importing"].is_object() {
            imported_count += 1;
        }
        if actions != &serde_json::json!(["no-op"]) {
            iam_changes.push(format!("{} {actions}", change["address"]));
        }
    }
    assert_eq!(iam_changes, Vec::<String>::new());
    let imports: Value = serde_json::from_str(
        &std::fs::read_to_string(module.path().join("imports.tf.json")).unwrap(),
    )
    .unwrap();
    (
        imported_count,
        imports["import"].as_array().unwrap().clone(),
    )
}

#[test]
fn the_export_script_passes_shellcheck_and_refuses_to_run_without_a_profile() {
    let script = root().join("scripts/export-aws.sh");
    let out = Command::new("shellcheck").arg(&script).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = Command::new("bash")
        .arg(&script)
        .arg("out")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with(
            "error: --profile is required (the script never uses default credentials)\n"
        ),
        "{}",
        text(&out.stderr)
    );
}
