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

use crate::support::{assert_golden, root};
use crate::tools::{MotoServer, cfn_lint_rules, moto_cfn, text, tool_path};

/// The example models: `examples/*.json`, and the access-model fixture `organization`.
fn examples() -> Vec<(String, Model)> {
    let mut out = Vec::new();
    let fixture = root().join("tests/models/valid/organization.json");
    let mut paths = vec![fixture];
    let dir = root().join("examples");
    if dir.is_dir() {
        paths.extend(crate::support::files(&dir, "json"));
    }
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
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect()
}

fn templates(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with(".parameters.json"))
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

fn template<'a>(files: &'a BTreeMap<String, String>, path: &str) -> Value {
    serde_json::from_str(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no `{path}`: {:?}", files.keys())),
    )
    .unwrap()
}

#[test]
fn goldens_match_for_every_example() {
    for (name, model) in examples() {
        for (path, body) in emit(&model) {
            let _: Value = serde_json::from_str(&body).unwrap();
            assert_golden(&format!("{name}/cloudformation/{path}"), &body);
        }
    }
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
            k if k.starts_with("SsoUser") => "12345678-1234-1234-1234-123456789012".into(),
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
    use iam_model::model::ManagedPolicyRef;
    let iam = account.iam();
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
/// 'has_cfn_attr'`), so those outputs are dropped. Nothing else changes.
fn for_moto(body: &str) -> String {
    let mut t: Value = serde_json::from_str(body).unwrap();
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
