//! Laws of the policy language, checked on generated policies: printing and parsing give back
//! an equal policy, the canonical form is idempotent, the size counter agrees with the compact
//! form, and the checker never panics, whatever JSON it is given.
use iam_model::PolicyKind;
use iam_model::policy::kind::{Identity, Trust};
use iam_model::policy::size::aws_size;
use iam_model::policy::{Kind, Policy};
use iam_model::validate::{check_policy, check_policy_json};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Valid policies, generated as JSON.

/// A value written alone when there is one and `single` says so, else as a list.
fn one_or_many(values: Vec<Value>, single: bool) -> Value {
    if single && values.len() == 1 {
        values.into_iter().next().unwrap()
    } else {
        Value::Array(values)
    }
}

fn arb_one_or_many<S: Strategy<Value = Value>>(
    item: S,
    max: usize,
) -> impl Strategy<Value = Value> {
    (proptest::collection::vec(item, 1..=max), any::<bool>())
        .prop_map(|(values, single)| one_or_many(values, single))
}

fn arb_action() -> impl Strategy<Value = Value> {
    let service = prop_oneof![
        Just("s3"),
        Just("ec2"),
        Just("iam"),
        Just("execute-api"),
        Just("dynamodb"),
        Just("logs"),
        Just("S3"),
    ];
    let name = prop_oneof![
        Just("*".to_string()),
        "[A-Z][a-zA-Z]{0,10}",
        "[A-Z][a-z]{0,5}\\*",
        "[A-Z][a-z]{0,3}\\?[a-z]{0,3}",
        "Get[A-Z][a-z]{1,4}_[a-z]{1,3}",
    ];
    prop_oneof![
        1 => Just(Value::from("*")),
        8 => (service, name).prop_map(|(s, n)| Value::from(format!("{s}:{n}"))),
    ]
}

fn arb_resource() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just("*".to_string()),
        "arn:aws:s3:::[a-z][a-z0-9-]{2,10}(/[a-z*?]{0,6})?",
        "[a-z]{1,5}".prop_map(|p| format!("arn:aws:s3:::home/${{aws:username}}/{p}/*")),
        Just("arn:aws:s3:::team-${aws:PrincipalTag/team, 'company-wide'}/*".to_string()),
        Just("arn:aws:iam::*:user/${aws:username}".to_string()),
        "[0-9]{12}".prop_map(|a| format!("arn:aws:iam::{a}:role/deploy-*")),
        "[0-9a-f]{8}".prop_map(|i| format!("arn:aws:ec2:eu-west-1:111122223333:instance/i-{i}")),
        Just("arn:aws:dynamodb:*:*:table/orders?".to_string()),
        Just("arn:aws-cn:logs:cn-north-1:111122223333:log-group:/app/*:*".to_string()),
        Just("arn:aws:iam::${aws:PrincipalAccount}:role/${aws:PrincipalTag/role}".to_string()),
    ]
    .prop_map(Value::from)
}

/// Condition keys: global keys, service keys, tag keys (with `/`, escaped in JSON pointers).
fn arb_condition_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("aws:SourceIp".to_string()),
        Just("aws:PrincipalOrgID".to_string()),
        Just("s3:prefix".to_string()),
        Just("ec2:InstanceType".to_string()),
        "[a-z]{1,6}(~[a-z]{1,3})?".prop_map(|t| format!("aws:RequestTag/{t}")),
        "[A-Za-z]{1,8}".prop_map(|t| format!("aws:ResourceTag/{t}")),
    ]
}

/// An operator name (every family, with qualifiers and `IfExists`) and a strategy for values
/// of its type.
fn arb_operator_and_values() -> impl Strategy<Value = (String, Value)> {
    let string_value = prop_oneof![
        "[a-zA-Z0-9 ./*?-]{0,10}".prop_map(Value::from),
        "[a-zéü]{1,6}".prop_map(Value::from),
        Just(Value::from("${aws:username}")),
        Just(Value::from("team-${aws:PrincipalTag/team, 'none'}")),
        any::<bool>().prop_map(Value::from),
        (0u32..1000).prop_map(Value::from),
    ];
    let numeric_value = prop_oneof![
        (0u32..100_000).prop_map(Value::from),
        (-1000i64..1000).prop_map(|n| Value::from(n.to_string())),
        (0.0f64..1e6).prop_map(|x| json!(x)),
    ];
    let date_value = prop_oneof![
        (2000u32..2100, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| Value::from(format!("{y:04}-{m:02}-{d:02}T12:00:00Z"))),
        (0u64..4_000_000_000).prop_map(|s| Value::from(s.to_string())),
        Just(Value::from("2024-06-01")),
    ];
    let bool_value = prop_oneof![
        any::<bool>().prop_map(Value::from),
        Just(Value::from("true")),
        Just(Value::from("false")),
    ];
    let ip_value = prop_oneof![
        (0u8..=255, 0u8..=255, 0u8..=32)
            .prop_map(|(a, b, n)| Value::from(format!("10.{a}.{b}.0/{n}"))),
        Just(Value::from("203.0.113.7")),
        Just(Value::from("2001:db8::/32")),
    ];
    let arn_value = prop_oneof![
        "[a-z-]{1,8}\\*?".prop_map(|r| Value::from(format!("arn:aws:iam::111122223333:role/{r}"))),
        Just(Value::from("arn:aws:sns:*:111122223333:alerts")),
    ];
    let binary_value = Just(Value::from("QmluYXJ5IGRhdGE="));

    let qualifier = prop_oneof![
        4 => Just(""),
        1 => Just("ForAllValues:"),
        1 => Just("ForAnyValue:"),
    ];
    let string_ops = prop_oneof![
        Just("StringEquals"),
        Just("StringNotEquals"),
        Just("StringEqualsIgnoreCase"),
        Just("StringNotEqualsIgnoreCase"),
        Just("StringLike"),
        Just("StringNotLike"),
    ];
    let numeric_ops = prop_oneof![
        Just("NumericEquals"),
        Just("NumericNotEquals"),
        Just("NumericLessThan"),
        Just("NumericLessThanEquals"),
        Just("NumericGreaterThan"),
        Just("NumericGreaterThanEquals"),
    ];
    let date_ops = prop_oneof![
        Just("DateEquals"),
        Just("DateNotEquals"),
        Just("DateLessThan"),
        Just("DateLessThanEquals"),
        Just("DateGreaterThan"),
        Just("DateGreaterThanEquals"),
    ];
    let arn_ops = prop_oneof![
        Just("ArnEquals"),
        Just("ArnLike"),
        Just("ArnNotEquals"),
        Just("ArnNotLike"),
    ];
    let ip_ops = prop_oneof![Just("IpAddress"), Just("NotIpAddress")];

    let family = prop_oneof![
        (string_ops, arb_one_or_many(string_value, 3)).prop_map(|(o, v)| (o, v, true)),
        (numeric_ops, arb_one_or_many(numeric_value, 3)).prop_map(|(o, v)| (o, v, true)),
        (date_ops, arb_one_or_many(date_value, 2)).prop_map(|(o, v)| (o, v, true)),
        (Just("Bool"), arb_one_or_many(bool_value.clone(), 1)).prop_map(|(o, v)| (o, v, true)),
        (Just("BinaryEquals"), arb_one_or_many(binary_value, 2)).prop_map(|(o, v)| (o, v, true)),
        (ip_ops, arb_one_or_many(ip_value, 3)).prop_map(|(o, v)| (o, v, true)),
        (arn_ops, arb_one_or_many(arn_value, 2)).prop_map(|(o, v)| (o, v, true)),
        // AWS defines no `NullIfExists`.
        (Just("Null"), arb_one_or_many(bool_value, 1)).prop_map(|(o, v)| (o, v, false)),
    ];
    (qualifier, family, any::<bool>()).prop_map(
        |(qualifier, (operator, values, can_if_exist), if_exists)| {
            let suffix = if if_exists && can_if_exist {
                "IfExists"
            } else {
                ""
            };
            (format!("{qualifier}{operator}{suffix}"), values)
        },
    )
}

fn arb_condition() -> impl Strategy<Value = Value> {
    proptest::collection::vec(
        (
            arb_operator_and_values(),
            proptest::collection::vec(arb_condition_key(), 1..3),
        ),
        1..4,
    )
    .prop_map(|blocks| {
        let mut condition = Map::new();
        for ((operator, values), keys) in blocks {
            let block: Map<String, Value> = keys.into_iter().map(|k| (k, values.clone())).collect();
            condition.insert(operator, Value::Object(block));
        }
        Value::Object(condition)
    })
}

/// A statement of an identity policy, as JSON.
fn arb_identity_statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        any::<bool>(),
        arb_one_or_many(arb_action(), 4),
        any::<bool>(),
        arb_one_or_many(arb_resource(), 3),
        proptest::option::of(arb_condition()),
    )
        .prop_map(
            |(allow, not_action, actions, not_resource, resources, condition)| {
                let mut s = Map::new();
                s.insert(
                    "Effect".into(),
                    Value::from(if allow { "Allow" } else { "Deny" }),
                );
                let action = if not_action { "NotAction" } else { "Action" };
                s.insert(action.into(), actions);
                let resource = if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                };
                s.insert(resource.into(), resources);
                if let Some(c) = condition {
                    s.insert("Condition".into(), c);
                }
                Value::Object(s)
            },
        )
}

fn arb_principal() -> impl Strategy<Value = Value> {
    let aws = prop_oneof![
        "[0-9]{12}".prop_map(Value::from),
        "[0-9]{12}".prop_map(|a| Value::from(format!("arn:aws:iam::{a}:root"))),
        "[a-z][a-z0-9-]{0,10}"
            .prop_map(|r| Value::from(format!("arn:aws:iam::111122223333:role/{r}"))),
        Just(Value::from(
            "arn:aws:sts::111122223333:assumed-role/admin/alice"
        )),
    ];
    let service = prop_oneof![
        Just(Value::from("ec2.amazonaws.com")),
        Just(Value::from("lambda.amazonaws.com")),
        Just(Value::from("states.eu-west-1.amazonaws.com")),
    ];
    let federated = prop_oneof![
        Just(Value::from(
            "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
        )),
        Just(Value::from("arn:aws:iam::111122223333:saml-provider/Okta")),
        Just(Value::from("accounts.google.com")),
    ];
    prop_oneof![
        1 => Just(Value::from("*")),
        3 => arb_one_or_many(aws, 3).prop_map(|v| json!({"AWS": v})),
        2 => arb_one_or_many(service, 2).prop_map(|v| json!({"Service": v})),
        1 => arb_one_or_many(federated, 1).prop_map(|v| json!({"Federated": v})),
    ]
}

/// A statement of a role trust policy, as JSON.
fn arb_trust_statement() -> impl Strategy<Value = Value> {
    let action = prop_oneof![
        Just("sts:AssumeRole"),
        Just("sts:AssumeRoleWithSAML"),
        Just("sts:AssumeRoleWithWebIdentity"),
        Just("sts:TagSession"),
        Just("sts:SetSourceIdentity"),
        Just("sts:AssumeRole*"),
    ]
    .prop_map(Value::from);
    (
        any::<bool>(),
        arb_principal(),
        arb_one_or_many(action, 3),
        proptest::option::of(arb_condition()),
    )
        .prop_map(|(allow, principal, actions, condition)| {
            let mut s = Map::new();
            s.insert(
                "Effect".into(),
                Value::from(if allow { "Allow" } else { "Deny" }),
            );
            s.insert("Principal".into(), principal);
            s.insert("Action".into(), actions);
            if let Some(c) = condition {
                s.insert("Condition".into(), c);
            }
            Value::Object(s)
        })
}

/// A whole policy from statements: version (or none), Sids (unique, or none), one statement
/// object or a list.
fn arb_document(statement: impl Strategy<Value = Value>) -> impl Strategy<Value = String> {
    (
        prop_oneof![
            6 => Just(Some("2012-10-17")),
            1 => Just(Some("2008-10-17")),
            1 => Just(None),
        ],
        proptest::collection::vec((statement, proptest::option::of("[A-Za-z0-9]{1,8}")), 1..5),
        any::<bool>(),
    )
        .prop_map(|(version, statements, single)| {
            let statements: Vec<Value> = statements
                .into_iter()
                .enumerate()
                .map(|(i, (mut s, sid))| {
                    if let (Some(sid), Value::Object(map)) = (sid, &mut s) {
                        // The index keeps Sids unique.
                        map.insert("Sid".into(), Value::from(format!("{sid}{i}")));
                    }
                    s
                })
                .collect();
            let mut policy = Map::new();
            if let Some(v) = version {
                policy.insert("Version".into(), Value::from(v));
            }
            policy.insert("Statement".into(), one_or_many(statements, single));
            serde_json::to_string_pretty(&Value::Object(policy)).unwrap()
        })
}

/// An arbitrary valid identity policy.
fn arb_policy() -> impl Strategy<Value = Policy<Identity>> {
    arb_document(arb_identity_statement()).prop_map(|text| {
        Policy::<Identity>::from_json(&text)
            .unwrap_or_else(|e| panic!("generated an invalid policy: {e}\n{text}"))
    })
}

/// An arbitrary valid role trust policy.
fn arb_trust_policy() -> impl Strategy<Value = Policy<Trust>> {
    arb_document(arb_trust_statement()).prop_map(|text| {
        Policy::<Trust>::from_json(&text)
            .unwrap_or_else(|e| panic!("generated an invalid trust policy: {e}\n{text}"))
    })
}

fn round_trips<K: Kind>(policy: &Policy<K>) -> Result<(), TestCaseError> {
    let pretty = policy.to_json_pretty();
    let compact = policy.to_json_compact();
    prop_assert_eq!(&Policy::<K>::from_json(&pretty).unwrap(), policy);
    prop_assert_eq!(&Policy::<K>::from_json(&compact).unwrap(), policy);
    // Printing is a function of the policy: printing the re-read policy gives the same bytes.
    prop_assert_eq!(
        Policy::<K>::from_json(&pretty).unwrap().to_json_pretty(),
        pretty.clone()
    );

    let canonical = policy.clone().canonical();
    prop_assert_eq!(&canonical.clone().canonical(), &canonical);
    prop_assert_eq!(
        &Policy::<K>::from_json(&canonical.to_json_pretty()).unwrap(),
        &canonical
    );
    // Canonicalising changes only the form, never the content.
    let content = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
    prop_assert_eq!(
        Policy::<K>::from_json(&policy.to_json_compact())
            .unwrap()
            .canonical(),
        canonical.clone()
    );

    prop_assert_eq!(aws_size(&pretty), compact.chars().count());
    prop_assert_eq!(aws_size(&compact), compact.chars().count());
    prop_assert_eq!(policy.document().size(), compact.chars().count());
    prop_assert_eq!(content(&pretty), content(&compact));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Arbitrary JSON with policy-ish keys, duplicates included.

/// A JSON tree whose objects may repeat a key (which `serde_json::Value` cannot hold).
#[derive(Debug, Clone)]
enum Tree {
    Leaf(Value),
    List(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl Tree {
    fn render(&self, out: &mut String) {
        match self {
            Tree::Leaf(v) => out.push_str(&v.to_string()),
            Tree::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.render(out);
                }
                out.push(']');
            }
            Tree::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(key.as_str()).to_string());
                    out.push(':');
                    value.render(out);
                }
                out.push('}');
            }
        }
    }
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop_oneof![
            Just("Version"), Just("Id"), Just("Statement"), Just("Sid"), Just("Effect"),
            Just("Principal"), Just("NotPrincipal"), Just("Action"), Just("NotAction"),
            Just("Resource"), Just("NotResource"), Just("Condition"), Just("AWS"),
            Just("Service"), Just("Federated"), Just("CanonicalUser"), Just("StringEquals"),
            Just("ForAnyValue:StringLike"), Just("ForAllValues:ArnLikeIfExists"),
            Just("NumericLessThanIfExists"), Just("DateGreaterThan"), Just("IpAddress"),
            Just("Bool"), Just("BinaryEquals"), Just("Null"), Just("NullIfExists"),
            Just("aws:SourceIp"), Just("aws:RequestTag/a~b"), Just("s3:prefix"),
        ]
        .prop_map(str::to_string),
        1 => "\\PC{0,8}",
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|x| json!(x)),
        prop_oneof![
            Just("*"),
            Just("2012-10-17"),
            Just("2008-10-17"),
            Just("Allow"),
            Just("Deny"),
            Just("s3:GetObject"),
            Just("sts:AssumeRole"),
            Just("arn:aws:s3:::b/${aws:username}"),
            Just("arn:aws:s3:::b/${aws:username"),
            Just("${"),
            Just("${}"),
            Just("arn:"),
            Just("arn:aws:iam::111122223333:role/x*"),
            Just("111122223333"),
            Just("ec2.amazonaws.com"),
            Just("10.0.0.0/33"),
            Just("QmluYXJ5"),
            Just("true"),
            Just("ä→☃"),
            Just(""),
        ]
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

fn arb_tree() -> impl Strategy<Value = Tree> {
    arb_leaf()
        .prop_map(Tree::Leaf)
        .prop_recursive(5, 96, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Tree::List),
                proptest::collection::vec((arb_key(), inner), 0..6).prop_map(Tree::Object),
            ]
        })
}

/// Mostly objects at the top, as policies are.
fn arb_json_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec((arb_key(), arb_tree()), 0..6).prop_map(Tree::Object),
        1 => arb_tree(),
    ]
    .prop_map(|tree| {
        let mut text = String::new();
        tree.render(&mut text);
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn identity_policies_round_trip(policy in arb_policy()) {
        round_trips(&policy)?;
    }

    #[test]
    fn trust_policies_round_trip(policy in arb_trust_policy()) {
        round_trips(&policy)?;
    }

    #[test]
    fn valid_policies_have_no_grammar_errors(text in arb_document(arb_identity_statement())) {
        // The generated action names are well-formed but mostly not real AWS actions; the
        // catalogue's findings about them are tested with real names below.
        let report = check_policy_json(&text, PolicyKind::AwsManaged).unwrap();
        let catalogue = ["unknown-action", "unknown-service", "action-wildcard-matches-nothing"];
        let errors: Vec<_> = report.errors().filter(|f| !catalogue.contains(&f.code)).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    #[test]
    fn real_actions_have_no_error_findings(
        actions in proptest::collection::vec(0..iam_catalog::KnownAction::all().len(), 1..8),
        single in any::<bool>(),
    ) {
        let names: Vec<Value> = actions
            .into_iter()
            .filter_map(|i| iam_catalog::KnownAction::all().nth(i))
            .map(|a| Value::from(a.full_name()))
            .collect();
        let statement = serde_json::json!({"Effect": "Allow", "Action": one_or_many(names, single), "Resource": "*"});
        let text = serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}).to_string();
        let report = check_policy_json(&text, PolicyKind::Identity).unwrap();
        let errors: Vec<_> = report.errors().collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    #[test]
    fn checking_never_panics(text in arb_json_text()) {
        for kind in PolicyKind::ALL {
            // Either a report or a JSON error; both are fine, a panic is not.
            if let Ok(report) = check_policy_json(&text, kind) {
                for finding in report.findings() {
                    prop_assert!(!finding.code.is_empty());
                    prop_assert!(finding.path.is_empty() || finding.path.starts_with('/'));
                }
            }
        }
        if let Ok(raw) = serde_json::from_str::<iam_model::raw::Policy>(&text) {
            for kind in PolicyKind::ALL {
                let _ = check_policy(&raw, kind, "/policies/0");
            }
        }
        let _ = Policy::<Identity>::from_json(&text);
        let _ = Policy::<Trust>::from_json(&text);
    }
}
