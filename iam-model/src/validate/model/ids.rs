//! The ids of AWS resources a model keeps so Terraform can import what exists: SCP and RCP
//! ids and Identity Center group membership ids.
//!
//! Sources: AWS Organizations API reference, `DescribePolicy` (`PolicyId`:
//! `^p-[0-9a-zA-Z_]{8,128}$`); Identity Store API reference, `GroupMembership`
//! (`MembershipId`: 1 to 47 characters, `([0-9a-f]{10}-|)` and a UUID).
use crate::model::{Model, is_membership_id, is_policy_id};
use crate::validate::Report;

use super::at;

fn policy_ids(model: &Model, report: &mut Report) {
    let org = model.organization();
    let scps = org
        .scps()
        .iter()
        .map(|(n, p)| (at("/organization/scps", n.as_str()), p.id()));
    let rcps = org
        .rcps()
        .iter()
        .map(|(n, p)| (at("/organization/rcps", n.as_str()), p.id()));
    for (base, id) in scps.chain(rcps) {
        if let Some(id) = id
            && !is_policy_id(id)
        {
            report.error(
                "invalid-policy-id",
                format!("{base}/id"),
                format!("`{id}` is not an AWS Organizations policy id"),
                "a policy id is `p-` and 8 to 128 letters, digits or underscores, as `aws organizations list-policies` prints it; leave `id` out for a policy that does not exist yet",
            );
        }
    }
}

fn membership_ids(model: &Model, report: &mut Report) {
    let Some(ic) = model.identity_center() else {
        return;
    };
    for (name, user) in ic.users() {
        let base = format!("{}/membership_ids", at("/identity_center/users", name));
        for (group, id) in &user.membership_ids {
            let path = at(&base, group);
            if !user.groups.contains(group) {
                report.error(
                    "membership-id-without-membership",
                    path,
                    format!("user `{name}` has a membership id for group `{group}` but is not a member of it"),
                    "add the group to the user's `groups`, or remove the membership id",
                );
            } else if !is_membership_id(id) {
                report.error(
                    "invalid-membership-id",
                    path,
                    format!("`{id}` is not an identity store membership id"),
                    "a membership id is a UUID, optionally after 10 hex digits and `-`, as `aws identitystore list-group-memberships` prints it; leave it out for a membership that does not exist yet",
                );
            }
        }
    }
}

pub(super) fn check(model: &Model, report: &mut Report) {
    policy_ids(model, report);
    membership_ids(model, report);
}
