//! The ids of AWS resources a model keeps so Terraform can import what exists: SCP and RCP
//! ids and Identity Center group membership ids.
//!
//! Sources: AWS Organizations API reference, `DescribePolicy` (`PolicyId`:
//! `^p-[0-9a-zA-Z_]{8,128}$`); Identity Store API reference, `GroupMembership`
//! (`MembershipId`: 1 to 47 characters, `([0-9a-f]{10}-|)` and a UUID).
use std::collections::BTreeMap;

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
    // The first policy to have each id: a second one would import the same live policy.
    let mut first: BTreeMap<&str, String> = BTreeMap::new();
    for (base, id) in scps.chain(rcps) {
        let Some(id) = id else {
            continue;
        };
        if !is_policy_id(id) {
            report.error(
                "invalid-policy-id",
                format!("{base}/id"),
                format!("`{id}` is not an AWS Organizations policy id"),
                "a policy id is `p-` and 8 to 128 letters, digits or underscores, as `aws organizations list-policies` prints it; leave `id` out for a policy that does not exist yet",
            );
        } else if let Some(other) = first.get(id) {
            report.error(
                "duplicate-policy-id",
                format!("{base}/id"),
                format!("policy id `{id}` is also the id of `{other}`"),
                "each SCP and RCP is its own policy with its own id; Terraform would import one live policy into both",
            );
        } else {
            first.insert(id, base);
        }
    }
}

fn membership_ids(model: &Model, report: &mut Report) {
    let Some(ic) = model.identity_center() else {
        return;
    };
    let mut first: BTreeMap<&str, String> = BTreeMap::new();
    for (name, user) in ic.users() {
        let base = format!("{}/membership_ids", at("/identity_center/users", name));
        for (group, id) in &user.membership_ids {
            let path = at(&base, group);
            if let Some(other) = first.get(id.as_str()) {
                report.error(
                    "duplicate-membership-id",
                    path,
                    format!("membership id `{id}` is also the id of `{other}`"),
                    "each membership of a user in a group has its own id; Terraform would import one live membership into both",
                );
                continue;
            }
            first.insert(id, path.clone());
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

#[cfg(test)]
mod tests {
    use crate::model::{is_membership_id, is_policy_id};

    #[test]
    fn policy_ids_are_p_and_8_to_128_word_characters() {
        let at = |n: usize| format!("p-{}", "a".repeat(n));
        assert!(is_policy_id(&at(8)));
        assert!(is_policy_id(&at(128)));
        assert!(!is_policy_id(&at(7)));
        assert!(!is_policy_id(&at(129)));
        assert!(is_policy_id("p-RCPFullAWSAccess"));
        assert!(is_policy_id("p-abc_1234"));
        assert!(!is_policy_id("P-abcd1234"));
        assert!(!is_policy_id("p-abcd 1234"));
        assert!(!is_policy_id("p-abcdé1234"));
    }

    #[test]
    fn membership_ids_are_uuids_with_an_optional_store_prefix() {
        let uuid = "a1b2c3d4-5678-90AB-cdef-000000011111";
        assert!(is_membership_id(uuid));
        assert!(is_membership_id(&format!("0123456789-{uuid}")));
        assert!(is_membership_id(&format!("abcdef0123-{uuid}")));
        // The prefix is lowercase hex only, and exactly 10 digits.
        assert!(!is_membership_id(&format!("ABCDEF0123-{uuid}")));
        assert!(!is_membership_id(&format!("012345678-{uuid}")));
        assert!(!is_membership_id("a1b2c3d4-5678-90ab-cdef-00000001111"));
        assert!(!is_membership_id("a1b2c3d4-5678-90ab-cdef-00000001111g"));
        assert!(!is_membership_id("a1b2c3d45678-90ab-cdef-000000011111"));
        assert!(!is_membership_id(""));
    }
}
