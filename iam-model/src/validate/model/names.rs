//! Names: OU and Identity Center names, uniqueness (IAM names ignore case; account ids and
//! emails are unique in an organization), well-formed emails, and collisions of the logical
//! ids and Terraform names the emitters derive from names.
use std::collections::BTreeMap;
use std::fmt;

use crate::fast_hash::{FastMap, FastSet};
use crate::model::AssignmentPrincipal;
use crate::model::Model;
use crate::model::Unit;
use crate::model::names::{EntityKind, UnitPath, composite_logical_id, logical_id, terraform_name};
use crate::validate::Report;

use super::{account_path, at, email_ok};

fn units(units: &BTreeMap<String, Unit>, base: &str, report: &mut Report) {
    for (name, unit) in units {
        let path = at(&format!("{base}/units"), name);
        if let Err(e) = UnitPath::check_segment(name) {
            report.error(
                "invalid-name",
                path.clone(),
                e.to_string(),
                "an OU name is 1 to 128 characters without `/` (`CreateOrganizationalUnit`)",
            );
        }
        self::units(unit.units(), &path, report);
    }
}

/// Names that must be unique ignoring case: report every later one at its path.
fn case_insensitive<'a>(
    kind: &str,
    base: &str,
    names: impl Iterator<Item = &'a str>,
    report: &mut Report,
) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for name in names {
        let folded = name.to_lowercase();
        if let Some(first) = seen.get(&folded) {
            report.error(
                "duplicate-name",
                at(base, name),
                format!("the {kind} `{name}` differs from `{first}` only in case"),
                "IAM names of users, groups, roles and instance profiles are unique in an account regardless of case (\"IAM and AWS STS quotas\")",
            );
        } else {
            seen.insert(folded, name);
        }
    }
}

fn emails(model: &Model, report: &mut Report) {
    let mut ids = BTreeMap::new();
    let mut seen = BTreeMap::new();
    for (name, account) in model.accounts() {
        let base = account_path(name.as_str());
        if let Some(first) = ids.insert(account.id(), name) {
            // Keep the first owner so later duplicates all point at it.
            ids.insert(account.id(), first);
            report.error(
                "duplicate-account-id",
                format!("{base}/id"),
                format!(
                    "account id `{}` is also the id of account `{first}`",
                    account.id()
                ),
                "each AWS account has its own 12-digit id",
            );
        }
        let email = account.email();
        // "CreateAccount" Email: 6 to 64 characters.
        if !email_ok(email) || email.len() < 6 || email.len() > 64 {
            report.error(
                "invalid-email",
                format!("{base}/email"),
                format!("`{email}` is not a valid account email"),
                "an account email is an address of 6 to 64 characters such as `aws-prod@example.com`",
            );
        } else if let Some(first) = seen.get(&email.to_lowercase()) {
            report.error(
                "duplicate-email",
                format!("{base}/email"),
                format!("`{email}` is also the email of account `{first}`"),
                "AWS Organizations needs a different root email for each account; plus addressing (`aws+prod@example.com`) helps",
            );
        } else {
            seen.insert(email.to_lowercase(), name);
        }
        if let Some(budget) = account.budget() {
            for (i, t) in budget.thresholds.iter().enumerate() {
                for (j, s) in t.subscribers.iter().enumerate() {
                    if !email_ok(s) {
                        report.error(
                            "invalid-email",
                            format!("{base}/budget/thresholds/{i}/subscribers/{j}"),
                            format!("`{s}` is not a valid email address"),
                            "budget alerts go to email addresses such as `finance@example.com`",
                        );
                    }
                }
            }
        }
    }
}

fn identity_center(model: &Model, report: &mut Report) {
    let Some(ic) = model.identity_center() else {
        return;
    };
    let mut seen = BTreeMap::new();
    for (name, user) in ic.users() {
        let base = at("/identity_center/users", name);
        // Identity Store `CreateUser` UserName: 1 to 128 characters, no white space or controls.
        if name.is_empty()
            || name.chars().count() > 128
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            report.error(
                "invalid-name",
                base.clone(),
                format!("invalid Identity Center user name `{name}`"),
                "a user name is 1 to 128 characters without white space (Identity Store `CreateUser`)",
            );
        }
        if !email_ok(&user.email) {
            report.error(
                "invalid-email",
                format!("{base}/email"),
                format!("`{}` is not a valid email address", user.email),
                "Identity Center sends the invitation and one-time passwords to this address",
            );
        } else if let Some(first) = seen.get(&user.email.to_lowercase()) {
            report.error(
                "duplicate-email",
                format!("{base}/email"),
                format!("`{}` is also the email of user `{first}`", user.email),
                "each Identity Center user needs their own email address; shared identities defeat auditing",
            );
        } else {
            seen.insert(user.email.to_lowercase(), name);
        }
    }
    for name in ic.groups().keys() {
        // Identity Store `CreateGroup` DisplayName: 1 to 1,024 characters (its characters are
        // checked with the other free text, `invalid-characters`).
        if name.is_empty() || name.chars().count() > 1024 {
            report.error(
                "invalid-name",
                at("/identity_center/groups", name),
                format!("invalid Identity Center group name `{name}`"),
                "a group display name is 1 to 1,024 characters (Identity Store `CreateGroup`)",
            );
        }
    }
}

/// Where an entity is in the model file: `at(base, name)`, or a path of its own (OUs).
/// Made into text only for a finding.
#[derive(Clone, Copy)]
enum Place<'a> {
    At(&'a str),
    Unit(&'a str),
}

/// Entities that end up in one template, with their kind, name and place.
struct Template<'a> {
    entities: Vec<(EntityKind, &'a str, Place<'a>)>,
}

impl<'a> Template<'a> {
    fn collisions(&self, report: &mut Report) {
        let mut ids: FastMap<String, (EntityKind, &str)> = FastMap::default();
        let mut tf: FastMap<String, (EntityKind, &str)> = FastMap::default();
        for &(kind, name, place) in &self.entities {
            let id = logical_id(kind, name);
            let t = terraform_name(kind, name);
            let clash = match (ids.get(&id), tf.get(&t)) {
                (Some(first), _) => Some((first, format!("CloudFormation logical id `{id}`"))),
                (None, Some(first)) => Some((first, format!("Terraform name `{t}`"))),
                (None, None) => None,
            };
            match clash {
                // Reported as `duplicate-name` already.
                Some(((first_kind, first_name), _))
                    if *first_kind == kind
                        && first_name.to_lowercase() == name.to_lowercase()
                        && matches!(
                            kind,
                            EntityKind::User
                                | EntityKind::Group
                                | EntityKind::Role
                                | EntityKind::InstanceProfile
                        ) => {}
                Some(((first_kind, first_name), what)) => report.error(
                    "name-collision",
                    match place {
                        Place::At(base) => at(base, name),
                        Place::Unit(path) => path.to_string(),
                    },
                    format!(
                        "{} `{name}` and {} `{first_name}` both become {what}",
                        kind.describe(),
                        first_kind.describe()
                    ),
                    "logical ids and Terraform names drop punctuation and case (`ci-deploy`, `ci_deploy` and `CiDeploy` are the same); rename one of them",
                ),
                None => {
                    ids.insert(id, (kind, name));
                    tf.insert(t, (kind, name));
                }
            }
        }
    }
}

/// The bases of the paths of an account's IAM entities, by kind.
struct IamBases {
    users: String,
    groups: String,
    roles: String,
    policies: String,
    instance_profiles: String,
    oidc_providers: String,
    saml_providers: String,
}

impl IamBases {
    fn new(account: &str) -> Self {
        let base = format!("{}/iam", account_path(account));
        Self {
            users: format!("{base}/users"),
            groups: format!("{base}/groups"),
            roles: format!("{base}/roles"),
            policies: format!("{base}/policies"),
            instance_profiles: format!("{base}/instance_profiles"),
            oidc_providers: format!("{base}/oidc_providers"),
            saml_providers: format!("{base}/saml_providers"),
        }
    }
}

fn iam_entities<'a>(
    iam: &'a crate::model::iam::Iam,
    bases: &'a IamBases,
    out: &mut Vec<(EntityKind, &'a str, Place<'a>)>,
) {
    let mut add = |kind, base: &'a String, names: &mut dyn Iterator<Item = &'a str>| {
        out.extend(names.map(|n| (kind, n, Place::At(base.as_str()))));
    };
    add(
        EntityKind::User,
        &bases.users,
        &mut iam.users().keys().map(|n| n.as_str()),
    );
    add(
        EntityKind::Group,
        &bases.groups,
        &mut iam.groups().keys().map(|n| n.as_str()),
    );
    add(
        EntityKind::Role,
        &bases.roles,
        &mut iam.roles().keys().map(|n| n.as_str()),
    );
    add(
        EntityKind::Policy,
        &bases.policies,
        &mut iam.policies().keys().map(|n| n.as_str()),
    );
    add(
        EntityKind::InstanceProfile,
        &bases.instance_profiles,
        &mut iam.instance_profiles().keys().map(|n| n.as_str()),
    );
    add(
        EntityKind::OidcProvider,
        &bases.oidc_providers,
        &mut iam.oidc_providers().keys().map(|n| n.as_str()),
    );
    add(
        EntityKind::SamlProvider,
        &bases.saml_providers,
        &mut iam.saml_providers().keys().map(|n| n.as_str()),
    );
}

fn collisions(model: &Model, report: &mut Report) {
    let org = model.organization();
    let management = org.management_account().as_str();
    let unit_paths: Vec<(UnitPath, String)> = org
        .unit_paths()
        .into_iter()
        .map(|(p, _)| {
            let path = super::unit_path(&p);
            (p, path)
        })
        .collect();
    let account_paths: Vec<String> = model
        .accounts()
        .keys()
        .map(|n| account_path(n.as_str()))
        .collect();
    // The management template: Organizations and Identity Center resources, and the
    // management account's own IAM entities.
    let mut entities: Vec<(EntityKind, &str, Place<'_>)> = Vec::new();
    entities.extend(
        unit_paths
            .iter()
            .map(|(p, path)| (EntityKind::Unit, p.as_str(), Place::Unit(path))),
    );
    entities.extend(
        model
            .accounts()
            .keys()
            .zip(&account_paths)
            .map(|(n, path)| (EntityKind::Account, n.as_str(), Place::Unit(path))),
    );
    entities.extend(
        org.scps()
            .keys()
            .map(|n| (EntityKind::Scp, n.as_str(), Place::At("/organization/scps"))),
    );
    entities.extend(
        org.rcps()
            .keys()
            .map(|n| (EntityKind::Rcp, n.as_str(), Place::At("/organization/rcps"))),
    );
    if let Some(ic) = model.identity_center() {
        entities.extend(ic.users().keys().map(|n| {
            (
                EntityKind::SsoUser,
                n.as_str(),
                Place::At("/identity_center/users"),
            )
        }));
        entities.extend(ic.groups().keys().map(|n| {
            (
                EntityKind::SsoGroup,
                n.as_str(),
                Place::At("/identity_center/groups"),
            )
        }));
        entities.extend(ic.permission_sets().keys().map(|n| {
            (
                EntityKind::PermissionSet,
                n.as_str(),
                Place::At("/identity_center/permission_sets"),
            )
        }));
    }
    let management_bases = IamBases::new(management);
    if let Some(account) = model.account(management) {
        iam_entities(account.iam(), &management_bases, &mut entities);
    }
    Template { entities }.collisions(report);
    for (name, account) in model.accounts() {
        if name.as_str() == management {
            continue;
        }
        let iam = account.iam();
        if iam.users().is_empty()
            && iam.groups().is_empty()
            && iam.roles().is_empty()
            && iam.policies().is_empty()
            && iam.instance_profiles().is_empty()
            && iam.oidc_providers().is_empty()
            && iam.saml_providers().is_empty()
        {
            continue;
        }
        let bases = IamBases::new(name.as_str());
        let mut entities = Vec::new();
        iam_entities(iam, &bases, &mut entities);
        Template { entities }.collisions(report);
    }
}

pub(super) fn check(model: &Model, report: &mut Report) {
    units(model.organization().units(), "/organization", report);
    // Reading a model file rejects these at once; a built model meets them here.
    crate::model::file::baseline_collisions(model.organization(), model.accounts(), report);
    for (name, account) in model.accounts() {
        let base = format!("{}/iam", account_path(name.as_str()));
        let iam = account.iam();
        case_insensitive(
            "user",
            &format!("{base}/users"),
            iam.users().keys().map(|n| n.as_str()),
            report,
        );
        case_insensitive(
            "group",
            &format!("{base}/groups"),
            iam.groups().keys().map(|n| n.as_str()),
            report,
        );
        case_insensitive(
            "role",
            &format!("{base}/roles"),
            iam.roles().keys().map(|n| n.as_str()),
            report,
        );
        case_insensitive(
            "instance profile",
            &format!("{base}/instance_profiles"),
            iam.instance_profiles().keys().map(|n| n.as_str()),
            report,
        );
    }
    emails(model, report);
    identity_center(model, report);
    collisions(model, report);
    composite_collisions(model, report);
}

/// What a joining resource joins, to tell two joins apart and to name them in a finding.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Join<'a> {
    Membership {
        user: &'a str,
        group: &'a str,
    },
    Assignment {
        principal: &'a AssignmentPrincipal,
        permission_set: &'a str,
        account: &'a str,
    },
}

impl fmt::Display for Join<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Membership { user, group } => {
                write!(f, "the membership of `{user}` in `{group}`")
            }
            Self::Assignment {
                principal,
                permission_set,
                account,
            } => write!(
                f,
                "the assignment of {principal} to `{permission_set}` in `{account}`"
            ),
        }
    }
}

/// Resources that join entities (Identity Center memberships and account assignments) get
/// logical ids that run the names together (`composite_logical_id`): two different joins can
/// give one id (`AWS-Dev` + `OpsAccess` and `AWS-DevOps` + `Access`). Report the later one.
///
/// A join listed again (the same assignment twice, or an OU target repeated) is one
/// resource, so it is looked at once; messages and paths are made only for a finding.
fn composite_collisions<'m>(model: &'m Model, report: &mut Report) {
    let Some(ic) = model.identity_center() else {
        return;
    };
    let units = model.unit_accounts();
    let mut seen: FastMap<String, Join<'_>> = FastMap::default();
    let mut joins: FastSet<Join<'_>> = FastSet::default();
    let mut check = |join: Join<'m>, id: String, path: &dyn Fn() -> String, report: &mut Report| {
        match seen.get(&id) {
            Some(first) if *first != join => report.error(
                "name-collision",
                path(),
                format!("{join} and {first} both become CloudFormation logical id `{id}`"),
                "logical ids join the names without separators and drop punctuation and case; rename a group, user, permission set or account",
            ),
            Some(_) => {}
            None => {
                seen.insert(id, join);
            }
        }
    };
    for (user, u) in ic.users() {
        for (j, group) in u.groups.iter().enumerate() {
            let join = Join::Membership { user, group };
            if !joins.insert(join) {
                continue;
            }
            check(
                join,
                composite_logical_id("Membership", &[group, user]),
                &|| format!("{}/groups/{j}", at("/identity_center/users", user)),
                report,
            );
        }
    }
    let mut expanded = FastSet::default();
    for (i, a) in ic.assignments().iter().enumerate() {
        let principal = a.principal();
        let principal_name = match principal {
            AssignmentPrincipal::Group(g) | AssignmentPrincipal::User(g) => g.as_str(),
        };
        let set = a.permission_set().as_str();
        let mut accounts: Vec<&str> = a.accounts().iter().map(|n| n.as_str()).collect();
        for unit in a.units() {
            if expanded.insert((principal, set, unit)) {
                accounts.extend(units.under(unit).iter().map(|n| n.as_str()));
            }
        }
        for account in accounts {
            let join = Join::Assignment {
                principal,
                permission_set: set,
                account,
            };
            if !joins.insert(join) {
                continue;
            }
            check(
                join,
                composite_logical_id("Assignment", &[principal_name, set, account]),
                &|| format!("/identity_center/assignments/{i}"),
                report,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;

    #[test]
    fn joined_names_that_run_together_are_a_name_collision() {
        let text = r#"{
          "version": 1,
          "organization": { "management_account": "management" },
          "accounts": { "management": { "id": "111111111111", "email": "aws-management@example.com", "environment": "management" } },
          "identity_center": {
            "instance_account": "management",
            "groups": { "AWS-Dev": {}, "AWS-DevOps": {} },
            "permission_sets": { "OpsAccess": {}, "Access": {} },
            "assignments": [
              { "group": "AWS-Dev", "permission_set": "OpsAccess", "accounts": ["management"] },
              { "group": "AWS-DevOps", "permission_set": "Access", "accounts": ["management"] }
            ]
          }
        }"#;
        let model = Model::from_json(text).unwrap();
        let report = crate::validate::validate(&model);
        let found: Vec<(&str, &str, &str)> = report
            .errors()
            .map(|f| (f.code, f.path.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [(
                "name-collision",
                "/identity_center/assignments/1",
                "the assignment of group `AWS-DevOps` to `Access` in `management` and the assignment of group `AWS-Dev` to `OpsAccess` in `management` both become CloudFormation logical id `AssignmentAwsDevOpsAccessManagement`"
            )]
        );
    }
}
