//! Drift: what is live differs from the model, both ways.
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::json::pointer_token;
use crate::model::Model;
use crate::model::file::{AssignmentFile, ModelFile, encode};

use super::{ExportFiles, ImportError, import};

/// One difference between the model and what is live.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DriftItem {
    /// The JSON pointer into the model file (for `extra`, where it would be).
    pub path: String,
    /// `extra` (live, not in the model), `missing` (in the model, not live) or `changed`.
    pub code: &'static str,
    /// What differs, in one line.
    pub message: String,
}

/// The differences, and what could not be compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Every difference, by path.
    pub items: Vec<DriftItem>,
    /// Parts of the model the export does not cover (accounts whose IAM was not exported,
    /// Identity Center without `sso-admin/`), so not compared.
    pub not_compared: Vec<String>,
}

/// Compare a model with an export of what is live (the layout of [`super::import`]):
/// entities that exist on one side only, attachments added or removed by hand, and changed
/// values, with policy documents compared in canonical form (statement lists, single values
/// and lists, the order of actions, resources and condition values, and the case of action
/// names do not count). What the export cannot show is not compared: tags of accounts, OUs
/// and organization policies, budgets, environments, assertions, SAML providers, and the
/// model names of OIDC providers (they are matched by URL). Assignments are compared per
/// account, OUs expanded.
///
/// ```
/// let model = iam_model::model::synthetic::organization(2, 1, 1, 1, 1);
/// let files = iam_model::import::export_of(&model);
/// assert!(iam_model::import::drift(&model, &files)?.items.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The export cannot be imported ([`ImportError`]).
pub fn drift(model: &Model, files: &ExportFiles) -> Result<Drift, ImportError> {
    let live = import(files)?.model;
    let mut want = encode(model);
    let mut have = encode(&live);
    let mut not_compared = Vec::new();

    // Accounts are matched by id: the live name may differ from the model's.
    let live_by_id: BTreeMap<String, String> = have
        .accounts
        .iter()
        .map(|(n, a)| (a.id.clone(), n.clone()))
        .collect();
    let exported: BTreeSet<String> = files
        .keys()
        .filter_map(|k| k.strip_prefix("iam/")?.strip_suffix(".json"))
        .filter(|id| !id.contains('/'))
        .map(str::to_string)
        .collect();
    let has_org = files.contains_key("organizations/organization.json");
    let mut renamed = BTreeMap::new();
    for (name, account) in &mut want.accounts {
        if let Some(live_name) = live_by_id.get(&account.id) {
            renamed.insert(live_name.clone(), name.clone());
        }
        if !exported.contains(&account.id) {
            if !account.iam.is_empty() {
                not_compared.push(format!(
                    "the IAM of account `{name}` ({}): not in the export",
                    account.id
                ));
            }
            if let Some(live_name) = live_by_id.get(&account.id)
                && let Some(live) = have.accounts.get_mut(live_name)
            {
                live.iam = account.iam.clone();
            }
        }
    }
    have.accounts = std::mem::take(&mut have.accounts)
        .into_iter()
        .map(|(n, a)| (renamed.get(&n).cloned().unwrap_or(n), a))
        .collect();
    if !has_org {
        // One account's export: only that account is compared.
        want.accounts.retain(|_, a| exported.contains(&a.id));
        want.organization = have.organization.clone();
        not_compared.push("the organization and IAM Identity Center: not in the export".into());
        want.identity_center = None;
        have.identity_center = None;
        if let (Some((name, _)), Some(live)) = (
            want.accounts.iter().next(),
            have.accounts.values().next().cloned(),
        ) {
            have.accounts = BTreeMap::from([(name.clone(), live)]);
        }
    } else if !files.contains_key("sso-admin/instances.json") && want.identity_center.is_some() {
        not_compared.push("IAM Identity Center: not in the export".into());
        have.identity_center = want.identity_center.clone();
    }
    if let (Some(w), Some(h)) = (&want.identity_center, &mut have.identity_center)
        && !files.contains_key("sso-admin/settings.json")
    {
        not_compared.push(
            "the AWS access portal URL and the Identity Center region: not in the export (`sso-admin/settings.json`)".into(),
        );
        h.start_url.clone_from(&w.start_url);
        h.region.clone_from(&w.region);
    }
    let grants_want = grants(model);
    let grants_have = grants(&live);
    normalize(&mut want);
    normalize(&mut have);
    let mut items = Vec::new();
    let a = serde_json::to_value(&want).unwrap_or(Value::Null);
    let b = serde_json::to_value(&have).unwrap_or(Value::Null);
    walk("", Some(&a), Some(&b), &mut items);
    // Assignments, per account with OUs expanded.
    for g in grants_want.difference(&grants_have) {
        items.push(DriftItem {
            path: "/identity_center/assignments".into(),
            code: "missing",
            message: format!("assignment {g} is in the model but not live"),
        });
    }
    for g in grants_have.difference(&grants_want) {
        items.push(DriftItem {
            path: "/identity_center/assignments".into(),
            code: "extra",
            message: format!("assignment {g} is live but not in the model"),
        });
    }
    items.sort();
    Ok(Drift {
        items,
        not_compared,
    })
}

/// `group `G` → `SET` in account `ID`` for every grant, by account id.
fn grants(model: &Model) -> BTreeSet<String> {
    model
        .grants()
        .iter()
        .filter_map(|g| {
            let id = model.account(g.account.as_str())?.id();
            Some(format!(
                "{} → `{}` in account {id}",
                g.principal, g.permission_set
            ))
        })
        .collect()
}

/// Drop what the export cannot show and write defaults out, on both sides alike.
fn normalize(f: &mut ModelFile) {
    f.schema = None;
    f.assertions.clear();
    fn units(u: &mut BTreeMap<String, crate::model::file::UnitFile>) {
        for unit in u.values_mut() {
            unit.tags.clear();
            units(&mut unit.units);
        }
    }
    units(&mut f.organization.units);
    for p in f
        .organization
        .scps
        .values_mut()
        .chain(f.organization.rcps.values_mut())
    {
        // Ids are AWS's handles, not access: a model without them, or with older ones of a
        // policy recreated since, has not drifted.
        p.id = None;
        p.tags.clear();
        p.description = p.description.take().filter(|d| !d.is_empty());
    }
    for a in f.accounts.values_mut() {
        // Whether the template creates the account is a deploy choice, not a live fact.
        a.create = false;
        a.tags.clear();
        a.budget = None;
        a.environment = String::new();
        a.iam.saml_providers.clear();
        a.iam.oidc_providers = std::mem::take(&mut a.iam.oidc_providers)
            .into_values()
            .map(|p| (p.host().to_string(), p))
            .collect();
        for r in a.iam.roles.values_mut() {
            r.max_session_duration = r.max_session_duration.filter(|s| *s != 3600);
            r.path = r.path.take().filter(|p| p != "/");
        }
    }
    if let Some(ic) = &mut f.identity_center {
        // The AWS CLI profiles' settings live on the users' machines, not in AWS.
        ic.sso_session = None;
        ic.profile_region = None;
        ic.profile_output = None;
        ic.assignments = Vec::<AssignmentFile>::new();
        for s in ic.permission_sets.values_mut() {
            s.session_duration = s.session_duration.take().filter(|d| d != "PT1H");
        }
        for u in ic.users.values_mut() {
            u.groups.sort();
            u.membership_ids.clear();
        }
    }
}

fn is_policy(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or_default();
    let parent = parts.next().unwrap_or_default();
    matches!(last, "document" | "trust_policy" | "inline_policy") || parent == "inline_policies"
}

/// A policy document in canonical form: `Statement` a list; `Action`, `Resource`,
/// `Principal` and condition values as sorted, deduplicated lists; action names lowercased.
fn canonical(v: &Value) -> Value {
    fn list(v: &Value, lower: bool) -> Value {
        let mut items: Vec<String> = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            other => return other.clone(),
        };
        if lower {
            items.iter_mut().for_each(|s| *s = s.to_ascii_lowercase());
        }
        items.sort();
        items.dedup();
        Value::Array(items.into_iter().map(Value::String).collect())
    }
    let statements = match v.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let statements: Vec<Value> = statements
        .iter()
        .map(|s| {
            let Value::Object(s) = s else {
                return s.clone();
            };
            let mut out = Map::new();
            for (k, v) in s {
                let v = match k.as_str() {
                    "Action" | "NotAction" => list(v, true),
                    "Resource" | "NotResource" => list(v, false),
                    "Principal" | "NotPrincipal" => match v {
                        Value::Object(m) => Value::Object(
                            m.iter().map(|(t, x)| (t.clone(), list(x, false))).collect(),
                        ),
                        other => other.clone(),
                    },
                    "Condition" => match v {
                        Value::Object(ops) => Value::Object(
                            ops.iter()
                                .map(|(op, keys)| {
                                    let keys = match keys {
                                        Value::Object(keys) => Value::Object(
                                            keys.iter()
                                                .map(|(k, x)| {
                                                    (k.to_ascii_lowercase(), list(x, false))
                                                })
                                                .collect(),
                                        ),
                                        other => other.clone(),
                                    };
                                    (op.clone(), keys)
                                })
                                .collect(),
                        ),
                        other => other.clone(),
                    },
                    _ => v.clone(),
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        })
        .collect();
    let mut out = Map::new();
    out.insert(
        "Version".into(),
        v.get("Version").cloned().unwrap_or(Value::Null),
    );
    out.insert("Statement".into(), Value::Array(statements));
    Value::Object(out)
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn walk(path: &str, want: Option<&Value>, have: Option<&Value>, out: &mut Vec<DriftItem>) {
    // A list the model file leaves out is an empty list.
    let empty = Value::Array(Vec::new());
    let (want, have) = match (want, have) {
        (None, Some(Value::Array(_))) => (Some(&empty), have),
        (Some(Value::Array(_)), None) => (want, Some(&empty)),
        other => other,
    };
    let name = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~");
    match (want, have) {
        (None, None) => {}
        (Some(Value::Null), None) | (None, Some(Value::Null)) => {}
        // A flag or value the model file leaves out when it has its default.
        (Some(v), None) if !v.is_object() => out.push(DriftItem {
            path: path.to_string(),
            code: "changed",
            message: format!("`{name}`: the model has {}, live has none", short(v)),
        }),
        (None, Some(v)) if !v.is_object() => out.push(DriftItem {
            path: path.to_string(),
            code: "changed",
            message: format!("`{name}`: the model has none, live has {}", short(v)),
        }),
        (Some(_), None) => out.push(DriftItem {
            path: path.to_string(),
            code: "missing",
            message: format!("`{name}` is in the model but not live"),
        }),
        (None, Some(_)) => out.push(DriftItem {
            path: path.to_string(),
            code: "extra",
            message: format!("`{name}` is live but not in the model"),
        }),
        (Some(a), Some(b)) if a == b => {}
        (Some(a), Some(b)) if is_policy(path) => {
            if canonical(a) != canonical(b) {
                out.push(DriftItem {
                    path: path.to_string(),
                    code: "changed",
                    message: format!(
                        "the policy differs: the model has {}, live has {}",
                        serde_json::to_string(&canonical(a)).unwrap_or_default(),
                        serde_json::to_string(&canonical(b)).unwrap_or_default()
                    ),
                });
            }
        }
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                walk(
                    &format!("{path}/{}", pointer_token(k)),
                    a.get(k),
                    b.get(k),
                    out,
                );
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            // Lists in a model file are sets: attachments, memberships, targets.
            for x in a.iter().filter(|x| !b.contains(x)) {
                out.push(DriftItem {
                    path: path.to_string(),
                    code: "missing",
                    message: format!("{} is in the model's `{name}` but not live", short(x)),
                });
            }
            for x in b.iter().filter(|x| !a.contains(x)) {
                out.push(DriftItem {
                    path: path.to_string(),
                    code: "extra",
                    message: format!("{} is live in `{name}` but not in the model", short(x)),
                });
            }
        }
        (Some(a), Some(b)) => out.push(DriftItem {
            path: path.to_string(),
            code: "changed",
            message: format!(
                "`{name}`: the model has {}, live has {}",
                short(a),
                short(b)
            ),
        }),
    }
}
