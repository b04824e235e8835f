//! `iam-codegen drift MODEL EXPORT_DIR`: hand changes on the live side (a policy attached by
//! hand, an edited trust policy, an extra user, a deleted role) are named exactly, with exit
//! 1; a policy written differently but meaning the same is no drift.
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{root, run_cli};

const MODEL: &str = "examples/organization.json";
const EXPORT: &str = "tests/fixtures/export/organization";

/// A copy of the fixture export with `edit` applied to `iam/222222222222.json`.
fn edited(edit: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join(EXPORT);
    for path in crate::support::walk(&src) {
        let to = dir.path().join(&path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(src.join(&path), &to).unwrap();
    }
    // The fixture has a console password the model does not: drop it to start clean.
    std::fs::remove_file(
        dir.path()
            .join("iam/222222222222/login-profile/dev-john.json"),
    )
    .unwrap();
    let file = dir.path().join("iam/222222222222.json");
    let mut details: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    edit(&mut details);
    std::fs::write(&file, serde_json::to_string_pretty(&details).unwrap()).unwrap();
    dir
}

fn drift(dir: &tempfile::TempDir, extra: &[&str]) -> (u8, String, String) {
    let model = root().join(MODEL);
    let mut args = vec![
        "drift",
        model.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = run_cli(&args);
    let strip = |s: String| {
        s.replace(&format!("{}/", root().display()), "")
            .replace(&dir.path().display().to_string(), "EXPORT")
    };
    (code, strip(out), strip(err))
}

fn role<'a>(details: &'a mut Value, name: &str) -> &'a mut Value {
    details["RoleDetailList"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["RoleName"] == name)
        .unwrap()
}

#[test]
fn the_deployed_model_has_no_drift() {
    let dir = edited(|_| {});
    assert_eq!(
        drift(&dir, &[]),
        (
            0,
            String::new(),
            "examples/organization.json: 0 differences from `EXPORT`\n".into()
        )
    );
}

#[test]
fn hand_changes_are_named_exactly_with_exit_1() {
    let dir = edited(|d| {
        role(d, "web-server")["AttachedManagedPolicies"]
            .as_array_mut()
            .unwrap()
            .push(json!({"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}));
        role(d, "partner-access")["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
            ["sts:ExternalId"] = json!("changed-by-hand");
        d["UserDetailList"].as_array_mut().unwrap().push(json!({"Path": "/", "UserName": "mallory",
            "UserPolicyList": [], "GroupList": ["Developers"], "AttachedManagedPolicies": [], "Tags": []}));
        d["RoleDetailList"]
            .as_array_mut()
            .unwrap()
            .retain(|r| r["RoleName"] != "ci-deploy");
    });
    let (code, out, _) = drift(&dir, &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            r#"examples/organization.json:/accounts/production/iam/roles/ci-deploy: drift missing: `ci-deploy` is in the model but not live
examples/organization.json:/accounts/production/iam/roles/partner-access/trust_policy: drift changed: the policy differs: the model has {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999999999999:root"]},"Action":["sts:assumerole"],"Condition":{"StringEquals":{"sts:externalid":["acme-7f3b9c"]}}}]}, live has {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999999999999:root"]},"Action":["sts:assumerole"],"Condition":{"StringEquals":{"sts:externalid":["changed-by-hand"]}}}]}
examples/organization.json:/accounts/production/iam/roles/web-server/aws_managed_policies: drift extra: `AdministratorAccess` is live in `aws_managed_policies` but not in the model
examples/organization.json:/accounts/production/iam/users/mallory: drift extra: `mallory` is live but not in the model
"#
        )
    );
    let (code, out, _) = drift(&dir, &["--format", "json"]);
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["drift"][2],
        json!({"path": "/accounts/production/iam/roles/web-server/aws_managed_policies", "code": "extra",
            "message": "`AdministratorAccess` is live in `aws_managed_policies` but not in the model"})
    );
}

#[test]
fn a_policy_written_differently_with_the_same_meaning_is_no_drift() {
    let dir = edited(|d| {
        // One statement as an object, the action as a list in other case: the same policy.
        let trust = &mut role(d, "web-server")["AssumeRolePolicyDocument"];
        let statement = trust["Statement"][0].clone();
        trust["Statement"] = statement;
        trust["Statement"]["Action"] = json!(["STS:AssumeRole"]);
    });
    assert_eq!(drift(&dir, &[]).0, 0);
}

#[test]
fn a_console_password_set_by_hand_is_drift() {
    let model = root().join(MODEL);
    let export = root().join(EXPORT);
    let (code, out, _) = run_cli(&["drift", model.to_str().unwrap(), export.to_str().unwrap()]);
    assert_eq!(
        (code, out.replace(&format!("{}/", root().display()), "")),
        (
            1,
            "examples/organization.json:/accounts/production/iam/users/dev-john/console_access: drift changed: `console_access`: the model has none, live has `true`\n"
                .to_string()
        )
    );
}

#[test]
fn sarif_has_one_result_per_difference_at_the_model_line() {
    let dir = edited(|d| {
        role(d, "web-server")["AttachedManagedPolicies"]
            .as_array_mut()
            .unwrap()
            .push(json!({"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}));
    });
    let (code, out, _) = drift(&dir, &["--format", "sarif"]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&out).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "drift-extra");
    assert_eq!(
        results[0]["message"]["text"],
        "`AdministratorAccess` is live in `aws_managed_policies` but not in the model"
    );
    // `aws_managed_policies` of web-server in examples/organization.json is on line 92.
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        92
    );
}

#[test]
fn ids_are_not_drift() {
    // The model has other SCP/RCP and membership ids than live (a policy recreated by hand
    // since the import): AWS's handles, not access, so no drift. Without ids (the example
    // as written) there is none either (`the_deployed_model_has_no_drift`).
    let mut model: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(MODEL)).unwrap()).unwrap();
    for (i, (kind, name)) in [
        ("scps", "DenyLeaveOrganization"),
        ("scps", "SandboxRegions"),
        ("rcps", "DenyExternalS3"),
    ]
    .into_iter()
    .enumerate()
    {
        model["organization"][kind][name]["id"] = json!(format!("p-recreated_{i}"));
    }
    model["identity_center"]["users"]["alice@example.com"]["membership_ids"] = json!({
        "AWS-Admins": "0123456789-a1b2c3d4-5678-90ab-cdef-000000000009"
    });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_string_pretty(&model).unwrap()).unwrap();
    let (code, _, out) = run_cli(&["validate", file.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let dir = edited(|_| {});
    let (code, out, err) = run_cli(&[
        "drift",
        file.path().to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}
