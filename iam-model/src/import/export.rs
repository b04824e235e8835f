//! The export a deployed model would give: what `scripts/export-aws.sh` writes once the
//! model's artifacts are applied, as the AWS APIs describe the resources. For tests,
//! benchmarks and drift examples without an AWS account.
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::Model;
use crate::model::file::{Document, PolicyRefFile, encode};
use crate::model::org::Tags;

use super::ExportFiles;

fn pretty(value: &Value) -> String {
    crate::json::to_pretty(value)
}

fn tags(tags: &Tags) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

fn doc(d: &Document) -> Value {
    serde_json::to_value(&d.0).unwrap_or(Value::Null)
}

fn doc_string(d: &Document) -> String {
    serde_json::to_string(&d.0).unwrap_or_default()
}

fn aws_arn(name: &str) -> String {
    iam_catalog::AwsManagedPolicy::from_name(name).map_or_else(
        || format!("arn:aws:iam::aws:policy/{name}"),
        |p| p.arn().to_string(),
    )
}

/// A 64-bit hash of `parts`, the same on every run and platform.
fn stable_hash(parts: &[&str]) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::fast_hash::FxHasher::default();
    for part in parts {
        h.write(part.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

/// An id of the AWS form (`p-` and 16 hex digits) for a policy the model has none for.
fn made_up_policy_id(kind: &str, name: &str) -> String {
    format!("p-{:016x}", stable_hash(&[kind, name]))
}

/// A membership id of the identity store's UUID form for a membership the model has none
/// for.
fn made_up_membership_id(user: &str, group: &str) -> String {
    let (a, b) = (
        stable_hash(&[user, group]),
        stable_hash(&[group, user, "membership"]),
    );
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn path_of(p: Option<&String>) -> String {
    p.cloned().unwrap_or_else(|| "/".to_string())
}

/// The export directory's files for a deployed `model`; see the [module docs](super) for
/// the layout. Ids that AWS picks are the model's where it has them (SCP and RCP ids,
/// group membership ids) and otherwise made up deterministically (`r-root`, `ou-1`,
/// `ps-1`, group and user ids from their names; policy and membership ids of AWS's form
/// from a hash of the names). Assignments to OUs are listed per account,
/// as AWS keeps them.
///
/// ```
/// let model = iam_model::model::synthetic::organization(3, 2, 2, 4, 6);
/// let files = iam_model::import::export_of(&model);
/// let imported = iam_model::import::import(&files)?;
/// assert_eq!(imported.model.accounts().len(), 4);
/// assert!(iam_model::validate::validate(&imported.model).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export_of(model: &Model) -> ExportFiles {
    let file = encode(model);
    let mut out = ExportFiles::new();
    let management_id = file
        .accounts
        .get(&file.organization.management_account)
        .map(|a| a.id.clone())
        .unwrap_or_default();
    out.insert(
        "organizations/organization.json".into(),
        pretty(
            &json!({"Organization": {"Id": "o-example", "MasterAccountId": management_id,
            "FeatureSet": "ALL"}}),
        ),
    );
    out.insert(
        "organizations/roots.json".into(),
        pretty(&json!({"Roots": [{"Id": "r-root", "Name": "Root"}]})),
    );
    // OUs: ids by path.
    let mut unit_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut stack: Vec<(
        String,
        Option<String>,
        &BTreeMap<String, crate::model::file::UnitFile>,
    )> = vec![("r-root".to_string(), None, &file.organization.units)];
    while let Some((parent, path, units)) = stack.pop() {
        let mut listed = Vec::new();
        for (name, unit) in units {
            let child = path
                .as_ref()
                .map_or_else(|| name.clone(), |p| format!("{p}/{name}"));
            let id = format!("ou-{}", unit_ids.len() + 1);
            unit_ids.insert(child.clone(), id.clone());
            listed.push(json!({"Id": id, "Name": name}));
            stack.push((id, Some(child), &unit.units));
        }
        out.insert(
            format!("organizations/units/{parent}.json"),
            pretty(&json!({"OrganizationalUnits": listed})),
        );
        let accounts: Vec<Value> = file
            .accounts
            .iter()
            .filter(|(_, a)| a.unit == path)
            .map(
                |(name, a)| json!({"Id": a.id, "Name": name, "Email": a.email, "Status": "ACTIVE"}),
            )
            .collect();
        out.insert(
            format!("organizations/accounts/{parent}.json"),
            pretty(&json!({"Accounts": accounts})),
        );
    }
    let target = |t: &str| -> Value {
        if t == "root" {
            json!({"TargetId": "r-root", "Type": "ROOT"})
        } else if let Some(p) = t.strip_prefix("unit:") {
            json!({"TargetId": unit_ids.get(p).cloned().unwrap_or_default(), "Type": "ORGANIZATIONAL_UNIT"})
        } else {
            let name = t.strip_prefix("account:").unwrap_or(t);
            let id = file
                .accounts
                .get(name)
                .map(|a| a.id.clone())
                .unwrap_or_default();
            json!({"TargetId": id, "Type": "ACCOUNT"})
        }
    };
    for (kind, policies) in [
        ("SERVICE_CONTROL_POLICY", &file.organization.scps),
        ("RESOURCE_CONTROL_POLICY", &file.organization.rcps),
    ] {
        let mut listed = Vec::new();
        for (name, p) in policies {
            let id =
                p.id.clone()
                    .unwrap_or_else(|| made_up_policy_id(kind, name));
            listed.push(json!({"Id": id, "Name": name, "Description": p.description.clone().unwrap_or_default(),
                "Type": kind, "AwsManaged": false}));
            out.insert(
                format!("organizations/policy/{id}.json"),
                pretty(
                    &json!({"Policy": {"PolicySummary": {"Id": id, "Name": name},
                    "Content": doc_string(&p.document)}}),
                ),
            );
            let targets: Vec<Value> = p.targets.iter().map(|t| target(t)).collect();
            out.insert(
                format!("organizations/targets/{id}.json"),
                pretty(&json!({"Targets": targets})),
            );
        }
        out.insert(
            format!("organizations/policies/{kind}.json"),
            pretty(&json!({"Policies": listed})),
        );
    }

    for (name, account) in &file.accounts {
        // What is live in the account: its own IAM and what its OUs' baselines (StackSets)
        // deployed into it.
        let effective = model
            .account(name)
            .map(|a| crate::model::file::iam_file(a.iam()));
        let iam = effective.as_ref().unwrap_or(&account.iam);
        if iam.is_empty() {
            continue;
        }
        let id = &account.id;
        let customer_arn = |name: &str| -> String {
            let path = iam
                .policies
                .get(name)
                .and_then(|p| p.path.clone())
                .unwrap_or_else(|| "/".into());
            format!("arn:aws:iam::{id}:policy{path}{name}")
        };
        let attached = |aws: &[String], customer: &[String]| -> Vec<Value> {
            aws.iter()
                .map(|n| json!({"PolicyName": n, "PolicyArn": aws_arn(n)}))
                .chain(
                    customer
                        .iter()
                        .map(|n| json!({"PolicyName": n, "PolicyArn": customer_arn(n)})),
                )
                .collect()
        };
        let boundary = |b: &Option<PolicyRefFile>| -> Option<Value> {
            b.as_ref().map(|b| {
                let arn = match b {
                    PolicyRefFile::AwsManaged(n) => aws_arn(n),
                    PolicyRefFile::CustomerManaged(n) => customer_arn(n),
                };
                json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn})
            })
        };
        let inline = |m: &BTreeMap<String, Document>| -> Vec<Value> {
            m.iter()
                .map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": doc(d)}))
                .collect()
        };
        let users: Vec<Value> = iam
            .users
            .iter()
            .map(|(name, u)| {
                let mut v = json!({"Path": path_of(u.path.as_ref()), "UserName": name,
                    "UserPolicyList": inline(&u.inline_policies), "GroupList": u.groups,
                    "AttachedManagedPolicies": attached(&u.aws_managed_policies, &u.customer_managed_policies),
                    "Tags": tags(&u.tags)});
                if let (Some(b), Some(obj)) = (boundary(&u.permissions_boundary), v.as_object_mut()) {
                    obj.insert("PermissionsBoundary".into(), b);
                }
                v
            })
            .collect();
        let groups: Vec<Value> = iam
            .groups
            .iter()
            .map(|(name, g)| {
                json!({"Path": path_of(g.path.as_ref()), "GroupName": name,
                    "GroupPolicyList": inline(&g.inline_policies),
                    "AttachedManagedPolicies": attached(&g.aws_managed_policies, &g.customer_managed_policies)})
            })
            .collect();
        let roles: Vec<Value> = iam
            .roles
            .iter()
            .map(|(name, r)| {
                let profiles: Vec<Value> = iam
                    .instance_profiles
                    .iter()
                    .filter(|(_, p)| &p.role == name)
                    .map(|(pn, p)| json!({"Path": path_of(p.path.as_ref()), "InstanceProfileName": pn}))
                    .collect();
                let mut v = json!({"Path": path_of(r.path.as_ref()), "RoleName": name,
                    "AssumeRolePolicyDocument": doc(&r.trust_policy),
                    "InstanceProfileList": profiles,
                    "RolePolicyList": inline(&r.inline_policies),
                    "AttachedManagedPolicies": attached(&r.aws_managed_policies, &r.customer_managed_policies),
                    "Tags": tags(&r.tags)});
                if let (Some(b), Some(obj)) = (boundary(&r.permissions_boundary), v.as_object_mut()) {
                    obj.insert("PermissionsBoundary".into(), b);
                }
                v
            })
            .collect();
        let policies: Vec<Value> = iam
            .policies
            .iter()
            .map(|(name, p)| {
                json!({"PolicyName": name, "Arn": customer_arn(name), "Path": path_of(p.path.as_ref()),
                    "Description": p.description.clone().unwrap_or_default(), "DefaultVersionId": "v1",
                    "PolicyVersionList": [{"Document": doc(&p.document), "VersionId": "v1", "IsDefaultVersion": true}]})
            })
            .collect();
        out.insert(
            format!("iam/{id}.json"),
            pretty(&json!({"UserDetailList": users, "GroupDetailList": groups,
                "RoleDetailList": roles, "Policies": policies})),
        );
        let summaries: Vec<Value> = iam
            .roles
            .iter()
            .map(|(name, r)| {
                json!({"RoleName": name, "Path": path_of(r.path.as_ref()),
                    "Description": r.description.clone().unwrap_or_default(),
                    "MaxSessionDuration": r.max_session_duration.unwrap_or(3600)})
            })
            .collect();
        out.insert(
            format!("iam/{id}/roles.json"),
            pretty(&json!({"Roles": summaries})),
        );
        let mut oidc = Vec::new();
        for p in iam.oidc_providers.values() {
            let host = p.host();
            oidc.push(json!({"Arn": format!("arn:aws:iam::{id}:oidc-provider/{host}")}));
            out.insert(
                format!("iam/{id}/oidc-provider/{}.json", host.replace('/', "%2F")),
                pretty(&json!({"Url": host, "ClientIDList": p.client_ids,
                    "ThumbprintList": p.thumbprints, "Tags": tags(&p.tags)})),
            );
        }
        out.insert(
            format!("iam/{id}/oidc-providers.json"),
            pretty(&json!({"OpenIDConnectProviderList": oidc})),
        );
        if let Some(p) = &iam.password_policy {
            out.insert(
                format!("iam/{id}/password-policy.json"),
                pretty(&json!({"PasswordPolicy": {
                    "MinimumPasswordLength": p.minimum_password_length.unwrap_or(8),
                    "RequireSymbols": p.require_symbols, "RequireNumbers": p.require_numbers,
                    "RequireUppercaseCharacters": p.require_uppercase_characters,
                    "RequireLowercaseCharacters": p.require_lowercase_characters,
                    "AllowUsersToChangePassword": p.allow_users_to_change_password,
                    "ExpirePasswords": p.max_password_age.is_some(),
                    "MaxPasswordAge": p.max_password_age, "PasswordReusePrevention": p.password_reuse_prevention,
                    "HardExpiry": p.hard_expiry}})),
            );
        }
        for (name, u) in &iam.users {
            let keys: Vec<Value> = if u.programmatic_access {
                vec![
                    json!({"UserName": name, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active"}),
                ]
            } else {
                Vec::new()
            };
            out.insert(
                format!("iam/{id}/access-keys/{name}.json"),
                pretty(&json!({"AccessKeyMetadata": keys})),
            );
            if u.console_access {
                out.insert(
                    format!("iam/{id}/login-profile/{name}.json"),
                    pretty(&json!({"LoginProfile": {"UserName": name, "PasswordResetRequired": false}})),
                );
            }
        }
    }

    if let Some(ic) = &file.identity_center {
        let owner = file
            .accounts
            .get(&ic.instance_account)
            .map(|a| a.id.clone());
        out.insert(
            "sso-admin/instances.json".into(),
            pretty(
                &json!({"Instances": [{"InstanceArn": "arn:aws:sso:::instance/ssoins-example",
                "IdentityStoreId": "d-example", "OwnerAccountId": owner}]}),
            ),
        );
        if ic.start_url.is_some() || ic.region.is_some() {
            out.insert(
                "sso-admin/settings.json".into(),
                pretty(&json!({"StartUrl": ic.start_url, "Region": ic.region})),
            );
        }
        let user_id = |name: &str| format!("u-{}", name.replace(['@', '/', '.'], "-"));
        let group_ids: BTreeMap<&String, String> = ic
            .groups
            .keys()
            .enumerate()
            .map(|(i, g)| (g, format!("g-{}", i + 1)))
            .collect();
        let users: Vec<Value> = ic
            .users
            .iter()
            .map(|(name, u)| {
                let mut v = json!({"UserId": user_id(name), "UserName": name, "DisplayName": u.display_name,
                    "Name": {"GivenName": u.given_name, "FamilyName": u.family_name},
                    "Emails": [{"Value": u.email, "Primary": true}]});
                // A SCIM provisioner marks the users it creates.
                if ic.identity_source.is_external()
                    && let Some(obj) = v.as_object_mut()
                {
                    obj.insert(
                        "ExternalIds".into(),
                        json!([{"Issuer": "https://scim.example.com", "Id": name}]),
                    );
                }
                v
            })
            .collect();
        out.insert(
            "identitystore/users.json".into(),
            pretty(&json!({"Users": users})),
        );
        let groups: Vec<Value> = ic
            .groups
            .iter()
            .map(|(name, g)| {
                let mut v = json!({"GroupId": group_ids.get(name), "DisplayName": name});
                if let (Some(d), Some(obj)) = (&g.description, v.as_object_mut()) {
                    obj.insert("Description".into(), Value::from(d.clone()));
                }
                v
            })
            .collect();
        out.insert(
            "identitystore/groups.json".into(),
            pretty(&json!({"Groups": groups})),
        );
        for (group, gid) in &group_ids {
            let members: Vec<Value> = ic
                .users
                .iter()
                .filter(|(_, u)| u.groups.contains(group))
                .map(|(name, u)| {
                    let id = u
                        .membership_ids
                        .get(*group)
                        .cloned()
                        .unwrap_or_else(|| made_up_membership_id(name, group));
                    json!({"IdentityStoreId": "d-example", "MembershipId": id, "GroupId": gid,
                        "MemberId": {"UserId": user_id(name)}})
                })
                .collect();
            out.insert(
                format!("identitystore/memberships/{gid}.json"),
                pretty(&json!({"GroupMemberships": members})),
            );
        }
        let set_ids: BTreeMap<&String, String> = ic
            .permission_sets
            .keys()
            .enumerate()
            .map(|(i, s)| (s, format!("ps-{}", i + 1)))
            .collect();
        let set_arn = |id: &str| format!("arn:aws:sso:::permissionSet/ssoins-example/{id}");
        out.insert(
            "sso-admin/permission-sets.json".into(),
            pretty(&json!({"PermissionSets": set_ids.values().map(|id| set_arn(id)).collect::<Vec<_>>()})),
        );
        // (permission set, account id) → assignments
        let mut assigned: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
        for grant in model.grants() {
            let Some(account) = model.account(grant.account.as_str()) else {
                continue;
            };
            let account_id = account.id().as_str().to_string();
            let (kind, principal) = match grant.principal {
                crate::model::AssignmentPrincipal::Group(g) => {
                    ("GROUP", group_ids.get(g).cloned().unwrap_or_default())
                }
                crate::model::AssignmentPrincipal::User(u) => ("USER", user_id(u)),
            };
            let set = grant.permission_set.as_str().to_string();
            let Some(set_id) = set_ids.get(&set) else {
                continue;
            };
            assigned
                .entry((set.clone(), account_id.clone()))
                .or_default()
                .push(
                    json!({"AccountId": account_id, "PermissionSetArn": set_arn(set_id),
                    "PrincipalType": kind, "PrincipalId": principal}),
                );
        }
        for (name, set) in &ic.permission_sets {
            let Some(id) = set_ids.get(name) else {
                continue;
            };
            let dir = format!("sso-admin/permission-set/{id}");
            out.insert(
                format!("{dir}/describe.json"),
                pretty(&json!({"PermissionSet": {"Name": name, "PermissionSetArn": set_arn(id),
                    "Description": set.description, "SessionDuration": set.session_duration.clone().unwrap_or_else(|| "PT1H".into()),
                    "RelayState": set.relay_state}})),
            );
            let managed: Vec<Value> = set
                .aws_managed_policies
                .iter()
                .map(|n| json!({"Name": n, "Arn": aws_arn(n)}))
                .collect();
            out.insert(
                format!("{dir}/managed-policies.json"),
                pretty(&json!({"AttachedManagedPolicies": managed})),
            );
            out.insert(
                format!("{dir}/inline-policy.json"),
                pretty(&json!({"InlinePolicy": set.inline_policy.as_ref().map(doc_string).unwrap_or_default()})),
            );
            let customer: Vec<Value> = set
                .customer_managed_policies
                .iter()
                .map(|r| json!({"Name": r.name, "Path": path_of(r.path.as_ref())}))
                .collect();
            out.insert(
                format!("{dir}/customer-managed-policies.json"),
                pretty(&json!({"CustomerManagedPolicyReferences": customer})),
            );
            if let Some(b) = &set.permissions_boundary {
                let v = match b {
                    crate::model::file::PermissionSetBoundaryFile::AwsManaged(n) => {
                        json!({"ManagedPolicyArn": aws_arn(n)})
                    }
                    crate::model::file::PermissionSetBoundaryFile::CustomerManaged(r) => {
                        json!({"CustomerManagedPolicyReference": {"Name": r.name, "Path": path_of(r.path.as_ref())}})
                    }
                };
                out.insert(
                    format!("{dir}/permissions-boundary.json"),
                    pretty(&json!({"PermissionsBoundary": v})),
                );
            }
            out.insert(
                format!("{dir}/tags.json"),
                pretty(&json!({"Tags": tags(&set.tags)})),
            );
            let accounts: Vec<&String> = assigned
                .keys()
                .filter(|(s, _)| s == name)
                .map(|(_, a)| a)
                .collect();
            out.insert(
                format!("{dir}/accounts.json"),
                pretty(&json!({"AccountIds": accounts})),
            );
            for ((s, account), list) in &assigned {
                if s == name {
                    out.insert(
                        format!("{dir}/assignments/{account}.json"),
                        pretty(&json!({"AccountAssignments": list})),
                    );
                }
            }
        }
    }
    out
}
