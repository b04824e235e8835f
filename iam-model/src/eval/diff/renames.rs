//! Renames between two models: a principal that is in one model only under each name, and
//! is the same in what identifies it, is the same principal renamed: an account by its id;
//! an Identity Center user by its attributes and own assignments; a group by its definition
//! and members (by its assignments when it has none); an IAM role or user by its whole
//! definition. A match must be the only candidate both ways. [`diff`](super::diff) renames it in the old
//! model before asking its questions, so a rename is reported as a rename, not as access
//! removed from one name and granted to another.
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::Model;

/// One principal renamed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Rename {
    /// `account`, `group`, `user` (Identity Center), `iam-role` or `iam-user`.
    pub kind: &'static str,
    /// The account, for IAM roles and users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The name in the old model.
    pub old: String,
    /// The name in the new model.
    pub new: String,
}

fn object<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Map<String, Value>> {
    doc.pointer(pointer)?.as_object()
}

fn names(doc: &Value, pointer: &str) -> BTreeSet<String> {
    object(doc, pointer)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Pairs each name of `removed` with the one name of `added` that has the same signature,
/// when neither side has another name with that signature.
fn pair(
    removed: &BTreeSet<String>,
    added: &BTreeSet<String>,
    old_signature: impl Fn(&str) -> Value,
    new_signature: impl Fn(&str) -> Value,
) -> Vec<(String, String)> {
    let mut old_by: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for name in removed {
        old_by
            .entry(old_signature(name).to_string())
            .or_default()
            .push(name);
    }
    let mut new_by: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for name in added {
        new_by
            .entry(new_signature(name).to_string())
            .or_default()
            .push(name);
    }
    let mut pairs = Vec::new();
    for (signature, olds) in &old_by {
        if let (Some(news), [old]) = (new_by.get(signature), olds.as_slice())
            && let [new] = news.as_slice()
        {
            pairs.push(((*old).clone(), (*new).clone()));
        }
    }
    pairs
}

/// The Identity Center assignments of `field` = `name`, without that field, sorted.
fn assignments_of(doc: &Value, field: &str, name: &str) -> Value {
    let mut found: Vec<Value> = doc
        .pointer("/identity_center/assignments")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|x| x.get(field).and_then(Value::as_str) == Some(name))
                .map(|x| {
                    let mut x = x.clone();
                    if let Some(m) = x.as_object_mut() {
                        m.remove(field);
                    }
                    x
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(Value::to_string);
    Value::Array(found)
}

/// The Identity Center users whose `groups` name `group`, sorted.
fn members_of(doc: &Value, group: &str) -> Vec<String> {
    object(doc, "/identity_center/users")
        .map(|users| {
            users
                .iter()
                .filter(|(_, u)| {
                    u.get("groups")
                        .and_then(Value::as_array)
                        .is_some_and(|g| g.iter().any(|g| g.as_str() == Some(group)))
                })
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A user's attributes and own assignments; not its groups, which may be renamed too (a
/// user matched whose groups changed gets those changes reported under its new name), nor
/// the identity store's membership ids (AWS's handles, not access).
fn sso_user_signature(doc: &Value, name: &str) -> Value {
    let mut body = doc
        .pointer(&format!("/identity_center/users/{}", token(name)))
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(m) = body.as_object_mut() {
        m.remove("groups");
        m.remove("membership_ids");
    }
    Value::Array(vec![body, assignments_of(doc, "user", name)])
}

fn group_signature(doc: &Value, name: &str, users: &BTreeMap<String, String>) -> Value {
    let body = doc
        .pointer(&format!("/identity_center/groups/{}", token(name)))
        .cloned()
        .unwrap_or(Value::Null);
    let mut members: Vec<String> = members_of(doc, name)
        .into_iter()
        .map(|m| users.get(&m).cloned().unwrap_or(m))
        .collect();
    members.sort();
    // A group with members is known by them (its assignments may change with the rename,
    // and that change is then reported under the new name); one without, by its assignments.
    let assignments = if members.is_empty() {
        assignments_of(doc, "group", name)
    } else {
        Value::Null
    };
    Value::Array(vec![body, assignments, Value::from(members)])
}

fn token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Every string of `value` equal to `from` becomes `to`.
fn replace_strings(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, from, to)),
        _ => {}
    }
}

fn rename_key(doc: &mut Value, pointer: &str, old: &str, new: &str) {
    if let Some(map) = doc.pointer_mut(pointer).and_then(Value::as_object_mut)
        && let Some(body) = map.remove(old)
    {
        map.insert(new.to_string(), body);
    }
}

/// Sets `field` = `new` where it is `old` in every element of the array at `pointer`.
fn rename_field(doc: &mut Value, pointer: &str, field: &str, old: &str, new: &str) {
    if let Some(items) = doc.pointer_mut(pointer).and_then(Value::as_array_mut) {
        for item in items {
            if let Some(v) = item.get_mut(field)
                && v.as_str() == Some(old)
            {
                *v = Value::from(new);
            }
        }
    }
}

/// Renames the assertions' principal `prefix:old` (in `account`, when given).
fn rename_assertions(doc: &mut Value, prefix: &str, account: Option<&str>, old: &str, new: &str) {
    let Some(items) = doc.pointer_mut("/assertions").and_then(Value::as_array_mut) else {
        return;
    };
    for item in items {
        if account.is_some_and(|a| item.get("account").and_then(Value::as_str) != Some(a)) {
            continue;
        }
        if let Some(p) = item.get_mut("principal")
            && p.as_str() == Some(&format!("{prefix}:{old}"))
        {
            *p = Value::from(format!("{prefix}:{new}"));
        }
    }
}

fn iam_arn(doc: &Value, account: &str, kind: &str, name: &str) -> Option<String> {
    let acct = doc.pointer(&format!("/accounts/{}", token(account)))?;
    let id = acct.get("id")?.as_str()?;
    let body = acct.pointer(&format!("/iam/{kind}s/{}", token(name)))?;
    let path = body.get("path").and_then(Value::as_str).unwrap_or("/");
    Some(format!("arn:aws:iam::{id}:{kind}{path}{name}"))
}

/// Accounts in one model only under each name with the same account id (what identifies an
/// AWS account): renamed in `doc` with every reference to them. What else changed in them is
/// then compared under the new name.
fn rename_accounts(doc: &mut Value, target: &Value, found: &mut Vec<Rename>) {
    let (o, n) = (names(doc, "/accounts"), names(target, "/accounts"));
    let removed: BTreeSet<String> = o.difference(&n).cloned().collect();
    let added: BTreeSet<String> = n.difference(&o).cloned().collect();
    let body = |doc: &Value, name: &str| {
        doc.pointer(&format!("/accounts/{}/id", token(name)))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let source = doc.clone();
    for (o, n) in pair(&removed, &added, |n| body(&source, n), |n| body(target, n)) {
        rename_key(doc, "/accounts", &o, &n);
        for pointer in [
            "/organization/management_account",
            "/identity_center/instance_account",
        ] {
            if let Some(v) = doc.pointer_mut(pointer)
                && v.as_str() == Some(o.as_str())
            {
                *v = Value::from(n.as_str());
            }
        }
        if let Some(items) = doc
            .pointer_mut("/identity_center/assignments")
            .and_then(Value::as_array_mut)
        {
            for item in items {
                if let Some(accounts) = item.get_mut("accounts") {
                    replace_strings(accounts, &o, &n);
                }
            }
        }
        for kind in ["scps", "rcps"] {
            if let Some(policies) = doc
                .pointer_mut(&format!("/organization/{kind}"))
                .and_then(Value::as_object_mut)
            {
                for policy in policies.values_mut() {
                    if let Some(targets) = policy.get_mut("targets") {
                        replace_strings(targets, &format!("account:{o}"), &format!("account:{n}"));
                    }
                }
            }
        }
        rename_field(doc, "/assertions", "account", &o, &n);
        found.push(Rename {
            kind: "account",
            account: None,
            old: o,
            new: n,
        });
    }
}

/// The renames from `old` to `new`, and `old` with them applied (the old model under the new
/// names), when there are any and the renamed model reads.
pub(super) fn renames(old: &Model, new: &Model) -> (Vec<Rename>, Option<Model>) {
    let (Ok(mut doc), Ok(target)) = (
        serde_json::from_str::<Value>(&old.to_json()),
        serde_json::from_str::<Value>(&new.to_json()),
    ) else {
        return (Vec::new(), None);
    };
    let mut found = Vec::new();
    rename_accounts(&mut doc, &target, &mut found);
    let source = doc.clone();
    let added_removed = |pointer: &str| {
        let (o, n) = (names(&source, pointer), names(&target, pointer));
        let removed: BTreeSet<String> = o.difference(&n).cloned().collect();
        let added: BTreeSet<String> = n.difference(&o).cloned().collect();
        (removed, added)
    };

    // Identity Center users, then groups (whose members are users, under their new names).
    let (removed, added) = added_removed("/identity_center/users");
    let users: BTreeMap<String, String> = pair(
        &removed,
        &added,
        |n| sso_user_signature(&source, n),
        |n| sso_user_signature(&target, n),
    )
    .into_iter()
    .collect();
    for (o, n) in &users {
        rename_key(&mut doc, "/identity_center/users", o, n);
        rename_field(&mut doc, "/identity_center/assignments", "user", o, n);
        rename_assertions(&mut doc, "user", None, o, n);
        found.push(Rename {
            kind: "user",
            account: None,
            old: o.clone(),
            new: n.clone(),
        });
    }
    let (removed, added) = added_removed("/identity_center/groups");
    let no_renames = BTreeMap::new();
    for (o, n) in pair(
        &removed,
        &added,
        |n| group_signature(&source, n, &users),
        |n| group_signature(&target, n, &no_renames),
    ) {
        rename_key(&mut doc, "/identity_center/groups", &o, &n);
        if let Some(users) = doc
            .pointer_mut("/identity_center/users")
            .and_then(Value::as_object_mut)
        {
            for user in users.values_mut() {
                if let Some(groups) = user.get_mut("groups") {
                    replace_strings(groups, &o, &n);
                }
                if let Some(ids) = user
                    .get_mut("membership_ids")
                    .and_then(Value::as_object_mut)
                    && let Some(id) = ids.remove(&o)
                {
                    ids.insert(n.clone(), id);
                }
            }
        }
        rename_field(&mut doc, "/identity_center/assignments", "group", &o, &n);
        rename_assertions(&mut doc, "group", None, &o, &n);
        found.push(Rename {
            kind: "group",
            account: None,
            old: o,
            new: n,
        });
    }

    // IAM roles and users of each account in both models: same definition, other name.
    let accounts: Vec<String> = names(&source, "/accounts")
        .intersection(&names(&target, "/accounts"))
        .cloned()
        .collect();
    for account in &accounts {
        for (kind, prefix) in [("role", "role"), ("user", "iam-user")] {
            let pointer = format!("/accounts/{}/iam/{kind}s", token(account));
            let (removed, added) = added_removed(&pointer);
            let body = |doc: &Value, name: &str| {
                doc.pointer(&format!("{pointer}/{}", token(name)))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            for (o, n) in pair(&removed, &added, |n| body(&source, n), |n| body(&target, n)) {
                let arns = (
                    iam_arn(&source, account, kind, &o),
                    iam_arn(&target, account, kind, &n),
                );
                rename_key(&mut doc, &pointer, &o, &n);
                if kind == "role"
                    && let Some(profiles) = doc
                        .pointer_mut(&format!(
                            "/accounts/{}/iam/instance_profiles",
                            token(account)
                        ))
                        .and_then(Value::as_object_mut)
                {
                    for profile in profiles.values_mut() {
                        if let Some(role) = profile.get_mut("role")
                            && role.as_str() == Some(o.as_str())
                        {
                            *role = Value::from(n.as_str());
                        }
                    }
                }
                if let (Some(from), Some(to)) = arns {
                    replace_strings(&mut doc, &from, &to);
                }
                rename_assertions(&mut doc, prefix, Some(account), &o, &n);
                found.push(Rename {
                    kind: if kind == "role" {
                        "iam-role"
                    } else {
                        "iam-user"
                    },
                    account: Some(account.clone()),
                    old: o,
                    new: n,
                });
            }
        }
    }
    if found.is_empty() {
        return (found, None);
    }
    match Model::from_json(&doc.to_string()) {
        Ok(renamed) => {
            found.sort();
            (found, Some(renamed))
        }
        Err(_) => (Vec::new(), None),
    }
}
