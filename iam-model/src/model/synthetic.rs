//! Synthetic organizations for benchmarks and tests: deterministic, valid, any size.
use std::collections::BTreeMap;

use crate::model::iam::{Iam, ManagedPolicy, Role};
use crate::model::names::{
    AccountName, InlinePolicyName, PermissionSetName, PolicyName, RoleName, UnitPath,
};
use crate::model::org::{Environment, Organization, Unit};
use crate::model::sso::{
    Assignment, AssignmentPrincipal, CustomerPolicyRef, IdentityCenter, PermissionSet,
    SessionDuration, SsoGroup, SsoUser,
};
use crate::model::{Account, Budget, BudgetTimeUnit, Model};
use crate::policy::kind::{Identity, PermissionSet as PermissionSetKind, Trust};
use crate::policy::{AccountId, Action, Policy, Principal, Resource, Statement};

const ENVIRONMENTS: [Environment; 5] = [
    Environment::Development,
    Environment::Testing,
    Environment::Staging,
    Environment::Production,
    Environment::Sandbox,
];

/// An action from a literal of this file; every literal is well formed.
fn action(text: &str) -> Action {
    text.parse().unwrap_or_else(|_| Action::any())
}

fn unit_name(env: &Environment) -> String {
    let name = env.as_str();
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A valid organization of the given size, the same every time:
///
/// - a `management` account (id `100000000000`) holding IAM Identity Center, and
///   `accounts` member accounts `account-0001`, … (ids `100000000001`, …) spread over the OUs
///   `Workloads/Development`, `Workloads/Testing`, `Workloads/Staging`,
///   `Workloads/Production` and `Workloads/Sandbox`; sandbox accounts have a budget;
/// - in each member account a customer managed policy `Baseline` and a role `deploy`
///   trusted by the management account, with an inline policy;
/// - `permission_sets` permission sets `PermissionSet001`, … (1 to 12 hours, `ReadOnlyAccess`,
///   an inline policy; every other one names `Baseline` as a customer managed policy);
/// - `groups` groups `Group-0001`, …, and `users` users `user00001@example.com`, … each in
///   one group (round robin);
/// - `assignments` assignments: assignment `i` gives group `i mod groups` permission set
///   `i mod permission_sets` in account `i mod accounts`; every 100th is to a whole OU.
///
/// Sets whose counts are zero are left out (with no permission sets or groups, no
/// assignments are made).
///
/// ```
/// use iam_model::model::synthetic::organization;
/// let model = organization(10, 4, 3, 20, 50);
/// assert_eq!(model.accounts().len(), 11);
/// assert_eq!(model.identity_center().map(|ic| ic.assignments().len()), Some(50));
/// assert!(iam_model::validate::validate(&model).is_empty());
/// ```
pub fn organization(
    accounts: usize,
    permission_sets: usize,
    groups: usize,
    users: usize,
    assignments: usize,
) -> Model {
    let management = AccountName::from_static("management");
    let management_id = AccountId::from_static("100000000000");
    let mut workloads = Unit::new();
    for env in &ENVIRONMENTS {
        workloads = workloads.unit(unit_name(env), Unit::new());
    }
    let organization = Organization::new(management.clone()).unit("Workloads", workloads);

    let read = Policy::<Identity>::builder()
        .statement(
            Statement::builder()
                .sid("ReadLogs")
                .allow()
                .action(action("logs:Get*"))
                .action(action("logs:Describe*"))
                .resource(Resource::Any)
                .build(),
        )
        .build();
    let trust = Policy::<Trust>::builder()
        .statement(
            Statement::trust()
                .allow()
                .principal(Principal::account(management_id))
                .action(action("sts:AssumeRole"))
                .build(),
        )
        .build();

    let mut model = Model::builder(organization).account(
        management.clone(),
        Account::builder(management_id, "aws@example.com", Environment::Management).build(),
    );
    let mut account_names = Vec::with_capacity(accounts);
    for i in 1..=accounts {
        let name: AccountName = match format!("account-{i:04}").parse() {
            Ok(n) => n,
            Err(_) => continue,
        };
        let id: AccountId = match format!("{:012}", 100_000_000_000_u64 + i as u64).parse() {
            Ok(id) => id,
            Err(_) => continue,
        };
        let env = ENVIRONMENTS
            .get(i % ENVIRONMENTS.len())
            .cloned()
            .unwrap_or(Environment::Development);
        let unit = UnitPath::top("Workloads").and_then(|w| w.child(&unit_name(&env)));
        let iam = Iam::new()
            .policy(
                PolicyName::from_static("Baseline"),
                ManagedPolicy::builder(read.clone()).build(),
            )
            .role(
                RoleName::from_static("deploy"),
                Role::builder()
                    .trust_policy(trust.clone())
                    .inline_policy(InlinePolicyName::from_static("Read"), read.clone())
                    .build(),
            );
        let mut builder = Account::builder(id, format!("aws+{name}@example.com"), env.clone())
            .tag("Environment", env.as_str())
            .iam(iam);
        if let Ok(unit) = unit {
            builder = builder.unit(unit);
        }
        if env == Environment::Sandbox {
            builder = builder.budget(
                Budget::new(100, BudgetTimeUnit::Monthly).threshold(80, ["finance@example.com"]),
            );
        }
        model = model.account(name.clone(), builder.build());
        account_names.push(name);
    }

    let ps_inline = Policy::<PermissionSetKind>::builder()
        .statement(
            Statement::builder()
                .sid("DenyBilling")
                .deny()
                .action(action("aws-portal:*"))
                .resource(Resource::Any)
                .build(),
        )
        .build();
    let mut ic = IdentityCenter::new(management).sso(
        crate::model::SsoSettings::default()
            .start_url(crate::model::StartUrl::from_static(
                "https://d-9067c0ffee.awsapps.com/start",
            ))
            .region(crate::model::Region::from_static("eu-west-1")),
    );
    let mut set_names = Vec::with_capacity(permission_sets);
    for i in 1..=permission_sets {
        let Ok(name) = format!("PermissionSet{i:03}").parse::<PermissionSetName>() else {
            continue;
        };
        let hours = u32::try_from(i % 12).unwrap_or(0) * 60 + 60;
        let mut set = PermissionSet::builder()
            .description(format!("Synthetic permission set {i}"))
            .session_duration(SessionDuration::from_minutes(hours).unwrap_or_default())
            .aws_managed_policy("ReadOnlyAccess")
            .inline_policy(ps_inline.clone());
        if i % 2 == 0 {
            set = set.customer_managed_policy(CustomerPolicyRef::new(PolicyName::from_static(
                "Baseline",
            )));
        }
        ic = ic.permission_set(name.clone(), set.build());
        set_names.push(name);
    }
    let group_names: Vec<String> = (1..=groups).map(|i| format!("Group-{i:04}")).collect();
    for name in &group_names {
        ic = ic.group(name.clone(), SsoGroup::described("Synthetic group"));
    }
    let mut user_map = BTreeMap::new();
    for i in 1..=users {
        let mut user = SsoUser::new(
            format!("User{i}"),
            "Synthetic",
            format!("user{i:05}@example.com"),
        );
        if let Some(group) = group_names.get(i % groups.max(1)) {
            user = user.in_group(group.clone());
        }
        user_map.insert(format!("user{i:05}@example.com"), user);
    }
    ic.users = user_map;
    if !set_names.is_empty() && !group_names.is_empty() && !account_names.is_empty() {
        let units: Vec<UnitPath> = ENVIRONMENTS
            .iter()
            .filter_map(|e| {
                UnitPath::top("Workloads")
                    .and_then(|w| w.child(&unit_name(e)))
                    .ok()
            })
            .collect();
        for i in 0..assignments {
            let (Some(group), Some(set), Some(account)) = (
                group_names.get(i % group_names.len()),
                set_names.get(i % set_names.len()),
                account_names.get(i % account_names.len()),
            ) else {
                continue;
            };
            let assignment =
                Assignment::new(AssignmentPrincipal::Group(group.clone()), set.clone());
            let assignment = match units.get(i % units.len()) {
                Some(unit) if i % 100 == 99 => assignment.unit(unit.clone()),
                _ => assignment.account(account.clone()),
            };
            ic = ic.assignment(assignment);
        }
    }
    model.identity_center(ic).build()
}
