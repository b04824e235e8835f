//! `iam-codegen diff OLD NEW`: the change in access, computed by the evaluator, with exact
//! output and exit codes (0 no access added, 5 access added) for the review cases of issue
//! 15: a group given administrator access in production, a widened OIDC `sub`, a third-party
//! account added to a trust policy, an SCP deny removed, and a pure rename.
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{root, run_cli};

fn base() -> Value {
    let text =
        std::fs::read_to_string(root().join("tests/models/valid/organization.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `diff` of two models written to a temporary directory: (exit code, stdout, stderr).
fn diff(old: &Value, new: &Value, extra: &[&str]) -> (u8, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (o, n) = (dir.path().join("old.json"), dir.path().join("new.json"));
    std::fs::write(&o, old.to_string()).unwrap();
    std::fs::write(&n, new.to_string()).unwrap();
    let mut args = vec!["diff", o.to_str().unwrap(), n.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_cli(&args)
}

/// Developers get AdministratorAccess in production: `admin-in-production` is an error, so
/// the change also accepts it in `allow_findings` (with a reason), as a pull request that
/// really wants it must; `diff` still reports the new access.
fn admin_in_production() -> Value {
    let mut m = base();
    let assignments = m["identity_center"]["assignments"].as_array_mut().unwrap();
    assignments.push(
        json!({"group": "AWS-Developers", "permission_set": "AdminAccess", "accounts": ["production"]}),
    );
    let path = format!(
        "/identity_center/assignments/{}/accounts/0",
        assignments.len() - 1
    );
    m["allow_findings"] = json!([{"code": "admin-in-production", "path": path,
        "reason": "incident INC-42: developers administer production for one week"}]);
    m
}

#[test]
fn developers_given_admin_in_production_is_new_access() {
    let (code, out, err) = diff(&base(), &admin_in_production(), &[]);
    let allowed = "    allowed by: permission set `AdminAccess`: Identity `AdministratorAccess` statement 0\n";
    let line = |what: &str| {
        format!(
            "+ group:AWS-Developers in `production`: {what}: ImplicitlyDenied -> Allowed\n{allowed}"
        )
    };
    let expected = [
        "10 granted, 0 revoked, 0 SCP/RCP changes\n".to_string(),
        line("ec2:DescribeInstances on `*` (probe read)"),
        line("s3:GetObject on `arn:aws:s3:::iam-codegen-probe-222222222222/object` (probe read)"),
        line("ec2:RunInstances on `arn:aws:ec2:us-east-1:222222222222:instance/*` (probe write)"),
        line("lambda:CreateFunction on `arn:aws:lambda:us-east-1:222222222222:function:iam-codegen-probe` (probe write)"),
        line("s3:PutObject on `arn:aws:s3:::iam-codegen-probe-222222222222/object` (probe write)"),
        line("iam:AttachRolePolicy on `arn:aws:iam::222222222222:role/iam-codegen-probe` (probe iam)"),
        line("iam:CreateUser on `arn:aws:iam::222222222222:user/iam-codegen-probe` (probe iam)"),
        line("aws-portal:ViewBilling on `*` (probe billing)"),
        line("ce:GetCostAndUsage on `*` (probe billing)"),
        line("iam:CreateUser on `*` (assertion)"),
        "new admin: group:AWS-Developers in `production`\n".to_string(),
    ]
    .concat();
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (5, expected.as_str(), "")
    );
}

#[test]
fn widening_an_oidc_sub_lets_new_subjects_assume_the_role() {
    let mut new = base();
    let condition = &mut new["accounts"]["production"]["iam"]["roles"]["ci-deploy"]["trust_policy"]
        ["Statement"][0]["Condition"];
    condition["StringEquals"]
        .as_object_mut()
        .unwrap()
        .remove("token.actions.githubusercontent.com:sub");
    condition["StringLike"] =
        json!({"token.actions.githubusercontent.com:sub": "repo:example/app:*"});
    let (code, out, _) = diff(&base(), &new, &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            5,
            "1 granted, 0 revoked, 0 SCP/RCP changes
+ oidc:token.actions.githubusercontent.com sub=repo:example/app:* in `production`: sts:AssumeRoleWithWebIdentity on `arn:aws:iam::222222222222:role/ci-deploy` (web identity): ImplicitlyDenied -> Allowed
    allowed by: trust policy of role `ci-deploy`: statement 0
"
        )
    );
    // Narrowing back revokes, which is no new access: exit 0.
    let (code, out, _) = diff(&new, &base(), &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "0 granted, 1 revoked, 0 SCP/RCP changes
- oidc:token.actions.githubusercontent.com sub=repo:example/app:* in `production`: sts:AssumeRoleWithWebIdentity on `arn:aws:iam::222222222222:role/ci-deploy` (web identity): Allowed -> ImplicitlyDenied
    allowed by: trust policy of role `ci-deploy`: statement 0
"
        )
    );
}

fn third_party() -> Value {
    let mut new = base();
    let principal = &mut new["accounts"]["production"]["iam"]["roles"]["partner-access"]["trust_policy"]
        ["Statement"][0]["Principal"]["AWS"];
    *principal = json!([principal.clone(), "arn:aws:iam::777777777777:root"]);
    new
}

#[test]
fn a_third_party_account_added_to_a_trust_policy_can_assume_the_role() {
    let (code, out, _) = diff(&base(), &third_party(), &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            5,
            "1 granted, 0 revoked, 0 SCP/RCP changes
+ external-account:777777777777 in `production`: sts:AssumeRole on `arn:aws:iam::222222222222:role/partner-access` (trust): ImplicitlyDenied -> Allowed
    allowed by: a principal of account `777777777777`: Resource `partner-access trust policy` statement 0
    allowed by: a principal of account `777777777777`: Identity `external account's own policies` statement 0
"
        )
    );
}

#[test]
fn removing_an_scp_deny_reports_the_fence_and_the_statement_that_denied() {
    let mut old = base();
    old["organization"]["scps"]["DenyIamInProd"] = json!({"targets": ["unit:Workloads/Prod"],
        "document": {"Version": "2012-10-17", "Statement": [{"Sid": "NoIamWrites", "Effect": "Deny",
            "Action": ["iam:Create*", "iam:Attach*"], "Resource": "*"}]}});
    let (code, out, _) = diff(&old, &base(), &[]);
    let change = |who: &str, what: &str| {
        format!("+ {who} in `production`: {what} (probe iam): ExplicitlyDenied -> Allowed
    allowed by: permission set `AdminAccess`: Identity `AdministratorAccess` statement 0
    denied by: permission set `AdminAccess`: Scp `Workloads/Prod` `DenyIamInProd` statement 0 (NoIamWrites)
")
    };
    let attach = "iam:AttachRolePolicy on `arn:aws:iam::222222222222:role/iam-codegen-probe`";
    let create = "iam:CreateUser on `arn:aws:iam::222222222222:user/iam-codegen-probe`";
    // alice@example.com is in AWS-Admins: her access is the group's, reported once.
    let expected = [
        "2 granted, 0 revoked, 1 SCP/RCP changes\n".to_string(),
        change("group:AWS-Admins", attach),
        change("group:AWS-Admins", create),
        "fence: SCP `DenyIamInProd` removed in `production`\n".to_string(),
        "new admin: group:AWS-Admins in `production`\n".to_string(),
    ]
    .concat();
    assert_eq!((code, out.as_str()), (5, expected.as_str()));
}

#[test]
fn a_pure_rename_is_no_access_change() {
    let mut new = base();
    let sets = new["identity_center"]["permission_sets"]
        .as_object_mut()
        .unwrap();
    let set = sets.remove("DeveloperAccess").unwrap();
    sets.insert("DevAccess".into(), set);
    for a in new["identity_center"]["assignments"]
        .as_array_mut()
        .unwrap()
    {
        if a["permission_set"] == "DeveloperAccess" {
            a["permission_set"] = json!("DevAccess");
        }
    }
    let scps = new["organization"]["scps"].as_object_mut().unwrap();
    let scp = scps.remove("DenyLeaveOrganization").unwrap();
    scps.insert("NoLeaving".into(), scp);
    let (code, out, err) = diff(&base(), &new, &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "no access change\n", "")
    );
    let (code, out, _) = diff(&base(), &new, &["--markdown"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "### Access review\n\nNo access change.\n")
    );
}

/// Renames `old` to `new` among the keys of the object at `pointer`.
fn rename_key(model: &mut Value, pointer: &str, old: &str, new: &str) {
    let map = model.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
    let body = map.remove(old).unwrap();
    map.insert(new.into(), body);
}

/// Every string equal to `old` in `value` becomes `new`.
fn replace(value: &mut Value, old: &str, new: &str) {
    match value {
        Value::String(s) if s == old => *s = new.into(),
        Value::Array(items) => items.iter_mut().for_each(|v| replace(v, old, new)),
        Value::Object(map) => map.values_mut().for_each(|v| replace(v, old, new)),
        _ => {}
    }
}

/// The organization with an account, an Identity Center group and user, an IAM role and an
/// IAM user renamed, and every reference to them (assignments, memberships, assertions,
/// ARNs in policies) following.
fn renamed_principals() -> Value {
    let mut m = base();
    rename_key(&mut m, "/accounts", "production", "prod");
    for (old, new) in [
        ("production", "prod"),
        ("group:AWS-Developers", "group:AWS-Engineers"),
        ("AWS-Developers", "AWS-Engineers"),
        ("role:ci-deploy", "role:github-deploy"),
    ] {
        for key in ["identity_center", "assertions", "organization"] {
            replace(&mut m[key], old, new);
        }
    }
    replace(
        &mut m["accounts"],
        "arn:aws:iam::222222222222:role/ci-deploy",
        "arn:aws:iam::222222222222:role/github-deploy",
    );
    rename_key(
        &mut m,
        "/identity_center/groups",
        "AWS-Developers",
        "AWS-Engineers",
    );
    rename_key(
        &mut m,
        "/identity_center/users",
        "alice@example.com",
        "alice.kim@example.com",
    );
    rename_key(
        &mut m,
        "/accounts/prod/iam/roles",
        "ci-deploy",
        "github-deploy",
    );
    rename_key(&mut m, "/accounts/prod/iam/users", "dev-john", "john");
    m
}

#[test]
fn renamed_principals_are_renames_not_access_changes() {
    let new = renamed_principals();
    // The user keeps its attributes (the email is a field of its own), so it is matched.
    assert_eq!(
        new["identity_center"]["users"]["alice.kim@example.com"]["email"],
        "alice@example.com"
    );
    let (code, out, err) = diff(&base(), &new, &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "renamed: account `production` -> `prod`
renamed: group `AWS-Developers` -> `AWS-Engineers`
renamed: iam-role `ci-deploy` -> `github-deploy` in `prod`
renamed: iam-user `dev-john` -> `john` in `prod`
renamed: user `alice@example.com` -> `alice.kim@example.com`
no access change
",
            ""
        )
    );
    let (code, out, _) = diff(&base(), &new, &["--markdown"]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "### Access review

**Renamed** (no access change of their own)

- account production → prod
- group AWS-Developers → AWS-Engineers
- iam-role ci-deploy → github-deploy in prod
- iam-user dev-john → john in prod
- user alice@example.com → alice.kim@example.com

No access change.
"
        )
    );
    let (code, out, _) = diff(&base(), &new, &["--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            code,
            &doc["new_access"],
            &doc["changes"],
            &doc["renames"][2]
        ),
        (
            0,
            &json!(false),
            &json!([]),
            &json!({"kind": "iam-role", "account": "prod", "old": "ci-deploy", "new": "github-deploy"})
        )
    );
}

#[test]
fn a_renamed_group_given_admin_in_production_is_new_access_under_its_new_name() {
    let mut new = renamed_principals();
    new["identity_center"]["assignments"]
        .as_array_mut()
        .unwrap()
        .push(json!({"group": "AWS-Engineers", "permission_set": "AdminAccess", "accounts": ["prod"]}));
    let path = format!(
        "/identity_center/assignments/{}/accounts/0",
        new["identity_center"]["assignments"]
            .as_array()
            .unwrap()
            .len()
            - 1
    );
    new["allow_findings"] = json!([{"code": "admin-in-production", "path": path,
        "reason": "incident INC-42: engineers administer production for one week"}]);
    let (code, out, _) = diff(&base(), &new, &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        (
            code,
            lines[0],
            lines[5],
            lines[6],
            lines[7],
            *lines.last().unwrap()
        ),
        (
            5,
            "renamed: account `production` -> `prod`",
            "10 granted, 0 revoked, 0 SCP/RCP changes",
            "+ group:AWS-Engineers in `prod`: ec2:DescribeInstances on `*` (probe read): ImplicitlyDenied -> Allowed",
            "    allowed by: permission set `AdminAccess`: Identity `AdministratorAccess` statement 0",
            "new admin: group:AWS-Engineers in `prod`"
        )
    );
}

#[test]
fn markdown_escapes_model_text_for_a_pull_request_comment() {
    let (code, out, _) = diff(&base(), &third_party(), &["--markdown"]);
    assert_eq!(
        (code, out.as_str()),
        (
            5,
            "### Access review

**1 granted**, 0 revoked, 0 SCP/RCP changes.

| | Principal | Account | What | Action | Resource | Before | After | Deciding statements |
|---|---|---|---|---|---|---|---|---|
| ➕ | external-account:777777777777 | production | trust | sts:AssumeRole | arn:aws:iam::222222222222:role/partner-access | ImplicitlyDenied | Allowed | allowed by a principal of account \\`777777777777\\`: Resource \\`partner-access trust policy\\` statement 0<br>allowed by a principal of account \\`777777777777\\`: Identity \\`external account's own policies\\` statement 0 |
"
        )
    );
}

#[test]
fn json_is_one_document_with_new_access_and_the_changes() {
    let (code, out, _) = diff(&base(), &admin_in_production(), &["--format", "json"]);
    assert_eq!(code, 5);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["new_access"], true);
    assert_eq!(doc["changes"].as_array().unwrap().len(), 10);
    assert_eq!(
        doc["changes"][0],
        json!({"principal": "group:AWS-Developers", "account": "production", "subject": "probe read",
            "action": "ec2:DescribeInstances", "resource": "*", "before": "ImplicitlyDenied", "after": "Allowed",
            "allowed_by": ["permission set `AdminAccess`: Identity `AdministratorAccess` statement 0"], "denied_by": []})
    );
    assert_eq!(
        doc["new_admins"],
        json!([{"principal": "group:AWS-Developers", "account": "production"}])
    );
}

#[test]
fn a_model_with_validation_errors_exits_3() {
    let mut new = base();
    new["identity_center"]["assignments"][0]["permission_set"] = json!("NoSuchSet");
    let (code, out, _) = diff(&base(), &new, &[]);
    assert_eq!((code, out.as_str()), (3, ""));
}

#[test]
fn a_user_added_to_a_group_gets_the_group_access_reported_for_the_user() {
    let mut old = base();
    old["identity_center"]["users"]["alice@example.com"]["groups"] = json!(["AWS-Developers"]);
    let (code, out, _) = diff(&old, &base(), &[]);
    assert_eq!(code, 5);
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with("    ")).collect();
    assert_eq!(lines[0], "21 granted, 0 revoked, 0 SCP/RCP changes");
    assert_eq!(
        lines[1],
        "+ user:alice@example.com in `development`: iam:AttachRolePolicy on `arn:aws:iam::444444444444:role/iam-codegen-probe` (probe iam): ImplicitlyDenied -> Allowed"
    );
    assert!(
        lines[1..22]
            .iter()
            .all(|l| l.starts_with("+ user:alice@example.com in `"))
    );
    assert_eq!(
        lines[22..],
        [
            "new admin: user:alice@example.com in `development`",
            "new admin: user:alice@example.com in `management`",
            "new admin: user:alice@example.com in `production`",
        ]
    );
}

#[test]
fn membership_ids_do_not_keep_a_renamed_user_from_matching() {
    // The old model was imported (membership ids kept); the new one renames the user and the
    // group, and the membership has another id (made again): still renames, no access change.
    let mut old = base();
    old["identity_center"]["users"]["alice@example.com"]["membership_ids"] =
        json!({"AWS-Developers": "a1b2c3d4-5678-90ab-cdef-000000000001"});
    let mut new = renamed_principals();
    new["identity_center"]["users"]["alice.kim@example.com"]["membership_ids"] =
        json!({"AWS-Engineers": "a1b2c3d4-5678-90ab-cdef-000000000099"});
    let (code, out, err) = diff(&old, &new, &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "renamed: account `production` -> `prod`
renamed: group `AWS-Developers` -> `AWS-Engineers`
renamed: iam-role `ci-deploy` -> `github-deploy` in `prod`
renamed: iam-user `dev-john` -> `john` in `prod`
renamed: user `alice@example.com` -> `alice.kim@example.com`
no access change
",
            ""
        )
    );
}

/// The organization with `AWS-Testers` renamed `AWS-QA`, every reference following.
fn testers_renamed() -> Value {
    let mut m = base();
    rename_key(&mut m, "/identity_center/groups", "AWS-Testers", "AWS-QA");
    replace(&mut m["identity_center"], "AWS-Testers", "AWS-QA");
    m
}

#[test]
fn a_group_renamed_and_given_a_permission_set_is_a_changed_rename_with_the_access_under_its_new_name()
 {
    // `AWS-Testers` has no members, so it is known by its assignments, which change: it is
    // matched by the similarity of its definition.
    let mut new = testers_renamed();
    new["identity_center"]["assignments"]
        .as_array_mut()
        .unwrap()
        .push(json!({"group": "AWS-QA", "permission_set": "DeveloperAccess", "accounts": ["development"]}));
    let (code, out, err) = diff(&base(), &new, &[]);
    assert_eq!((code, out.as_str(), err.as_str()), (
            5,
            "renamed: group `AWS-Testers` -> `AWS-QA` (and changed)
6 granted, 0 revoked, 0 SCP/RCP changes
+ group:AWS-QA in `development`: ec2:DescribeInstances on `*` (probe read): ImplicitlyDenied -> Allowed
    allowed by: permission set `DeveloperAccess`: Identity `PowerUserAccess` statement 0
+ group:AWS-QA in `development`: s3:GetObject on `arn:aws:s3:::iam-codegen-probe-444444444444/object` (probe read): ImplicitlyDenied -> Allowed
    allowed by: permission set `DeveloperAccess`: Identity `PowerUserAccess` statement 0
+ group:AWS-QA in `development`: ec2:RunInstances on `arn:aws:ec2:us-east-1:444444444444:instance/*` (probe write): ImplicitlyDenied -> Allowed
    allowed by: permission set `DeveloperAccess`: Identity `PowerUserAccess` statement 0
+ group:AWS-QA in `development`: lambda:CreateFunction on `arn:aws:lambda:us-east-1:444444444444:function:iam-codegen-probe` (probe write): ImplicitlyDenied -> Allowed
    allowed by: permission set `DeveloperAccess`: Identity `PowerUserAccess` statement 0
+ group:AWS-QA in `development`: s3:PutObject on `arn:aws:s3:::iam-codegen-probe-444444444444/object` (probe write): ImplicitlyDenied -> Allowed
    allowed by: permission set `DeveloperAccess`: Identity `PowerUserAccess` statement 0
+ group:AWS-QA in `development`: ce:GetCostAndUsage on `*` (probe billing): ImplicitlyDenied -> Allowed
    allowed by: permission set `DeveloperAccess`: Identity `PowerUserAccess` statement 0
",
            ""
        ));
}

#[test]
fn an_account_renamed_and_moved_to_another_ou_is_a_changed_rename_with_no_access_change() {
    let mut new = base();
    rename_key(&mut new, "/accounts", "production", "prod");
    for key in ["identity_center", "assertions", "organization"] {
        replace(&mut new[key], "production", "prod");
    }
    new["organization"]["units"]["Workloads"]["units"]["Prod"]["units"] = json!({"Critical": {}});
    new["accounts"]["prod"]["unit"] = json!("Workloads/Prod/Critical");
    let (code, out, err) = diff(&base(), &new, &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "renamed: account `production` -> `prod` (and changed)\nno access change\n",
            ""
        )
    );
    let (_, out, _) = diff(&base(), &new, &["--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["renames"],
        json!([{"kind": "account", "old": "production", "new": "prod", "changed": true}])
    );
}

/// `ci-deploy` renamed `github-deploy` in production, every reference following.
fn ci_deploy_renamed() -> Value {
    let mut m = base();
    rename_key(
        &mut m,
        "/accounts/production/iam/roles",
        "ci-deploy",
        "github-deploy",
    );
    replace(&mut m["assertions"], "role:ci-deploy", "role:github-deploy");
    m
}

#[test]
fn a_role_renamed_with_its_policy_widened_is_new_access_under_its_new_name() {
    let mut new = ci_deploy_renamed();
    new["accounts"]["production"]["iam"]["roles"]["github-deploy"]["inline_policies"]["Deploy"]["Statement"]
        [0]["Resource"] = json!("*");
    let (code, out, err) = diff(&base(), &new, &[]);
    assert_eq!((code, out.as_str(), err.as_str()), (
            5,
            "renamed: iam-role `ci-deploy` -> `github-deploy` in `production` (and changed)
1 granted, 0 revoked, 0 SCP/RCP changes
+ iam-role:production/github-deploy in `production`: s3:PutObject on `arn:aws:s3:::iam-codegen-probe-222222222222/object` (probe write): ImplicitlyDenied -> Allowed
    allowed by: IAM role `github-deploy` in `production`: Identity `Deploy` statement 0
",
            ""
        ));
}

#[test]
fn a_pure_rename_is_a_rename_that_did_not_change() {
    let (code, out, err) = diff(&base(), &ci_deploy_renamed(), &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "renamed: iam-role `ci-deploy` -> `github-deploy` in `production`\nno access change\n",
            ""
        )
    );
    let (_, out, _) = diff(&base(), &ci_deploy_renamed(), &["--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["renames"],
        json!([{"kind": "iam-role", "account": "production", "old": "ci-deploy", "new": "github-deploy"}])
    );
}

#[test]
fn two_unrelated_roles_are_not_paired() {
    // `web-server` goes, an unrelated `auditor` comes: a removal and an addition.
    let mut new = base();
    let iam = &mut new["accounts"]["production"]["iam"];
    iam["roles"].as_object_mut().unwrap().remove("web-server");
    iam["instance_profiles"]
        .as_object_mut()
        .unwrap()
        .remove("web-server");
    iam["roles"]["auditor"] = json!({"trust_policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]},
        "aws_managed_policies": ["SecurityAudit"]});
    let (code, out, err) = diff(&base(), &new, &[]);
    assert_eq!((code, out.as_str(), err.as_str()), (
            5,
            "1 granted, 0 revoked, 0 SCP/RCP changes
+ iam-role:production/auditor in `production`: ec2:DescribeInstances on `*` (probe read): ImplicitlyDenied -> Allowed
    allowed by: IAM role `auditor` in `production`: Identity `SecurityAudit` statement 0 (BaseSecurityAuditStatement)
",
            ""
        ));
}

#[test]
fn a_user_renamed_with_new_attributes_is_matched_by_email() {
    let mut new = base();
    rename_key(
        &mut new,
        "/identity_center/users",
        "alice@example.com",
        "alice.kim",
    );
    new["identity_center"]["users"]["alice.kim"]["display_name"] = json!("Alice K.");
    new["identity_center"]["users"]["alice.kim"]["given_name"] = json!("Alicia");
    let (code, out, err) = diff(&base(), &new, &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "renamed: user `alice@example.com` -> `alice.kim` (and changed)\nno access change\n",
            ""
        )
    );
    let (code, out, _) = diff(&base(), &new, &["--markdown"]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "### Access review

**Renamed** (what else changed is below, under the new name)

- user alice@example.com → alice.kim (and changed)

No access change.
"
        )
    );
}

/// A group renamed together with one of its members: the members are compared in name
/// order, not in the order the renamed user lands in the document, so the group is a pure
/// rename (`bob` → `zara` sorts the other way round against `zed`).
#[test]
fn a_group_renamed_with_a_renamed_member_is_no_change() {
    let user = |name: &str| {
        json!({
            "display_name": name,
            "given_name": name,
            "family_name": "Doe",
            "email": format!("{name}@example.com"),
            "groups": ["AWS-Testers"]
        })
    };
    let mut old = base();
    let users = old["identity_center"]["users"].as_object_mut().unwrap();
    users.insert("bob".into(), user("bob"));
    users.insert("zed".into(), user("zed"));
    let mut new = old.clone();
    rename_key(&mut new, "/identity_center/groups", "AWS-Testers", "AWS-QA");
    replace(&mut new["identity_center"], "AWS-Testers", "AWS-QA");
    // The new file lists its users in name order, as a person would write it.
    let users = new["identity_center"]["users"].as_object_mut().unwrap();
    let bob = users.remove("bob").unwrap();
    let zed = users.remove("zed").unwrap();
    users.insert("zara".into(), bob);
    users.insert("zed".into(), zed);
    let (code, out, err) = diff(&old, &new, &[]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "renamed: group `AWS-Testers` -> `AWS-QA`\nrenamed: user `bob` -> `zara`\nno access change\n",
            ""
        )
    );
}
