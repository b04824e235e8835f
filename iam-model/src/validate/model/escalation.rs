//! Privilege escalation: whether a principal that is not an admin can give itself more
//! permissions through one of the known escalation methods, decided by the model's own
//! evaluator ([`ModelEvaluator`]) so that wildcards (`iam:*`, `*`), `NotAction`, conditions,
//! permissions boundaries and SCPs count.
//!
//! The methods are Rhino Security Labs' list ("AWS IAM Privilege Escalation – Methods and
//! Mitigation", <https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>),
//! by the names of Pacu's `iam__privesc_scan` (`RhinoSecurityLabs/pacu`,
//! `modules/privesc_scan/main.py`), which Cloudsplaining and PMapper check as well
//! (`salesforce/cloudsplaining`, `docs/glossary/privilege-escalation.md`). Each step is asked
//! on a resource the principal's policies do not name: a user, group, role, policy, function,
//! dev endpoint, stack or pipeline called `iam-codegen-probe` in the principal's account, so a
//! policy scoped to its own user (`${aws:username}`), to named roles or to `dev-*` functions
//! does not count, and `iam:PassRole` is asked with `iam:PassedToService` set to the service
//! of the method. The model holds no Lambda functions or Glue dev endpoints: the two methods
//! that take over an existing one (`lambda:UpdateFunctionCode`, `glue:UpdateDevEndpoint`)
//! count only in an account where the model has a role that `lambda.amazonaws.com`
//! (`glue.amazonaws.com`) may assume, the role such a function or endpoint runs as. So
//! `PowerUserAccess` alone, the seeds' developer permission set for development and sandbox
//! accounts, is not reported: it cannot pass or change roles. Requests carry
//! `aws:MultiFactorAuthPresent` = `true` and `aws:RequestedRegion` (`us-east-1`), as the
//! access matrix's probes do.
//!
//! Only the principal's own account is asked (for a permission set, each account where it is
//! provisioned): escalation into another account's roles is not looked for.
use std::collections::{BTreeMap, BTreeSet};

use crate::eval::model::{DEFAULT_REGION, ModelEvaluator, ModelPrincipal, Query, requested_region};
use crate::eval::{Evaluation, Layer};
use crate::model::Model;
use crate::model::names::AccountName;
use crate::policy::{Effect, Principal, PrincipalClause};
use crate::validate::Report;

/// One request of a method: an action on a resource (`{account}` and `{region}` replaced),
/// and for `iam:PassRole` the service the role is passed to.
struct Step {
    action: &'static str,
    resource: &'static str,
    passed_to: Option<&'static str>,
    /// The method rewrites the role's trust policy first (`iam:UpdateAssumeRolePolicy`), so
    /// the trust policy as the model has it does not count: the step holds when only the
    /// resource-based policy keeps it from being allowed.
    after_trust_rewrite: bool,
}

/// A known escalation method: every step allowed means the principal can escalate.
struct Method {
    /// Pacu's name of the method.
    name: &'static str,
    steps: &'static [Step],
    /// For a method that takes over an existing function or endpoint, the service principal
    /// its role trusts: the method counts only where the model has such a role.
    takes_over: Option<&'static str>,
}

const fn step(action: &'static str, resource: &'static str) -> Step {
    Step {
        action,
        resource,
        passed_to: None,
        after_trust_rewrite: false,
    }
}

const fn pass_role(service: &'static str) -> Step {
    Step {
        action: "iam:PassRole",
        resource: "arn:aws:iam::{account}:role/iam-codegen-probe",
        passed_to: Some(service),
        after_trust_rewrite: false,
    }
}

const USER: &str = "arn:aws:iam::{account}:user/iam-codegen-probe";
const GROUP: &str = "arn:aws:iam::{account}:group/iam-codegen-probe";
const ROLE: &str = "arn:aws:iam::{account}:role/iam-codegen-probe";
const POLICY: &str = "arn:aws:iam::{account}:policy/iam-codegen-probe";
const FUNCTION: &str = "arn:aws:lambda:{region}:{account}:function:iam-codegen-probe";
const DEV_ENDPOINT: &str = "arn:aws:glue:{region}:{account}:devEndpoint/iam-codegen-probe";

/// The methods, in Rhino Security Labs' order (1 to 21).
const METHODS: [Method; 21] = [
    Method {
        takes_over: None,
        name: "CreateNewPolicyVersion",
        steps: &[step("iam:CreatePolicyVersion", POLICY)],
    },
    Method {
        takes_over: None,
        name: "SetExistingDefaultPolicyVersion",
        steps: &[step("iam:SetDefaultPolicyVersion", POLICY)],
    },
    Method {
        takes_over: None,
        name: "CreateEC2WithExistingIP",
        steps: &[
            pass_role("ec2.amazonaws.com"),
            step(
                "ec2:RunInstances",
                "arn:aws:ec2:{region}:{account}:instance/*",
            ),
        ],
    },
    Method {
        takes_over: None,
        name: "CreateAccessKey",
        steps: &[step("iam:CreateAccessKey", USER)],
    },
    Method {
        takes_over: None,
        name: "CreateLoginProfile",
        steps: &[step("iam:CreateLoginProfile", USER)],
    },
    Method {
        takes_over: None,
        name: "UpdateLoginProfile",
        steps: &[step("iam:UpdateLoginProfile", USER)],
    },
    Method {
        takes_over: None,
        name: "AttachUserPolicy",
        steps: &[step("iam:AttachUserPolicy", USER)],
    },
    Method {
        takes_over: None,
        name: "AttachGroupPolicy",
        steps: &[step("iam:AttachGroupPolicy", GROUP)],
    },
    Method {
        takes_over: None,
        name: "AttachRolePolicy",
        steps: &[step("iam:AttachRolePolicy", ROLE)],
    },
    Method {
        takes_over: None,
        name: "PutUserPolicy",
        steps: &[step("iam:PutUserPolicy", USER)],
    },
    Method {
        takes_over: None,
        name: "PutGroupPolicy",
        steps: &[step("iam:PutGroupPolicy", GROUP)],
    },
    Method {
        takes_over: None,
        name: "PutRolePolicy",
        steps: &[step("iam:PutRolePolicy", ROLE)],
    },
    Method {
        takes_over: None,
        name: "AddUserToGroup",
        steps: &[step("iam:AddUserToGroup", GROUP)],
    },
    Method {
        takes_over: None,
        name: "UpdateRolePolicyToAssumeIt",
        steps: &[
            step("iam:UpdateAssumeRolePolicy", ROLE),
            Step {
                action: "sts:AssumeRole",
                resource: ROLE,
                passed_to: None,
                after_trust_rewrite: true,
            },
        ],
    },
    Method {
        takes_over: None,
        name: "PassExistingRoleToNewLambdaThenInvoke",
        steps: &[
            pass_role("lambda.amazonaws.com"),
            step("lambda:CreateFunction", FUNCTION),
            step("lambda:InvokeFunction", FUNCTION),
        ],
    },
    Method {
        takes_over: None,
        name: "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
        steps: &[
            pass_role("lambda.amazonaws.com"),
            step("lambda:CreateFunction", FUNCTION),
            step(
                "lambda:CreateEventSourceMapping",
                "arn:aws:lambda:{region}:{account}:event-source-mapping:iam-codegen-probe",
            ),
        ],
    },
    Method {
        takes_over: Some("lambda.amazonaws.com"),
        name: "EditExistingLambdaFunctionWithRole",
        steps: &[step("lambda:UpdateFunctionCode", FUNCTION)],
    },
    Method {
        takes_over: None,
        name: "PassExistingRoleToNewGlueDevEndpoint",
        steps: &[
            pass_role("glue.amazonaws.com"),
            step("glue:CreateDevEndpoint", DEV_ENDPOINT),
        ],
    },
    Method {
        takes_over: Some("glue.amazonaws.com"),
        name: "UpdateExistingGlueDevEndpoint",
        steps: &[step("glue:UpdateDevEndpoint", DEV_ENDPOINT)],
    },
    Method {
        takes_over: None,
        name: "PassExistingRoleToCloudFormation",
        steps: &[
            pass_role("cloudformation.amazonaws.com"),
            step(
                "cloudformation:CreateStack",
                "arn:aws:cloudformation:{region}:{account}:stack/iam-codegen-probe/*",
            ),
        ],
    },
    Method {
        takes_over: None,
        name: "PassExistingRoleToNewDataPipeline",
        steps: &[
            pass_role("datapipeline.amazonaws.com"),
            step("datapipeline:CreatePipeline", "*"),
            step("datapipeline:PutPipelineDefinition", "*"),
        ],
    },
];

/// Every action of a method, once. A method is asked about only when, for each of its
/// actions, some `Allow` statement of the principal's policies covers it (whatever the
/// resource and condition): the evaluator is not asked what no statement could allow.
pub(super) const ACTIONS: [&str; 25] = [
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:PassRole",
    "ec2:RunInstances",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "sts:AssumeRole",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "lambda:CreateEventSourceMapping",
    "lambda:UpdateFunctionCode",
    "glue:CreateDevEndpoint",
    "glue:UpdateDevEndpoint",
    "cloudformation:CreateStack",
    "datapipeline:CreatePipeline",
    "datapipeline:PutPipelineDefinition",
];

/// A principal to check: where to report it, how to name it, in which accounts it acts,
/// and which of [`ACTIONS`] some statement of its policies may allow.
pub(super) struct Candidate<'m> {
    pub(super) path: String,
    pub(super) what: String,
    pub(super) principal: ModelPrincipal,
    /// The accounts to ask in: the IAM entity's own account, or every account for a
    /// permission set (those where it is not provisioned give no path).
    pub(super) accounts: Vec<&'m AccountName>,
    pub(super) may: BTreeSet<&'static str>,
}

impl Method {
    fn possible(&self, may: &BTreeSet<&'static str>) -> bool {
        self.steps.iter().all(|s| may.contains(s.action))
    }

    fn combination(&self) -> String {
        self.steps
            .iter()
            .map(|s| format!("`{}`", s.action))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// What one method found for a principal: the accounts where every step is allowed, and
/// the identity-policy statements that allowed them, by policy and index, with the way
/// every command names a statement ([`crate::eval::StatementMatch`]'s `Display`).
#[derive(Default)]
struct Found<'m> {
    accounts: Vec<&'m AccountName>,
    statements: BTreeSet<(String, usize, String)>,
}

/// Report `privilege-escalation` once per candidate that can complete a method in some
/// account. The evaluator is built only when some candidate's policies mention every
/// action of a method.
pub(super) fn check(model: &Model, candidates: &[Candidate<'_>], report: &mut Report) {
    let mut evaluator: Option<ModelEvaluator<'_>> = None;
    for c in candidates {
        let methods: Vec<&Method> = METHODS.iter().filter(|m| m.possible(&c.may)).collect();
        if methods.is_empty() {
            continue;
        }
        let evaluator = evaluator.get_or_insert_with(|| ModelEvaluator::new(model));
        let found = find(evaluator, c, &methods);
        if found.is_empty() {
            continue;
        }
        report.warning(
            "privilege-escalation",
            c.path.clone(),
            format!(
                "{} is not an admin but can raise its own privileges: {}",
                c.what,
                describe(&found, c.accounts.len() > 1)
            ),
            "each combination is a known privilege-escalation method (Rhino Security Labs, \"AWS IAM Privilege Escalation – Methods and Mitigation\"; the names are Pacu's `iam__privesc_scan`): it lets the principal write or attach policies, create credentials for others, or hand a role with more permissions to a service it controls; scope the actions to the ARNs the job needs (`iam:PassRole` to named roles with `iam:PassedToService`, Lambda and Glue actions to the team's own functions and endpoints), require a permissions boundary (`iam:PermissionsBoundary`), or keep them for admins; to keep it, add an `allow_findings` entry with the reason",
        );
    }
}

fn find<'m>(
    evaluator: &ModelEvaluator<'m>,
    c: &Candidate<'m>,
    methods: &[&Method],
) -> Vec<(&'static str, String, Found<'m>)> {
    let mut found: BTreeMap<usize, Found<'m>> = BTreeMap::new();
    for &account in &c.accounts {
        let Ok(paths) = evaluator.paths(&c.principal, account.as_str()) else {
            continue;
        };
        if paths.is_empty() {
            continue;
        }
        let Some(id) = evaluator.model().account(account.as_str()).map(|a| a.id()) else {
            continue;
        };
        let id = id.to_string();
        for (i, method) in methods.iter().enumerate() {
            if method
                .takes_over
                .is_some_and(|service| !has_service_role(evaluator.model(), account, service))
            {
                continue;
            }
            let queries: Vec<Query> = method
                .steps
                .iter()
                .map(|s| query(account.as_str(), &id, s))
                .collect();
            let mut statements = BTreeSet::new();
            let mut all = true;
            let outcomes = evaluator.evaluate_all(&paths, &queries);
            for (step, outcome) in method.steps.iter().zip(outcomes) {
                let allowing: Vec<_> = outcome
                    .iter()
                    .flat_map(|o| o.paths())
                    .filter(|p| holds(step, &p.evaluation))
                    .collect();
                if allowing.is_empty() {
                    all = false;
                    break;
                }
                for p in allowing {
                    statements.extend(
                        p.evaluation
                            .allowed_by()
                            .filter(|m| m.layer == Layer::Identity)
                            .map(|m| (m.policy.to_string(), m.statement, m.to_string())),
                    );
                }
            }
            if all {
                let f = found.entry(i).or_default();
                f.accounts.push(account);
                f.statements.extend(statements);
            }
        }
    }
    found
        .into_iter()
        .filter_map(|(i, f)| methods.get(i).map(|m| (m.name, m.combination(), f)))
        .collect()
}

/// Whether a step is allowed on a path (see [`Step::after_trust_rewrite`]).
fn holds(step: &Step, evaluation: &Evaluation<'_>) -> bool {
    evaluation.decision().is_allowed()
        || (step.after_trust_rewrite
            && evaluation.blocked_by() == Some(Layer::Resource)
            && evaluation.denied_by().next().is_none())
}

/// Whether the model has a role in the account that `service` may assume.
fn has_service_role(model: &Model, account: &AccountName, service: &str) -> bool {
    model.account(account.as_str()).is_some_and(|a| {
        a.iam().roles().values().any(|role| {
            role.trust_policy()
                .document()
                .statements()
                .iter()
                .any(|s| {
                    s.effect() == Effect::Allow
                        && matches!(s.principal(), Some(PrincipalClause::Principal(Principal::Typed(m)))
                            if m.service.as_ref().is_some_and(|v| v.iter().any(|p| p.as_str().eq_ignore_ascii_case(service))))
                })
        })
    })
}

fn query(account: &str, id: &str, s: &Step) -> Query {
    let resource = s
        .resource
        .replace("{account}", id)
        .replace("{region}", DEFAULT_REGION);
    let q = Query::new(account, s.action, resource)
        .context(
            "aws:RequestedRegion",
            requested_region(s.action, DEFAULT_REGION),
        )
        .context("aws:MultiFactorAuthPresent", "true");
    match s.passed_to {
        Some(service) => q.context("iam:PassedToService", service),
        None => q,
    }
}

/// The methods found, with the statements that allow them, and with the accounts when the
/// candidate acts in several; methods with the same accounts and statements are listed
/// together, in method order.
fn describe(found: &[(&'static str, String, Found<'_>)], accounts: bool) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (name, combination, f) in found {
        let statements = f
            .statements
            .iter()
            .map(|(_, _, statement)| statement.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let place = match f.accounts.as_slice() {
            _ if !accounts => String::new(),
            [] => String::new(),
            [one] => format!(" in `{one}`"),
            [first, other] => format!(" in `{first}` and `{other}`"),
            [first, rest @ ..] => format!(" in `{first}` and {} other accounts", rest.len()),
        };
        let tail = format!("{place}, allowed by {statements}");
        let method = format!("{combination} ({name})");
        match groups.iter_mut().find(|(t, _)| *t == tail) {
            Some((_, methods)) => methods.push(method),
            None => groups.push((tail, vec![method])),
        }
    }
    groups
        .into_iter()
        .map(|(tail, methods)| format!("{}{tail}", methods.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_of_a_method_is_listed_once() {
        let listed: BTreeSet<&str> = ACTIONS.iter().copied().collect();
        assert_eq!(listed.len(), ACTIONS.len());
        let used: BTreeSet<&str> = METHODS
            .iter()
            .flat_map(|m| m.steps.iter().map(|s| s.action))
            .collect();
        assert_eq!(used, listed);
    }

    #[test]
    fn methods_with_the_same_accounts_and_statements_are_listed_together() {
        fn found<'m>(accounts: Vec<&'m AccountName>, statement: &str) -> Found<'m> {
            Found {
                accounts,
                statements: BTreeSet::from([(
                    "P".to_string(),
                    0,
                    format!("Identity `P` statement {statement}"),
                )]),
            }
        }
        let (a, b, c) = (
            AccountName::from_static("dev-a"),
            AccountName::from_static("dev-b"),
            AccountName::from_static("dev-c"),
        );
        let found = vec![
            ("One", "`a:One`".to_string(), found(vec![&a, &b, &c], "0")),
            ("Two", "`a:Two`".to_string(), found(vec![&a], "1")),
            (
                "Three",
                "`a:Three`".to_string(),
                found(vec![&a, &b, &c], "0"),
            ),
        ];
        assert_eq!(
            describe(&found, true),
            "`a:One` (One), `a:Three` (Three) in `dev-a` and 2 other accounts, allowed by Identity `P` statement 0; `a:Two` (Two) in `dev-a`, allowed by Identity `P` statement 1"
        );
        assert_eq!(
            describe(&found[1..2], false),
            "`a:Two` (Two), allowed by Identity `P` statement 1"
        );
    }
}
