//! The `cloudformation` target, judged by real tools.
//!
//! - Goldens: every template and parameters file of every example model.
//! - cfn-lint: every template of the examples and of synthetic organizations, in one run, with
//!   no error, no warning and no informational match.
//! - moto: each account template deploys to CREATE_COMPLETE and the IAM API returns what the
//!   model says. moto 5.2.1's CloudFormation does NOT create `AWS::IAM::Group`,
//!   `AWS::IAM::OIDCProvider`, `AWS::IAM::SAMLProvider`(untested there), `AWS::SSO::*`,
//!   `AWS::IdentityStore::*`, `AWS::Organizations::*` or `AWS::Budgets::Budget`, and ignores
//!   `ManagedPolicyArns` on roles and users and `Groups`, `Policies` and `PermissionsBoundary`
//!   on users (pinned by `real_tools::moto_cloudformation_skips_what_it_does_not_implement`).
//!   Checked on moto: roles (exact trust policy, path, description, session duration,
//!   boundary, inline policies), users (path), customer managed policies (exact documents,
//!   path, description, the roles and users they are attached to), instance profiles.
//!   Everything else is asserted property by property on the emitted template below.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use iam_codegen::emit::EmitOptions;
use iam_codegen::emit::cloudformation::{self, CloudformationOptions};
use iam_model::model::Model;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::root;
use crate::tools::{MotoServer, cfn_lint_rules, moto_cfn, text, tool_path};

/// The example models, `examples/*.json` (their goldens are checked by `golden.rs`).
/// `attachments` exercises customer managed policies attached to roles, users and groups, a
/// customer managed boundary, user inline policies and paths.
fn examples() -> Vec<(String, Model)> {
    let mut out = Vec::new();
    // `examples/organization.json` is the rich fixture of `tests/models/valid/`.
    let paths = crate::support::files(&root().join("examples"), "json");
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let model = Model::from_json(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out.push((name, model));
    }
    out
}

fn emit(model: &Model) -> BTreeMap<String, String> {
    emit_with(model, &EmitOptions::default())
}

fn emit_with(model: &Model, options: &EmitOptions) -> BTreeMap<String, String> {
    let report = iam_model::validate::validate(model);
    assert!(!report.has_errors(), "{report:?}");
    cloudformation::emit(model, options)
        .unwrap()
        .into_files()
        .into_iter()
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .collect()
}

fn write(dir: &Path, files: &BTreeMap<String, String>) -> Vec<PathBuf> {
    files
        .iter()
        .map(|(p, body)| {
            let path = dir.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect()
}

fn templates(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| {
            let p = p.to_string_lossy();
            p.ends_with(".json") && !p.ends_with(".parameters.json")
        })
        .cloned()
        .collect()
}

/// cfn-lint over many templates in one process: exit code and parseable output.
fn cfn_lint_all(templates: &[PathBuf]) -> (i32, String) {
    let out = Command::new(tool_path("cfn-lint"))
        .args(["--format", "parseable", "--"])
        .args(templates)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), text(&out.stdout))
}

fn template(files: &BTreeMap<String, String>, path: &str) -> Value {
    serde_json::from_str(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no `{path}`: {:?}", files.keys())),
    )
    .unwrap()
}

#[test]
fn emit_is_byte_stable() {
    for (_, model) in examples() {
        assert_eq!(emit(&model), emit(&model));
    }
}

#[test]
fn cfn_lint_accepts_every_template_with_no_error_and_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = Vec::new();
    let mut models = examples();
    models.push((
        "synthetic".to_string(),
        iam_model::model::synthetic::organization(6, 3, 4, 3, 2),
    ));
    for (name, model) in &models {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        all.extend(templates(&write(&sub, &emit(model))));
    }
    assert!(all.len() >= 4, "{all:?}");
    let (code, stdout) = cfn_lint_all(&all);
    assert_eq!(
        (code, stdout.as_str()),
        (0, ""),
        "{:?}",
        cfn_lint_rules(&stdout)
    );
}

/// Fake values in the form each parameter's `AllowedPattern` wants.
fn fill_parameters(text: &str) -> Value {
    let mut params: Value = serde_json::from_str(text).unwrap();
    for p in params.as_array_mut().unwrap() {
        let key = p["ParameterKey"].as_str().unwrap().to_string();
        p["ParameterValue"] = Value::String(match key.as_str() {
            "IdentityCenterInstanceArn" => "arn:aws:sso:::instance/ssoins-1234567890abcdef".into(),
            "IdentityStoreId" => "d-1234567890".into(),
            "OrganizationRootId" => "r-abcd".into(),
            k if k.starts_with("SsoUser") || k.starts_with("SsoGroup") => {
                "12345678-1234-1234-1234-123456789012".into()
            }
            k => panic!("no fake value for parameter `{k}`"),
        });
    }
    params
}

const MOTO_ACCOUNT: &str = "123456789012";

fn aws_arn(name: &str) -> String {
    iam_catalog::AwsManagedPolicy::from_name(name)
        .unwrap()
        .arn()
        .to_string()
}

/// What moto's IAM API must return after deploying an account's template, computed from the
/// model (not from the template), within what moto implements (see the module docs).
fn expected_iam(account: &iam_model::model::Account) -> Value {
    expected_iam_of(account.own_iam())
}

/// What moto's IAM API must return after deploying templates of these IAM entities.
fn expected_iam_of(iam: &iam_model::model::Iam) -> Value {
    use iam_model::model::ManagedPolicyRef;
    let policy_arn = |name: &str| {
        let p = &iam.policies()[name];
        format!("arn:aws:iam::{MOTO_ACCOUNT}:policy{}{name}", p.path())
    };
    let boundary = |b: Option<&ManagedPolicyRef>| match b {
        None => Value::Null,
        Some(ManagedPolicyRef::Aws(n)) => Value::String(aws_arn(n)),
        Some(ManagedPolicyRef::Customer(n)) => Value::String(policy_arn(n.as_str())),
    };
    let boundaries: Vec<String> = iam
        .roles()
        .values()
        .filter_map(|r| r.permissions_boundary())
        .chain(
            iam.users()
                .values()
                .filter_map(|u| u.permissions_boundary()),
        )
        .filter_map(|b| match b {
            ManagedPolicyRef::Customer(n) => Some(n.as_str().to_string()),
            ManagedPolicyRef::Aws(_) => None,
        })
        .collect();
    // moto ignores ManagedPolicyArns: only the policies that list their principals attach.
    let listed = |p: &iam_model::model::Permissions| -> Vec<String> {
        let mut v: Vec<String> = p
            .customer_managed_policies()
            .iter()
            .filter(|n| !boundaries.contains(&n.as_str().to_string()))
            .map(|n| policy_arn(n.as_str()))
            .collect();
        v.sort();
        v
    };
    let inline = |p: &iam_model::model::Permissions| -> Value {
        p.inline_policies()
            .iter()
            .map(|(n, d)| {
                (
                    n.as_str().to_string(),
                    serde_json::to_value(d.clone().canonical()).unwrap(),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let mut roles = serde_json::Map::new();
    for (name, r) in iam.roles() {
        let p = r.permissions();
        roles.insert(name.as_str().into(), json!({
            "arn": format!("arn:aws:iam::{MOTO_ACCOUNT}:role{}{name}", p.path()),
            "path": p.path().as_str(),
            // moto answers an empty description for a role created without one
            "description": r.description().unwrap_or(""),
            "max_session_duration": r.max_session_duration().seconds(),
            "permissions_boundary": boundary(r.permissions_boundary()),
            "assume_role_policy": serde_json::to_value(r.trust_policy().clone().canonical()).unwrap(),
            "attached_policies": listed(p),
            "inline_policies": inline(p),
        }));
    }
    let mut users = serde_json::Map::new();
    for (name, u) in iam.users() {
        let p = u.permissions();
        users.insert(
            name.as_str().into(),
            json!({
                "arn": format!("arn:aws:iam::{MOTO_ACCOUNT}:user{}{name}", p.path()),
                "path": p.path().as_str(),
                // ignored by moto: PermissionsBoundary, Groups, Policies on users
                "permissions_boundary": null,
                "groups": [],
                "attached_policies": listed(p),
                "inline_policies": {},
            }),
        );
    }
    let mut policies = serde_json::Map::new();
    for (name, p) in iam.policies() {
        let attached = if boundaries.contains(&name.as_str().to_string()) {
            0
        } else {
            let by_roles = iam
                .roles()
                .values()
                .filter(|r| r.permissions().customer_managed_policies().contains(name))
                .count();
            let by_users = iam
                .users()
                .values()
                .filter(|u| u.permissions().customer_managed_policies().contains(name))
                .count();
            by_roles + by_users
        };
        policies.insert(
            policy_arn(name.as_str()),
            json!({
                "name": name.as_str(),
                "path": p.path().as_str(),
                "description": p.description(),
                "attachment_count": attached,
                "document": serde_json::to_value(p.document().clone().canonical()).unwrap(),
            }),
        );
    }
    let mut profiles = serde_json::Map::new();
    for (name, ip) in iam.instance_profiles() {
        profiles.insert(
            name.as_str().into(),
            json!({
                "arn": format!("arn:aws:iam::{MOTO_ACCOUNT}:instance-profile{}{name}", ip.path()),
                "path": ip.path().as_str(),
                "roles": [ip.role().as_str()],
            }),
        );
    }
    json!({
        "roles": roles,
        "users": users,
        "groups": {},
        "policies": policies,
        "instance_profiles": profiles,
        "oidc_providers": [],
        "saml_providers": [],
    })
}

/// Resource types moto 5.2.1's CloudFormation does not implement.
const MOTO_SKIPS: [&str; 9] = [
    "AWS::IAM::Group",
    "AWS::IAM::OIDCProvider",
    "AWS::IAM::SAMLProvider",
    "AWS::Organizations::OrganizationalUnit",
    "AWS::Organizations::Account",
    "AWS::Organizations::Policy",
    "AWS::SSO::PermissionSet",
    "AWS::IdentityStore::Group",
    "AWS::Budgets::Budget",
];

/// The template as moto can take it: moto 5.2.1 fails a stack whose `Outputs` read an
/// attribute of a resource type it does not implement (`'NoneType' object has no attribute
/// 'has_cfn_attr'`), so those outputs are dropped; and it does not create groups, so a
/// managed policy's `Groups` (which moto would look up: "Group None not found") is dropped.
/// Nothing else changes; the dropped parts are asserted on the template itself below.
fn for_moto(body: &str) -> String {
    let mut t: Value = serde_json::from_str(body).unwrap();
    for r in t["Resources"].as_object_mut().unwrap().values_mut() {
        if r["Type"] == "AWS::IAM::ManagedPolicy" {
            r["Properties"].as_object_mut().unwrap().remove("Groups");
        }
    }
    let types: BTreeMap<String, String> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, r)| (id.clone(), r["Type"].as_str().unwrap().to_string()))
        .collect();
    if let Some(outputs) = t.get_mut("Outputs").and_then(Value::as_object_mut) {
        outputs.retain(|_, o| {
            let target = o["Value"]
                .get("Ref")
                .or_else(|| o["Value"].get("Fn::GetAtt").map(|a| &a[0]))
                .and_then(Value::as_str)
                .unwrap();
            !MOTO_SKIPS.contains(&types[target].as_str())
        });
    }
    t.to_string()
}

#[test]
fn every_account_template_deploys_on_moto_and_iam_matches_the_model() {
    let mut deployed = 0;
    for (example, model) in examples() {
        let files = emit(&model);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &files);
        for (name, account) in model.accounts() {
            let path = format!("{name}.json");
            if !files.contains_key(&path) {
                continue;
            }
            let moto = MotoServer::start();
            let template = dir.path().join(format!("{name}.moto.json"));
            std::fs::write(&template, for_moto(&files[&path])).unwrap();
            let mut args = vec![
                "deploy".to_string(),
                moto.endpoint(),
                template.to_string_lossy().into_owned(),
                format!("{example}-{}", name.as_str().replace(['.', '_'], "-")),
            ];
            if let Some(params) = files.get(&format!("{name}.parameters.json")) {
                let p = dir.path().join(format!("{name}.filled.json"));
                std::fs::write(&p, fill_parameters(params).to_string()).unwrap();
                args.push(p.to_string_lossy().into_owned());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = moto_cfn(&args);
            assert!(
                out.status.success(),
                "{example}/{path} on moto:\n{}\n{}",
                text(&out.stderr),
                moto.log_text()
            );
            let got: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                got["stack"]["status"], "CREATE_COMPLETE",
                "{example}/{path}"
            );
            assert_eq!(got["iam"], expected_iam(account), "{example}/{path}");
            deployed += 1;
        }
    }
    assert!(deployed >= 3, "{deployed}");
}

fn resource(t: &Value, id: &str) -> Value {
    t["Resources"]
        .get(id)
        .unwrap_or_else(|| panic!("no resource `{id}`"))
        .clone()
}

/// What moto skips, asserted on the emitted templates property by property.
#[test]
fn management_template_holds_organizations_identity_center_and_budgets() {
    let (_, model) = examples()
        .into_iter()
        .find(|(n, _)| n == "organization")
        .unwrap();
    let files = emit(&model);
    let t = template(&files, "management.json");
    // The set of resources (the template keeps the emitter's order; sorted here).
    let mut ids: Vec<&String> = t["Resources"].as_object().unwrap().keys().collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            // development and production exist (adopted); sandbox is marked `create`
            "AccountSandbox",
            // Workloads → production, development; NonProd → development; sandbox and
            // management named directly
            "AssignmentAwsAdminsAdminAccessDevelopment",
            "AssignmentAwsAdminsAdminAccessManagement",
            "AssignmentAwsAdminsAdminAccessProduction",
            "AssignmentAwsDevelopersDeveloperAccessDevelopment",
            "AssignmentAwsDevelopersDeveloperAccessSandbox",
            "AssignmentAwsTestersTesterAccessDevelopment",
            "BudgetSandbox",
            "MembershipAwsAdminsAliceExampleCom",
            "MembershipAwsDevelopersAliceExampleCom",
            "PermissionSetAdminAccess",
            "PermissionSetDeveloperAccess",
            "PermissionSetTesterAccess",
            "RcpDenyExternalS3",
            "ScpDenyLeaveOrganization",
            "ScpSandboxRegions",
            "SsoGroupAwsAdmins",
            "SsoGroupAwsDevelopers",
            "SsoGroupAwsTesters",
            "UnitSandbox",
            "UnitSecurity",
            "UnitWorkloads",
            "UnitWorkloadsNonProd",
            "UnitWorkloadsProd",
        ]
    );
    assert_eq!(
        resource(&t, "UnitWorkloads"),
        json!({"Type": "AWS::Organizations::OrganizationalUnit", "Properties": {
            "Name": "Workloads", "ParentId": {"Ref": "OrganizationRootId"},
            "Tags": [{"Key": "owner", "Value": "platform"}]}})
    );
    assert_eq!(
        resource(&t, "UnitWorkloadsProd")["Properties"],
        json!({"Name": "Prod", "ParentId": {"Ref": "UnitWorkloads"}})
    );
    assert_eq!(
        resource(&t, "AccountSandbox"),
        json!({"Type": "AWS::Organizations::Account",
            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {"AccountName": "sandbox", "Email": "aws-sandbox@example.com",
                "ParentIds": [{"Ref": "UnitSandbox"}],
                "Tags": [{"Key": "Environment", "Value": "Sandbox"}]}})
    );
    assert_eq!(
        resource(&t, "ScpDenyLeaveOrganization")["Properties"],
        json!({"Name": "DenyLeaveOrganization", "Type": "SERVICE_CONTROL_POLICY",
            "Description": "Member accounts cannot leave the organization",
            "TargetIds": [{"Ref": "OrganizationRootId"}],
            "Content": {"Version": "2012-10-17", "Statement": [{"Sid": "DenyLeave", "Effect": "Deny",
                "Action": "organizations:LeaveOrganization", "Resource": "*"}]}})
    );
    let rcp = resource(&t, "RcpDenyExternalS3")["Properties"].clone();
    assert_eq!(
        (&rcp["Type"], &rcp["TargetIds"]),
        (
            &json!("RESOURCE_CONTROL_POLICY"),
            &json!([{"Ref": "UnitWorkloadsProd"}])
        )
    );
    assert_eq!(
        resource(&t, "PermissionSetDeveloperAccess")["Properties"],
        json!({"Name": "DeveloperAccess", "InstanceArn": {"Ref": "IdentityCenterInstanceArn"},
            "Description": "PowerUser in development", "SessionDuration": "PT8H",
            "ManagedPolicies": ["arn:aws:iam::aws:policy/PowerUserAccess"],
            "InlinePolicy": {"Version": "2012-10-17", "Statement": [{"Sid": "DenyBilling",
                "Effect": "Deny", "Action": "aws-portal:*", "Resource": "*"}]}})
    );
    assert_eq!(
        resource(&t, "PermissionSetTesterAccess")["Properties"],
        json!({"Name": "TesterAccess", "InstanceArn": {"Ref": "IdentityCenterInstanceArn"},
            "SessionDuration": "PT4H",
            "CustomerManagedPolicyReferences": [{"Name": "TesterPolicy", "Path": "/qa/"}],
            "Tags": [{"Key": "team", "Value": "qa"}]})
    );
    assert_eq!(
        resource(&t, "SsoGroupAwsAdmins")["Properties"],
        json!({"DisplayName": "AWS-Admins", "Description": "Full administration",
            "IdentityStoreId": {"Ref": "IdentityStoreId"}})
    );
    assert_eq!(
        resource(&t, "MembershipAwsAdminsAliceExampleCom")["Properties"],
        json!({"GroupId": {"Fn::GetAtt": ["SsoGroupAwsAdmins", "GroupId"]},
            "IdentityStoreId": {"Ref": "IdentityStoreId"},
            "MemberId": {"UserId": {"Ref": "SsoUserAliceExampleCom"}}})
    );
    assert_eq!(
        resource(&t, "AssignmentAwsDevelopersDeveloperAccessSandbox")["Properties"],
        json!({"InstanceArn": {"Ref": "IdentityCenterInstanceArn"},
            "PermissionSetArn": {"Fn::GetAtt": ["PermissionSetDeveloperAccess", "PermissionSetArn"]},
            "PrincipalId": {"Fn::GetAtt": ["SsoGroupAwsDevelopers", "GroupId"]},
            "PrincipalType": "GROUP", "TargetId": "333333333333", "TargetType": "AWS_ACCOUNT"})
    );
    assert_eq!(
        resource(&t, "BudgetSandbox")["Properties"],
        json!({"Budget": {"BudgetName": "sandbox", "BudgetType": "COST", "TimeUnit": "MONTHLY",
                "BudgetLimit": {"Amount": 100, "Unit": "USD"},
                "CostFilters": {"LinkedAccount": ["333333333333"]}},
            "NotificationsWithSubscribers": [{"Notification": {"ComparisonOperator": "GREATER_THAN",
                "NotificationType": "ACTUAL", "Threshold": 80, "ThresholdType": "PERCENTAGE"},
                "Subscribers": [{"Address": "finance@example.com", "SubscriptionType": "EMAIL"}]}]})
    );
    assert!(
        t.get("Outputs")
            .unwrap()
            .get("PermissionSetAdminAccessArn")
            .is_some()
    );
    assert!(!files.get("management.json").unwrap().contains("Export"));
    // the sandbox account has no IAM: no template; its budget is in management.json
    assert!(!files.contains_key("sandbox.json"));
}

#[test]
fn account_templates_hold_what_moto_skips() {
    let (_, model) = examples()
        .into_iter()
        .find(|(n, _)| n == "organization")
        .unwrap();
    let files = emit(&model);
    let t = template(&files, "production.json");
    assert_eq!(
        resource(&t, "GroupDevelopers"),
        json!({"Type": "AWS::IAM::Group", "Properties": {"GroupName": "Developers", "Path": "/",
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}})
    );
    // no LoginProfile, no access key: programmatic access is a manual step
    assert_eq!(
        resource(&t, "UserDevJohn"),
        json!({"Type": "AWS::IAM::User", "Properties": {"UserName": "dev-john", "Path": "/",
            "Groups": [{"Ref": "GroupDevelopers"}]}})
    );
    assert_eq!(
        resource(&t, "OidcProviderGithub"),
        json!({"Type": "AWS::IAM::OIDCProvider", "Properties": {
            "Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]}})
    );
    assert_eq!(
        resource(&t, "RoleCiDeploy")["DependsOn"],
        json!(["OidcProviderGithub"])
    );
    let partner = resource(&t, "RolePartnerAccess")["Properties"].clone();
    assert_eq!(
        (
            &partner["ManagedPolicyArns"],
            &partner["PermissionsBoundary"]
        ),
        (
            &json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
            &json!("arn:aws:iam::aws:policy/ReadOnlyAccess")
        )
    );
    assert_eq!(
        resource(&t, "RoleWebServer")["Properties"]["ManagedPolicyArns"],
        json!(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"])
    );
    assert!(
        !files
            .values()
            .any(|f| f.contains("LoginProfile") || f.contains("AccessKey"))
    );

    let (_, model) = examples()
        .into_iter()
        .find(|(n, _)| n == "attachments")
        .unwrap();
    let files = emit(&model);
    let t = template(&files, "workload.json");
    // a boundary policy is attached through the principal, every other policy lists its
    // principals, groups included
    assert_eq!(
        resource(&t, "PolicyReadLogs")["Properties"]["Groups"],
        json!([{"Ref": "GroupOps"}])
    );
    assert_eq!(
        resource(&t, "RoleApp")["Properties"]["ManagedPolicyArns"],
        json!([{"Ref": "PolicyFence"}])
    );
    let ann = resource(&t, "UserOpsAnn")["Properties"].clone();
    assert_eq!(ann["PermissionsBoundary"], json!({"Ref": "PolicyFence"}));
    assert_eq!(ann["Policies"][0]["PolicyName"], "ListBuckets");
}

/// An account with 700 roles, and a management account with ~1,000 Identity Center
/// resources and 300 users: both split into numbered parts, the same every time, every part
/// within the quotas and accepted by cfn-lint.
#[test]
fn large_units_split_deterministically_and_every_part_passes_cfn_lint() {
    let mut model = iam_model::model::synthetic::organization(30, 10, 20, 300, 600);
    let trust = iam_model::policy::Policy::<iam_model::policy::kind::Trust>::from_json(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    )
    .unwrap();
    let big = model.accounts_mut().get_mut("account-0001").unwrap();
    let mut iam = big.iam().clone();
    for i in 0..700 {
        iam = iam.role(
            format!("worker-{i:04}").parse().unwrap(),
            iam_model::model::Role::builder()
                .trust_policy(trust.clone())
                .build(),
        );
    }
    *big.iam_mut() = iam;
    let files = emit(&model);
    assert_eq!(files, emit(&model));
    let parts: Vec<&String> = files
        .keys()
        .filter(|p| p.starts_with("account-0001") || p.starts_with("management"))
        .collect();
    assert_eq!(
        parts,
        [
            // 702 resources, 701 of them with an output: the 180-output cap decides
            "account-0001-1.json",
            "account-0001-2.json",
            "account-0001-3.json",
            "account-0001-4.json",
            "management-1.json",
            "management-1.parameters.json",
            "management-2.json",
            "management-2.parameters.json",
        ]
    );
    let mut ids = std::collections::BTreeSet::new();
    for p in [
        "account-0001-1.json",
        "account-0001-2.json",
        "account-0001-3.json",
        "account-0001-4.json",
    ] {
        let t = template(&files, p);
        let resources = t["Resources"].as_object().unwrap();
        assert!(
            resources.len() <= 450 && t["Outputs"].as_object().unwrap().len() <= 180,
            "{p}"
        );
        for id in resources.keys() {
            assert!(ids.insert(id.clone()), "{id} twice");
        }
    }
    assert_eq!(ids.len(), 702); // 700 + deploy + Baseline
    let p2 = files.get("account-0001-2.json").unwrap();
    assert!(p2.contains("Part 2 of 4"));
    // the second management part imports permission set ARNs or group ids from the first,
    // which exports them
    let m1 = files.get("management-1.json").unwrap();
    let m2 = files.get("management-2.json").unwrap();
    assert!(
        m2.contains("\"Fn::ImportValue\": \"iam-codegen:AccountManagement:"),
        "no import in part 2"
    );
    assert!(m1.contains("\"Export\""), "no export in part 1");
    let dir = tempfile::tempdir().unwrap();
    let written = write(dir.path(), &files);
    let (code, stdout) = cfn_lint_all(&templates(&written));
    assert_eq!(
        (code, stdout.as_str()),
        (0, ""),
        "{:?}",
        cfn_lint_rules(&stdout)
    );
}

#[test]
fn inline_bodies_stay_under_51200_bytes() {
    let model = iam_model::model::synthetic::organization(10, 5, 5, 20, 100);
    let options = EmitOptions {
        cloudformation: CloudformationOptions::default().inline_body(),
        ..EmitOptions::default()
    };
    let files = emit_with(&model, &options);
    let big = emit(&model);
    assert!(
        files.len() > big.len(),
        "nothing was split: {:?}",
        files.keys()
    );
    for (path, body) in &files {
        assert!(
            body.len() <= cloudformation::INLINE_TEMPLATE_BYTES,
            "{path}: {}",
            body.len()
        );
    }
}

/// The model with its Identity Center users and groups from an external identity provider.
fn with_external_identity(model: &Model) -> Model {
    let mut file = iam_model::model::file::encode(model);
    file.identity_center.as_mut().unwrap().identity_source =
        iam_model::model::IdentitySource::ExternalIdentityProvider;
    iam_model::model::file::decode(&file).unwrap()
}

/// Every `(file, logical id, resource)` of the templates.
fn resources_of(files: &BTreeMap<String, String>) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, body) in files {
        if !path.ends_with(".json") || path.ends_with(".parameters.json") {
            continue;
        }
        let t: Value = serde_json::from_str(body).unwrap();
        for (id, r) in t["Resources"].as_object().unwrap() {
            out.push((path.clone(), id.clone(), r.clone()));
        }
    }
    out
}

#[test]
fn no_template_creates_an_account_the_model_marks_as_existing() {
    let mut models = examples();
    models.push((
        "synthetic".to_string(),
        iam_model::model::synthetic::organization(20, 3, 4, 10, 40),
    ));
    let mut created = Vec::new();
    for (name, model) in &models {
        for (path, id, r) in resources_of(&emit(model)) {
            if r["Type"] != "AWS::Organizations::Account" {
                continue;
            }
            let account = r["Properties"]["AccountName"].as_str().unwrap();
            assert!(
                model.account(account).unwrap().create(),
                "{name}/{path}: {id} creates the existing account `{account}`"
            );
            created.push(format!("{name}/{path}#{id}"));
        }
    }
    // Only the account marked `create` in examples/organization.json.
    assert_eq!(created, ["organization/management.json#AccountSandbox"]);
}

#[test]
fn an_external_identity_source_leaves_no_per_user_parameter() {
    let model =
        with_external_identity(&iam_model::model::synthetic::organization(10, 3, 5, 50, 60));
    let files = emit(&model);
    let mut keys = std::collections::BTreeSet::new();
    for (path, body) in &files {
        if path.ends_with(".parameters.json") {
            for p in serde_json::from_str::<Value>(body)
                .unwrap()
                .as_array()
                .unwrap()
            {
                keys.insert(p["ParameterKey"].as_str().unwrap().to_string());
            }
        }
    }
    // The instance ARN, the root id and the five assigned groups' ids (all looked up by
    // parameters.sh); no user, and no identity store id since nothing is created in the store.
    assert_eq!(
        keys.into_iter().collect::<Vec<_>>(),
        [
            "IdentityCenterInstanceArn",
            "OrganizationRootId",
            "SsoGroupGroup0001",
            "SsoGroupGroup0002",
            "SsoGroupGroup0003",
            "SsoGroupGroup0004",
            "SsoGroupGroup0005",
        ]
    );
    let kinds: std::collections::BTreeSet<String> = resources_of(&files)
        .into_iter()
        .map(|(_, _, r)| r["Type"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !kinds.iter().any(|k| k.starts_with("AWS::IdentityStore::")),
        "{kinds:?}"
    );
    let t = template(&files, "management.json");
    assert_eq!(
        resource(&t, "AssignmentGroup0001PermissionSet001Account0001")["Properties"]["PrincipalId"],
        json!({"Ref": "SsoGroupGroup0001"})
    );
}

/// The assignments of each template, in file order, with the assignments each depends on.
fn assignment_chains(
    files: &BTreeMap<String, String>,
) -> BTreeMap<String, Vec<(String, Vec<String>)>> {
    let mut out: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for (path, id, r) in resources_of(files) {
        if r["Type"] != "AWS::SSO::Assignment" {
            continue;
        }
        let depends: Vec<String> = r
            .get("DependsOn")
            .map(|d| {
                d.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        out.entry(path).or_default().push((id, depends));
    }
    out
}

#[test]
fn at_most_ten_assignments_are_created_at_once() {
    let model = iam_model::model::synthetic::organization(50, 11, 21, 100, 1_200);
    let files = emit(&model);
    let chains = assignment_chains(&files);
    // Split into three templates; each keeps the bound on its own.
    assert_eq!(chains.len(), 3, "{:?}", chains.keys());
    for (path, assignments) in &chains {
        let here: std::collections::BTreeSet<&str> =
            assignments.iter().map(|(id, _)| id.as_str()).collect();
        let mut waited_on = std::collections::BTreeMap::new();
        let mut free = 0;
        for (id, depends) in assignments {
            let on: Vec<&String> = depends
                .iter()
                .filter(|d| here.contains(d.as_str()))
                .collect();
            assert!(on.len() <= 1, "{path}: {id} waits for {on:?}");
            for d in on.iter() {
                *waited_on.entry(d.as_str()).or_insert(0) += 1;
            }
            free += usize::from(on.is_empty());
        }
        // Every assignment is waited on by at most one other: the assignments form chains,
        // one per assignment that waits for none, and one chain runs one at a time.
        assert!(waited_on.values().all(|&n| n == 1), "{path}");
        assert_eq!(
            free,
            cloudformation::MAX_CONCURRENT_ASSIGNMENTS.min(assignments.len()),
            "{path}"
        );
    }
}

/// Run `parameters.sh` from the generated files with a fake `aws`; the files after the run.
fn run_parameters_script(
    files: &BTreeMap<String, String>,
) -> (i32, String, BTreeMap<String, Value>) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let aws = bin.join("aws");
    // Answers in the form AWS does (`--output text`); a group or user id holds the length of
    // the `--alternate-identifier` argument, so each lookup is seen to get its own name.
    std::fs::write(
        &aws,
        r#"#!/bin/sh
case "$*" in
  *"organizations list-roots"*) echo r-ab12 ;;
  *"Instances[0].InstanceArn"*) echo arn:aws:sso:::instance/ssoins-1234567890abcdef ;;
  *"Instances[0].IdentityStoreId"*) echo d-1234567890 ;;
  *"get-group-id"*displayName*) echo "g${#10}-1234-1234-1234-123456789012" ;;
  *"get-user-id"*userName*) echo "u${#10}-1234-1234-1234-123456789012" ;;
  *) echo "unexpected: $*" >&2; exit 3 ;;
esac
"#,
    )
    .unwrap();
    let mut perms = std::fs::metadata(&aws).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&aws, perms).unwrap();
    let out = Command::new("bash")
        .arg(dir.path().join(cloudformation::PARAMETERS_SCRIPT))
        .args(["--profile", "org-admin"])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .unwrap();
    let mut after = BTreeMap::new();
    for path in files.keys().filter(|p| p.ends_with(".parameters.json")) {
        let text = std::fs::read_to_string(dir.path().join(path)).unwrap();
        after.insert(
            path.clone(),
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}")),
        );
    }
    (out.status.code().unwrap_or(-1), text(&out.stderr), after)
}

#[test]
fn parameters_script_fills_every_parameter_from_aws() {
    let (_, model) = examples()
        .into_iter()
        .find(|(n, _)| n == "organization")
        .unwrap();
    let files = emit(&with_external_identity(&model));
    let (code, stderr, after) = run_parameters_script(&files);
    assert_eq!(
        (code, stderr.as_str()),
        (0, "parameters.sh: parameters files written\n")
    );
    assert_eq!(
        after,
        BTreeMap::from([(
            "management.parameters.json".to_string(),
            json!([
                {"ParameterKey": "IdentityCenterInstanceArn", "ParameterValue": "arn:aws:sso:::instance/ssoins-1234567890abcdef"},
                {"ParameterKey": "OrganizationRootId", "ParameterValue": "r-ab12"},
                {"ParameterKey": "SsoGroupAwsAdmins", "ParameterValue": "g81-1234-1234-1234-123456789012"},
                {"ParameterKey": "SsoGroupAwsDevelopers", "ParameterValue": "g85-1234-1234-1234-123456789012"},
                {"ParameterKey": "SsoGroupAwsTesters", "ParameterValue": "g82-1234-1234-1234-123456789012"}
            ])
        )])
    );
}

#[test]
fn parameters_script_passes_shellcheck() {
    let (_, model) = examples()
        .into_iter()
        .find(|(n, _)| n == "organization")
        .unwrap();
    let files = emit(&model);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parameters.sh");
    std::fs::write(&path, files.get("parameters.sh").unwrap()).unwrap();
    // A missing shellcheck fails the test (scripts/setup-shellcheck.sh installs it).
    let out = Command::new("shellcheck")
        .arg("--severity=style")
        .arg(&path)
        .output()
        .expect("shellcheck is not installed: run scripts/setup-shellcheck.sh");
    assert!(out.status.success(), "{}", text(&out.stdout));
}

fn at_scale() -> Model {
    examples()
        .into_iter()
        .find(|(n, _)| n == "organization-at-scale")
        .unwrap()
        .1
}

#[test]
fn each_ou_baseline_is_one_service_managed_stack_set() {
    let files = emit(&at_scale());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "baselines/Workloads.json",
            "baselines/WorkloadsProduction.json",
            "management.json",
            "management.parameters.json",
            "parameters.sh",
        ]
    );
    let t = template(&files, "management.json");
    let mut set = resource(&t, "BaselineWorkloadsProduction");
    let body = set["Properties"]
        .as_object_mut()
        .unwrap()
        .remove("TemplateBody")
        .unwrap();
    assert_eq!(
        set,
        json!({"Type": "AWS::CloudFormation::StackSet", "Properties": {
            "AutoDeployment": {"Enabled": true, "RetainStacksOnAccountRemoval": false},
            "CallAs": "SELF",
            "Capabilities": ["CAPABILITY_NAMED_IAM"],
            "Description": "iam-codegen baseline of the OU Workloads/Production",
            "OperationPreferences": {"ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
                "FailureTolerancePercentage": 10, "MaxConcurrentPercentage": 25,
                "RegionConcurrencyType": "PARALLEL"},
            "PermissionModel": "SERVICE_MANAGED",
            "StackInstancesGroup": [{
                "DeploymentTargets": {"OrganizationalUnitIds": [{"Ref": "UnitWorkloadsProduction"}]},
                "Regions": [{"Ref": "AWS::Region"}]}],
            "StackSetName": "iam-codegen-BaselineWorkloadsProduction"}})
    );
    // The embedded template is the file, compact.
    let embedded: Value = serde_json::from_str(body.as_str().unwrap()).unwrap();
    assert_eq!(
        embedded,
        template(&files, "baselines/WorkloadsProduction.json")
    );
    let role = resource(&embedded, "RoleCiDeploy");
    assert_eq!(
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Federated": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"}})
    );
    // No account template repeats a baseline.
    assert!(!files.keys().any(|f| f.starts_with("production-")));
}

#[test]
fn a_baseline_template_deploys_as_an_account_stack_on_moto() {
    // The model with one production account in moto's account: its IAM is what the two
    // baselines above it give it, with moto's account id.
    let mut file = iam_model::model::file::encode(&at_scale());
    file.accounts.get_mut("production-04").unwrap().id = MOTO_ACCOUNT.to_string();
    let model = iam_model::model::file::decode(&file).unwrap();
    let files = emit(&model);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files);
    let moto = MotoServer::start();
    let mut last = Value::Null;
    for (stack, path) in [
        ("baseline-workloads", "baselines/Workloads.json"),
        ("baseline-production", "baselines/WorkloadsProduction.json"),
    ] {
        let template = dir.path().join(format!("{stack}.moto.json"));
        std::fs::write(&template, for_moto(&files[path])).unwrap();
        let out = moto_cfn(&[
            "deploy",
            &moto.endpoint(),
            &template.to_string_lossy(),
            stack,
        ]);
        assert!(
            out.status.success(),
            "{path} on moto:\n{}\n{}",
            text(&out.stderr),
            moto.log_text()
        );
        last = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(last["stack"]["status"], "CREATE_COMPLETE", "{path}");
    }
    let account = model.account("production-04").unwrap();
    assert!(account.own_iam().is_empty());
    assert_eq!(last["iam"], expected_iam_of(account.iam()));
}

#[test]
fn an_own_role_attaches_a_baseline_policy_by_its_arn() {
    // The StackSet deploys `ReadLogs` into every account of the OU; the account's own role
    // names it by ARN (its path kept), and the account template does not create it again.
    let model = crate::support::read_model("tests/fixtures/baseline-policy-attached.json");
    let files = emit(&model);
    let app = template(&files, "app.json");
    let types: Vec<&str> = app["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["AWS::IAM::Role"]);
    assert_eq!(
        app["Resources"]["RoleReader"]["Properties"]["ManagedPolicyArns"],
        json!([
            {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/base/ReadLogs"}
        ])
    );
    let dir = tempfile::tempdir().unwrap();
    let paths = write(dir.path(), &files);
    assert_eq!(cfn_lint_all(&templates(&paths)), (0, String::new()));
}
