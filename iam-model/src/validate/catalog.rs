//! Checks against the AWS service catalogue (`iam-catalog`): unknown services and actions
//! with "did you mean", wildcards that match nothing, deprecated actions, resource ARNs that
//! fit none of the actions' resource types, and condition keys the actions do not support.
//!
//! AWS itself accepts all of these (IAM stores any well-formed action name); they are the
//! typos and dead statements that otherwise surface only after deploying, or never.
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use iam_catalog::{ConditionKey as CatalogKey, KnownAction, ResourceType, Service};

use crate::policy::{Action, ActionClause, Resource, ResourceClause, Statement};
use crate::validate::Report;

/// Check every statement (with its JSON pointer) against the catalogue.
pub fn check_statements(statements: &[(String, Statement)], report: &mut Report) {
    for (path, statement) in statements {
        check_statement(statement, path, report);
    }
}

/// What a statement's actions resolve to in the catalogue.
struct Resolved {
    /// Every known action the `Action` element covers (wildcards expanded); empty for
    /// `NotAction` statements, where resource and condition checks do not apply.
    actions: BTreeSet<KnownAction>,
    /// Whether some action could not be resolved (unknown, `*`, unknown service): then
    /// resource and condition checks stay silent rather than guess.
    incomplete: bool,
}

/// Check one statement at `path`.
pub fn check_statement(statement: &Statement, path: &str, report: &mut Report) {
    let clause = statement.action();
    let element_path = format!("{path}/{}", clause.element());
    let mut resolved = Resolved {
        actions: BTreeSet::new(),
        incomplete: false,
    };
    for (suffix, action) in clause.values().iter_with_pointer() {
        let found = check_action(action, &format!("{element_path}{suffix}"), report);
        match found {
            Some(actions) if matches!(clause, ActionClause::Action(_)) => {
                resolved.actions.extend(actions)
            }
            _ => resolved.incomplete = true,
        }
    }
    if resolved.incomplete || resolved.actions.is_empty() {
        return;
    }
    if let Some(ResourceClause::Resource(resources)) = statement.resource() {
        check_resources(
            &resolved.actions,
            resources,
            &format!("{path}/Resource"),
            report,
        );
    }
    if let Some(condition) = statement.condition() {
        check_condition_keys(
            &resolved.actions,
            condition,
            &format!("{path}/Condition"),
            report,
        );
    }
}

/// Check an action named in a question rather than a policy (an assertion's `allowed` or
/// `denied` list, `simulate --action`, `who-can --action`): an invalid name, an unknown
/// service or action (with "did you mean") or a pattern that matches nothing is an error,
/// because an answer about an action that does not exist proves nothing.
///
/// ```
/// use iam_model::validate::catalog::check_action_name;
/// let report = check_action_name("iam:CreateUsr", "/assertions/0/denied/0");
/// let f = &report.findings()[0];
/// assert_eq!((f.code, f.path.as_str()), ("unknown-action", "/assertions/0/denied/0"));
/// assert_eq!(f.help, "did you mean `iam:CreateUser`?");
/// assert!(check_action_name("iam:CreateUser", "").is_empty());
/// ```
pub fn check_action_name(text: &str, path: &str) -> Report {
    let mut report = Report::new();
    match text.parse::<Action>() {
        Ok(action) => {
            check_action(&action, path, &mut report);
        }
        Err(e) => report.error(
            "invalid-action",
            path,
            e.to_string(),
            "write `service:ActionName`, e.g. `s3:GetObject`",
        ),
    }
    report
}

/// Resolve one action pattern, reporting problems; `None` when it cannot be resolved.
fn check_action(action: &Action, path: &str, report: &mut Report) -> Option<Vec<KnownAction>> {
    let service_text = action.service()?;
    if service_text.contains(['*', '?']) {
        let matched: Vec<KnownAction> = iam_catalog::expand(action.as_str()).collect();
        if matched.is_empty() {
            wildcard_matches_nothing(action, path, report);
            return None;
        }
        return Some(matched);
    }
    let Some(service) = Service::from_prefix(service_text) else {
        let suggestion = iam_catalog::closest_services(service_text, 1)
            .into_iter()
            .next()
            .map(|s| {
                let candidate = format!("{}:{}", s.prefix(), action.name());
                if action.has_wildcard() || KnownAction::lookup(&candidate).is_some() {
                    candidate
                } else {
                    iam_catalog::closest_actions(&candidate, 1)
                        .into_iter()
                        .next()
                        .map_or(candidate, KnownAction::full_name)
                }
            });
        report.error(
            "unknown-service",
            path,
            format!("`{service_text}` is not an AWS service prefix"),
            match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "see the Service Authorization Reference for service prefixes".to_string(),
            },
        );
        return None;
    };
    if service.is_retired() {
        // Retired services keep only the actions some source still described; any pattern
        // under them is dead, whether or not we know its name.
        deprecated(action.as_str(), service, path, report);
        return None;
    }
    if action.has_wildcard() {
        let matched: Vec<KnownAction> = iam_catalog::expand(action.as_str()).collect();
        if matched.is_empty() {
            wildcard_matches_nothing(action, path, report);
            return None;
        }
        if matched.iter().all(|a| a.is_deprecated()) {
            deprecated(action.as_str(), service, path, report);
        }
        return Some(matched);
    }
    let Some(known) = KnownAction::lookup(action.as_str()) else {
        // Suggest the closest names of the same service (a few hundred at most), keeping only
        // ties for the best, and only when they are close enough to be a typo.
        let wanted = action.name().to_ascii_lowercase();
        let scored: Vec<(usize, KnownAction)> = service
            .actions()
            .map(|a| {
                (
                    strsim::damerau_levenshtein(&wanted, &a.name().to_ascii_lowercase()),
                    a,
                )
            })
            .collect();
        let limit = (wanted.chars().count() / 3).max(2);
        let best = scored.iter().map(|(d, _)| *d).min().filter(|d| *d <= limit);
        let suggestions: Vec<String> = scored
            .iter()
            .filter(|(d, _)| Some(*d) == best)
            .take(3)
            .map(|(_, a)| format!("`{}`", a.full_name()))
            .collect();
        report.error(
            "unknown-action",
            path,
            format!(
                "`{}` is not an action of {} (`{}`)",
                action,
                service.name(),
                service.prefix()
            ),
            if suggestions.is_empty() {
                format!(
                    "run `iam-codegen catalog actions {}` to list its actions",
                    service.prefix()
                )
            } else {
                format!("did you mean {}?", suggestions.join(" or "))
            },
        );
        return None;
    };
    if known.is_deprecated() {
        deprecated(action.as_str(), service, path, report);
    }
    Some(vec![known])
}

fn wildcard_matches_nothing(action: &Action, path: &str, report: &mut Report) {
    report.error(
        "action-wildcard-matches-nothing",
        path,
        format!("`{action}` matches no AWS action"),
        "check the spelling; run `iam-codegen catalog expand` to see what a pattern covers",
    );
}

fn deprecated(text: &str, service: Service, path: &str, report: &mut Report) {
    let message = if service.is_retired() {
        format!(
            "`{text}` belongs to `{}`, a service AWS has retired",
            service.prefix()
        )
    } else {
        format!("`{text}` is no longer in the AWS Service Authorization Reference")
    };
    report.warning(
        "deprecated-action",
        path,
        message,
        "the action no longer grants anything; remove it or replace it with its successor",
    );
}

fn check_resources(
    actions: &BTreeSet<KnownAction>,
    resources: &crate::json::OneOrMany<Resource>,
    path: &str,
    report: &mut Report,
) {
    let arns = resources
        .iter()
        .filter(|r| matches!(r, Resource::Arn(_)))
        .count();
    if arns == 0 {
        return;
    }
    let mut types: Vec<ResourceType> = actions
        .iter()
        .flat_map(|a| a.resource_types().map(|(rt, _)| rt))
        .collect();
    types.sort_unstable();
    types.dedup();
    // A resource ARN that fits no resource type of any action in the statement grants
    // nothing: a typo, or a resource of another service.
    for (suffix, resource) in resources.iter_with_pointer() {
        let Resource::Arn(arn) = resource else {
            continue;
        };
        // Only a type whose pattern names the ARN's service can match it (cheap to compare,
        // unlike the full pattern match); a wildcard service may match any.
        let service = arn.service();
        let wild = service.contains(['*', '?']);
        if types
            .iter()
            .filter(|rt| {
                wild || pattern_service(rt.arn_pattern())
                    .is_none_or(|s| s == service || s.contains('$'))
            })
            .any(|rt| rt.matches_arn(arn.as_str()))
        {
            continue;
        }
        let names: Vec<String> = types.iter().take(4).map(|rt| format!("`{rt}`")).collect();
        let help = if types.is_empty() {
            "these actions do not take resource ARNs; use `\"Resource\": \"*\"` for them"
                .to_string()
        } else if types.len() > names.len() {
            format!(
                "the actions take {} and {} more resource types",
                names.join(", "),
                types.len() - names.len()
            )
        } else {
            format!("the actions take {}", names.join(", "))
        };
        report.warning(
            "resource-type-mismatch",
            format!("{path}{suffix}"),
            format!("`{arn}` matches none of the resource types of the statement's actions"),
            help,
        );
    }
}

/// Resolve a condition key as written to the catalogue's key, case-insensitively. Templated
/// keys (`aws:RequestTag/${TagKey}`, `kms:EncryptionContext:${EncryptionContextKey}`) match
/// any key that starts with the part before the template, whatever the tag key holds (tag
/// keys such as `ebs.csi.aws.com/cluster` or `aws:secretsmanager:owningService` contain `/`
/// and `:`); the longest such prefix wins.
struct KeyIndex {
    exact: HashMap<String, CatalogKey>,
    // Longest prefixes first, so the most specific template comes first.
    templates: Vec<(String, CatalogKey)>,
}

fn key_index() -> &'static KeyIndex {
    static INDEX: OnceLock<KeyIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut exact = HashMap::new();
        let mut templates = Vec::new();
        for k in CatalogKey::all() {
            let name = k.name();
            exact.insert(name.to_ascii_lowercase(), k);
            if let Some(stem) = k.template_stem() {
                templates.push((stem.to_ascii_lowercase(), k));
            }
        }
        templates.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        KeyIndex { exact, templates }
    })
}

/// The service segment of an ARN pattern (`arn:${Partition}:s3:::…` → `s3`).
fn pattern_service(pattern: &str) -> Option<&str> {
    pattern.split(':').nth(2)
}

/// The catalogue keys that cover a key as written: the key of that exact name and every
/// templated key whose stem it starts with (`secretsmanager:ResourceTag/x` is covered by both
/// `…/${TagKey}` and `…/tag-key`). Computed once per written key, so that the actions' keys are
/// then compared by identity.
fn covering_keys(written: &str) -> Vec<CatalogKey> {
    let lower = written.to_ascii_lowercase();
    let index = key_index();
    let mut keys: Vec<CatalogKey> = index.exact.get(&lower).copied().into_iter().collect();
    keys.extend(
        index
            .templates
            .iter()
            .filter(|(prefix, _)| lower.len() > prefix.len() && lower.starts_with(prefix.as_str()))
            .map(|(_, k)| *k),
    );
    keys
}

fn check_condition_keys(
    actions: &BTreeSet<KnownAction>,
    condition: &crate::policy::Condition,
    path: &str,
    report: &mut Report,
) {
    for (op, keys) in condition.iter() {
        for (key, _) in keys.iter() {
            // Built only when there is a finding to report.
            let key_path = || {
                format!(
                    "{path}/{}/{}",
                    crate::json::pointer_token(&op.to_string()),
                    crate::json::pointer_token(key.as_str())
                )
            };
            let prefix = key.prefix();
            let covering = covering_keys(key.as_str());
            let resolved = covering.first().copied();
            if prefix.eq_ignore_ascii_case("aws") {
                if resolved.is_none() {
                    report.warning(
                        "unsupported-condition-key",
                        key_path(),
                        format!("`{key}` is not a global condition key"),
                        "check the spelling against \"AWS global condition context keys\"; a key that is never in the request makes the condition fail",
                    );
                }
                continue;
            }
            // Keys of identity providers (`token.actions.githubusercontent.com:sub`, `saml:aud`)
            // are not in the catalogue; only service keys are checked.
            if Service::from_prefix(prefix).is_none() {
                continue;
            }
            let supported = resolved.is_some_and(|k| {
                k.is_global()
                    || actions.iter().any(|a| {
                        a.condition_keys().any(|ak| covering.contains(&ak))
                            || a.resource_types()
                                .any(|(rt, _)| rt.condition_keys().any(|rk| covering.contains(&rk)))
                    })
            });
            if !supported {
                report.warning(
                    "unsupported-condition-key",
                    key_path(),
                    match resolved {
                        Some(_) => format!("none of the statement's actions supports the condition key `{key}`"),
                        None => format!("`{key}` is not a condition key of `{prefix}`"),
                    },
                    "a key that is never in the request makes the condition fail (or, with IfExists, do nothing); run `iam-codegen catalog action` to see each action's keys",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::PolicyKind;
    use crate::validate::check_policy_json;

    fn findings(statement: &str) -> Vec<(String, String, String)> {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        check_policy_json(&text, PolicyKind::Identity)
            .unwrap()
            .findings()
            .iter()
            .map(|f| (f.code.to_string(), f.path.clone(), f.help.clone()))
            .collect()
    }

    #[test]
    fn misspelled_action_gets_the_closest_names() {
        let f = findings(r#"{"Effect":"Allow","Action":"s3:GetObjet","Resource":"*"}"#);
        assert_eq!(
            f,
            vec![(
                "unknown-action".into(),
                "/Statement/0/Action".into(),
                "did you mean `s3:GetObject`?".into()
            )]
        );
    }

    #[test]
    fn misspelled_service_gets_the_closest_service() {
        let f = findings(r#"{"Effect":"Allow","Action":["dyanmodb:PutItem"],"Resource":"*"}"#);
        assert_eq!(
            f,
            vec![(
                "unknown-service".into(),
                "/Statement/0/Action/0".into(),
                "did you mean `dynamodb:PutItem`?".into()
            )]
        );
    }

    #[test]
    fn wildcard_that_matches_nothing() {
        let f = findings(r#"{"Effect":"Allow","Action":"s3:Gett*","Resource":"*"}"#);
        assert_eq!(f[0].0, "action-wildcard-matches-nothing");
        assert_eq!(f[0].1, "/Statement/0/Action");
    }

    #[test]
    fn retired_service_is_deprecated_not_unknown() {
        let f = findings(r#"{"Effect":"Allow","Action":"evidently:GetLaunch","Resource":"*"}"#);
        assert_eq!(
            f.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
            vec!["deprecated-action"]
        );
    }

    #[test]
    fn patterns_under_a_retired_service_are_deprecated() {
        for action in ["deeplens:*", "deepracer:Add*", "zocalo:Describe*"] {
            let f = findings(&format!(
                r#"{{"Effect":"Allow","Action":"{action}","Resource":"*"}}"#
            ));
            assert_eq!(
                f.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
                vec!["deprecated-action"],
                "{action}"
            );
        }
    }

    #[test]
    fn resource_of_another_service_is_a_mismatch() {
        let f = findings(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:dynamodb:us-east-1:111122223333:table/t"]}"#,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].0.as_str(), f[0].1.as_str()),
            ("resource-type-mismatch", "/Statement/0/Resource/1")
        );
    }

    #[test]
    fn arn_for_an_action_without_resource_types_is_a_mismatch() {
        let f = findings(
            r#"{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::b"}"#,
        );
        assert_eq!(
            f[0].2,
            "these actions do not take resource ARNs; use `\"Resource\": \"*\"` for them"
        );
        assert_eq!(
            (f[0].0.as_str(), f[0].1.as_str()),
            ("resource-type-mismatch", "/Statement/0/Resource")
        );
    }

    #[test]
    fn unsupported_and_unknown_condition_keys() {
        let f = findings(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"ec2:InstanceType":"t3.micro","aws:usernmae":"a","s3:ExistingObjectTag/team":"x","aws:PrincipalTag/team":"y"}}}"#,
        );
        let codes: Vec<(&str, &str)> = f.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect();
        assert_eq!(
            codes,
            vec![
                (
                    "unsupported-condition-key",
                    "/Statement/0/Condition/StringEquals/ec2:InstanceType"
                ),
                (
                    "unsupported-condition-key",
                    "/Statement/0/Condition/StringEquals/aws:usernmae"
                ),
            ]
        );
    }
}
