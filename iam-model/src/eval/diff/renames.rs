//! Renames between two models: a principal that is in one model only under each name is
//! matched with one of the other model in stages, each over what the stages before left:
//!
//! 1. the same in what identifies it: an account by its id; an Identity Center user by its
//!    attributes and own assignments; a group by its definition and members (by its
//!    assignments when it has none); an IAM role or user by its whole definition;
//! 2. an Identity Center user by its email;
//! 3. a user, group, IAM role or IAM user by similarity: the Dice coefficient of the tokens
//!    of its definition (each value with the path of keys to it) is at least
//!    [`SIMILARITY`], and each is the other's best match, with no tie. Skipped when the
//!    candidate pairs of one kind (in one account) are more than [`MAX_SIMILARITY_PAIRS`],
//!    so a big model stays fast.
//!
//! A match of the first two stages must be the only candidate both ways.
//! [`diff`](super::diff) renames it in the old model before asking its questions, so a rename
//! is reported as a rename, not as access removed from one name and granted to another; what
//! else changed with it ([`Rename::changed`]) is then reported under the new name.
use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;

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
    /// Whether its definition changed too (for an account: its email, environment, OU,
    /// tags, budget or `create`; for the others what the stages compare), so its access may
    /// have changed, reported under the new name. In JSON only when `true`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub changed: bool,
}

/// The least Dice coefficient of two definitions' tokens for a similarity match.
pub const SIMILARITY: f64 = 0.5;

/// The most candidate pairs (removed × added names of one kind) a similarity match is
/// looked for in; beyond, only exact matches count.
pub const MAX_SIMILARITY_PAIRS: usize = 250_000;

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
        let signature = old_signature(name);
        if !signature.is_null() {
            old_by.entry(signature.to_string()).or_default().push(name);
        }
    }
    let mut new_by: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for name in added {
        let signature = new_signature(name);
        if !signature.is_null() {
            new_by.entry(signature.to_string()).or_default().push(name);
        }
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

/// The tokens of a definition: each scalar with the path of object keys to it (array
/// positions left out, so order does not count), hashed, sorted, each once. A policy's
/// `Version` is left out: every policy has the same.
fn tokens(value: &Value) -> Vec<u64> {
    fn walk(value: &Value, path: &mut String, out: &mut Vec<u64>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "Version" {
                        continue;
                    }
                    let len = path.len();
                    path.push('/');
                    path.push_str(k);
                    walk(v, path, out);
                    path.truncate(len);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, path, out)),
            Value::Null => {}
            scalar => {
                let mut h = crate::fast_hash::FxHasher::default();
                h.write(path.as_bytes());
                h.write_u8(0);
                match scalar {
                    Value::String(text) => h.write(text.as_bytes()),
                    other => h.write(other.to_string().as_bytes()),
                }
                out.push(h.finish());
            }
        }
    }
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// The Dice coefficient of two sorted token lists: 2 |A ∩ B| / (|A| + |B|); 0 for two empty.
fn dice(a: &[u64], b: &[u64]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "token counts are far below 2^52"
    )]
    let ratio = (2 * common) as f64 / total as f64;
    ratio
}

/// Pairs each name of `removed` with the name of `added` whose definition is most similar
/// ([`dice`] of their [`tokens`] at least [`SIMILARITY`]) when each is the other's only best
/// match. Nothing when there are more than [`MAX_SIMILARITY_PAIRS`] candidate pairs.
fn pair_similar(
    removed: &BTreeSet<String>,
    added: &BTreeSet<String>,
    old_definition: impl Fn(&str) -> Value,
    new_definition: impl Fn(&str) -> Value,
) -> Vec<(String, String)> {
    if removed.is_empty()
        || added.is_empty()
        || removed.len().saturating_mul(added.len()) > MAX_SIMILARITY_PAIRS
    {
        return Vec::new();
    }
    let olds: Vec<(&String, Vec<u64>)> = removed
        .iter()
        .map(|n| (n, tokens(&old_definition(n))))
        .collect();
    let news: Vec<(&String, Vec<u64>)> = added
        .iter()
        .map(|n| (n, tokens(&new_definition(n))))
        .collect();
    // The best score of each side and the one index that has it (`None` on a tie).
    let mut best_old: Vec<(f64, Option<usize>)> = vec![(0.0, None); olds.len()];
    let mut best_new: Vec<(f64, Option<usize>)> = vec![(0.0, None); news.len()];
    let better = |best: &mut (f64, Option<usize>), score: f64, index: usize| {
        if score > best.0 {
            *best = (score, Some(index));
        } else if score == best.0 {
            best.1 = None;
        }
    };
    for (i, (_, a)) in olds.iter().enumerate() {
        for (j, (_, b)) in news.iter().enumerate() {
            let score = dice(a, b);
            if score < SIMILARITY {
                continue;
            }
            if let Some(best) = best_old.get_mut(i) {
                better(best, score, j);
            }
            if let Some(best) = best_new.get_mut(j) {
                better(best, score, i);
            }
        }
    }
    let mut pairs = Vec::new();
    for (i, (old, _)) in olds.iter().enumerate() {
        if let Some(&(_, Some(j))) = best_old.get(i)
            && let Some(&(_, Some(back))) = best_new.get(j)
            && back == i
            && let Some((new, _)) = news.get(j)
        {
            pairs.push(((*old).clone(), (*new).clone()));
        }
    }
    pairs
}

/// Takes one stage's pairs: each leaves `removed` and `added`, and joins `pairs`.
fn stage(
    removed: &mut BTreeSet<String>,
    added: &mut BTreeSet<String>,
    pairs: Vec<(String, String)>,
    out: &mut Vec<(String, String)>,
) {
    for (o, n) in pairs {
        removed.remove(&o);
        added.remove(&n);
        out.push((o, n));
    }
}

/// The Identity Center assignments of each user and group (without the field that names
/// it, sorted) and the members of each group (sorted), indexed once per model file: the
/// stages ask for them for every candidate.
struct Index {
    user_assignments: BTreeMap<String, Vec<Value>>,
    group_assignments: BTreeMap<String, Vec<Value>>,
    members: BTreeMap<String, Vec<String>>,
}

impl Index {
    fn new(doc: &Value) -> Self {
        let mut user_assignments: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut group_assignments: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for x in doc
            .pointer("/identity_center/assignments")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            for (field, index) in [
                ("user", &mut user_assignments),
                ("group", &mut group_assignments),
            ] {
                if let Some(name) = x.get(field).and_then(Value::as_str) {
                    let mut x = x.clone();
                    if let Some(m) = x.as_object_mut() {
                        m.remove(field);
                    }
                    index.entry(name.to_string()).or_default().push(x);
                }
            }
        }
        for list in user_assignments
            .values_mut()
            .chain(group_assignments.values_mut())
        {
            list.sort_by_cached_key(Value::to_string);
        }
        let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, user) in object(doc, "/identity_center/users").into_iter().flatten() {
            for group in user
                .get("groups")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if let Some(group) = group.as_str() {
                    members
                        .entry(group.to_string())
                        .or_default()
                        .push(name.clone());
                }
            }
        }
        // Sorted here: a renamed user is re-inserted at the end of the document's users
        // (serde_json keeps insertion order), so the document's order is not name order.
        for list in members.values_mut() {
            list.sort();
            list.dedup();
        }
        Self {
            user_assignments,
            group_assignments,
            members,
        }
    }

    /// The assignments of the user (`field` = `user`) or group (`group`) `name`.
    fn assignments(&self, field: &str, name: &str) -> Value {
        let index = if field == "user" {
            &self.user_assignments
        } else {
            &self.group_assignments
        };
        Value::Array(index.get(name).cloned().unwrap_or_default())
    }

    /// The Identity Center users whose `groups` name `group`, sorted.
    fn members(&self, group: &str) -> Vec<String> {
        self.members.get(group).cloned().unwrap_or_default()
    }
}

/// A user's attributes and own assignments; not its groups, which may be renamed too (a
/// user matched whose groups changed gets those changes reported under its new name), nor
/// the identity store's membership ids (AWS's handles, not access).
fn sso_user_signature(doc: &Value, ix: &Index, name: &str) -> Value {
    Value::Array(vec![
        user_attributes(doc, name),
        ix.assignments("user", name),
    ])
}

/// A user's definition without its groups (they may be renamed too) and without the
/// identity store's membership ids (AWS's handles, not access).
fn user_attributes(doc: &Value, name: &str) -> Value {
    let mut body = user_body(doc, name);
    if let Some(m) = body.as_object_mut() {
        m.remove("groups");
    }
    body
}

/// A user's definition without the identity store's membership ids.
fn user_body(doc: &Value, name: &str) -> Value {
    let mut body = doc
        .pointer(&format!("/identity_center/users/{}", token(name)))
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(m) = body.as_object_mut() {
        m.remove("membership_ids");
    }
    body
}

fn group_signature(doc: &Value, ix: &Index, name: &str, users: &BTreeMap<String, String>) -> Value {
    let body = doc
        .pointer(&format!("/identity_center/groups/{}", token(name)))
        .cloned()
        .unwrap_or(Value::Null);
    let mut members: Vec<String> = ix
        .members(name)
        .into_iter()
        .map(|m| users.get(&m).cloned().unwrap_or(m))
        .collect();
    members.sort();
    // A group with members is known by them (its assignments may change with the rename,
    // and that change is then reported under the new name); one without, by its assignments.
    let assignments = if members.is_empty() {
        ix.assignments("group", name)
    } else {
        Value::Null
    };
    Value::Array(vec![body, assignments, Value::from(members)])
}

/// A group as the similarity stage compares it: its attributes, members (old members under
/// their new names) and assignments.
fn group_definition(
    doc: &Value,
    ix: &Index,
    name: &str,
    users: &BTreeMap<String, String>,
) -> Value {
    let mut members: Vec<String> = ix
        .members(name)
        .into_iter()
        .map(|m| users.get(&m).cloned().unwrap_or(m))
        .collect();
    members.sort();
    serde_json::json!({
        "group": doc.pointer(&format!("/identity_center/groups/{}", token(name))),
        "members": members,
        "assignments": ix.assignments("group", name),
    })
}

/// A user as the similarity stage compares it: its attributes and own assignments, not its
/// groups (they may be renamed too) nor its membership ids.
fn user_definition(doc: &Value, ix: &Index, name: &str) -> Value {
    let body = user_attributes(doc, name);
    serde_json::json!({"user": body, "assignments": ix.assignments("user", name)})
}

/// What a renamed principal is, to tell whether it changed: compared between the old model
/// with every rename applied and the new model.
fn definition(doc: &Value, ix: &Index, r: &Rename) -> Value {
    let at = |pointer: String| doc.pointer(&pointer).cloned().unwrap_or(Value::Null);
    match r.kind {
        "account" => {
            let mut body = at(format!("/accounts/{}", token(&r.new)));
            if let Some(m) = body.as_object_mut() {
                // IAM entities are principals of their own, matched and reported apart.
                m.remove("iam");
            }
            body
        }
        "user" => Value::Array(vec![user_body(doc, &r.new), ix.assignments("user", &r.new)]),
        "group" => Value::Array(vec![
            at(format!("/identity_center/groups/{}", token(&r.new))),
            Value::from(ix.members(&r.new)),
            ix.assignments("group", &r.new),
        ]),
        kind => {
            let section = if kind == "iam-role" { "roles" } else { "users" };
            at(format!(
                "/accounts/{}/iam/{section}/{}",
                token(r.account.as_deref().unwrap_or_default()),
                token(&r.new)
            ))
        }
    }
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
            changed: false,
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
    let (source_ix, target_ix) = (Index::new(&source), Index::new(&target));
    let added_removed = |pointer: &str| {
        let (o, n) = (names(&source, pointer), names(&target, pointer));
        let removed: BTreeSet<String> = o.difference(&n).cloned().collect();
        let added: BTreeSet<String> = n.difference(&o).cloned().collect();
        (removed, added)
    };

    // Identity Center users, then groups (whose members are users, under their new names).
    let (mut removed, mut added) = added_removed("/identity_center/users");
    let mut pairs = Vec::new();
    let exact = pair(
        &removed,
        &added,
        |n| sso_user_signature(&source, &source_ix, n),
        |n| sso_user_signature(&target, &target_ix, n),
    );
    stage(&mut removed, &mut added, exact, &mut pairs);
    let email = |doc: &Value, n: &str| {
        doc.pointer(&format!("/identity_center/users/{}/email", token(n)))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let by_email = pair(
        &removed,
        &added,
        |n| email(&source, n),
        |n| email(&target, n),
    );
    stage(&mut removed, &mut added, by_email, &mut pairs);
    let similar = pair_similar(
        &removed,
        &added,
        |n| user_definition(&source, &source_ix, n),
        |n| user_definition(&target, &target_ix, n),
    );
    stage(&mut removed, &mut added, similar, &mut pairs);
    let users: BTreeMap<String, String> = pairs.into_iter().collect();
    for (o, n) in &users {
        rename_key(&mut doc, "/identity_center/users", o, n);
        rename_field(&mut doc, "/identity_center/assignments", "user", o, n);
        rename_assertions(&mut doc, "user", None, o, n);
        found.push(Rename {
            kind: "user",
            account: None,
            old: o.clone(),
            new: n.clone(),
            changed: false,
        });
    }
    let (mut removed, mut added) = added_removed("/identity_center/groups");
    let no_renames = BTreeMap::new();
    let mut groups = Vec::new();
    let exact = pair(
        &removed,
        &added,
        |n| group_signature(&source, &source_ix, n, &users),
        |n| group_signature(&target, &target_ix, n, &no_renames),
    );
    stage(&mut removed, &mut added, exact, &mut groups);
    let similar = pair_similar(
        &removed,
        &added,
        |n| group_definition(&source, &source_ix, n, &users),
        |n| group_definition(&target, &target_ix, n, &no_renames),
    );
    stage(&mut removed, &mut added, similar, &mut groups);
    for (o, n) in groups {
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
            changed: false,
        });
    }

    // IAM roles and users of each account in both models: same definition, other name;
    // then the most similar definition.
    let accounts: Vec<String> = names(&source, "/accounts")
        .intersection(&names(&target, "/accounts"))
        .cloned()
        .collect();
    for account in &accounts {
        for (kind, prefix) in [("role", "role"), ("user", "iam-user")] {
            let pointer = format!("/accounts/{}/iam/{kind}s", token(account));
            let (mut removed, mut added) = added_removed(&pointer);
            let body = |doc: &Value, name: &str| {
                doc.pointer(&format!("{pointer}/{}", token(name)))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            let mut pairs = Vec::new();
            let exact = pair(&removed, &added, |n| body(&source, n), |n| body(&target, n));
            stage(&mut removed, &mut added, exact, &mut pairs);
            let similar =
                pair_similar(&removed, &added, |n| body(&source, n), |n| body(&target, n));
            stage(&mut removed, &mut added, similar, &mut pairs);
            for (o, n) in pairs {
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
                    changed: false,
                });
            }
        }
    }
    if found.is_empty() {
        return (found, None);
    }
    let renamed_ix = Index::new(&doc);
    for r in &mut found {
        r.changed = definition(&doc, &renamed_ix, r) != definition(&target, &target_ix, r);
    }
    match Model::from_json(&doc.to_string()) {
        Ok(renamed) => {
            found.sort();
            (found, Some(renamed))
        }
        Err(_) => (Vec::new(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_is_twice_the_shared_tokens_over_all_tokens() {
        assert_eq!(dice(&[1, 2, 3], &[2, 3, 4]), 2.0 * 2.0 / 6.0);
        assert_eq!(dice(&[], &[]), 0.0);
        assert_eq!(dice(&[1], &[1]), 1.0);
    }

    #[test]
    fn tokens_ignore_array_order_and_policy_versions() {
        let a = serde_json::json!({"Version": "2012-10-17", "Action": ["s3:GetObject", "s3:PutObject"]});
        let b = serde_json::json!({"Version": "2008-10-17", "Action": ["s3:PutObject", "s3:GetObject"]});
        assert_eq!(tokens(&a), tokens(&b));
        assert_eq!(tokens(&a).len(), 2);
        // The same value under another key is another token.
        assert_ne!(
            tokens(&serde_json::json!({"a": "x"})),
            tokens(&serde_json::json!({"b": "x"}))
        );
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_string()).collect()
    }

    fn definitions(items: &[(&str, Value)]) -> impl Fn(&str) -> Value + use<> {
        let map: BTreeMap<String, Value> = items
            .iter()
            .map(|(n, v)| ((*n).to_string(), v.clone()))
            .collect();
        move |n: &str| map.get(n).cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn similar_definitions_pair_when_each_is_the_other_s_best_match() {
        let old = definitions(&[
            (
                "ci",
                serde_json::json!({"a": "1", "b": "2", "c": "3", "d": "4"}),
            ),
            ("web", serde_json::json!({"x": "1", "y": "2"})),
        ]);
        let new = definitions(&[
            (
                "deploy",
                serde_json::json!({"a": "1", "b": "2", "c": "3", "d": "5"}),
            ),
            ("audit", serde_json::json!({"p": "1", "q": "2"})),
        ]);
        assert_eq!(
            pair_similar(&set(&["ci", "web"]), &set(&["deploy", "audit"]), old, new),
            [("ci".to_string(), "deploy".to_string())]
        );
    }

    #[test]
    fn a_tie_for_the_best_match_pairs_nothing() {
        let old = definitions(&[("a", serde_json::json!({"k": "1", "l": "2"}))]);
        let new = definitions(&[
            ("b", serde_json::json!({"k": "1", "l": "3"})),
            ("c", serde_json::json!({"k": "1", "l": "4"})),
        ]);
        assert_eq!(
            pair_similar(&set(&["a"]), &set(&["b", "c"]), old, new),
            Vec::<(String, String)>::new()
        );
    }

    #[test]
    fn too_many_candidate_pairs_skip_the_similarity_stage() {
        let removed: BTreeSet<String> = (0..501).map(|i| format!("old-{i}")).collect();
        let added: BTreeSet<String> = (0..500).map(|i| format!("new-{i}")).collect();
        let same = |_: &str| serde_json::json!({"k": "v"});
        assert!(pair_similar(&removed, &added, same, same).is_empty());
    }
}
