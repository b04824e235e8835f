"""Set up a brownfield organization on a moto server with boto3, and change it by hand.

Run with the venv of scripts/setup-tools.sh (boto3 comes with moto):

    python tests/tools/moto_brownfield.py setup ENDPOINT
    python tests/tools/moto_brownfield.py hand-change ENDPOINT

`setup` creates an organization (management account 123456789012, an OU `Workloads` with a
member account `production`, an SCP attached to the OU) and, in the management account, IAM
users, groups, roles and policies as a team would have made them by hand: inline and customer
managed policies, a permissions boundary, an instance profile, a GitHub OIDC provider, an access
key and a console password. `hand-change` attaches a policy to a role by hand, edits a
role's trust policy and attaches an AWS managed policy to the permission set `LogReader`.
Both print nothing and exit 0, or raise.

It also sets up IAM Identity Center: a user in a group, two permission sets (an AWS managed
policy; an inline policy and a customer managed policy reference) and the group's assignment to
the management account. moto 5.2.1's sso-admin has no GetPermissionsBoundaryForPermissionSet
nor ListTagsForResource (HTTP 500; tests/e2e/brownfield.rs answers those two as AWS does for a
set without boundary and tags), lists a permission set's accounts only after
ProvisionPermissionSet and then only the caller's account whatever the target (so assignments
to member accounts cannot be exported from moto), and describes a set created without
SessionDuration with the integer 3600 instead of AWS's string "PT1H". Those parts are covered
by the fixture export in tests/fixtures/export/organization. moto 5.2.1 also leaves
PolicyName out of GetAccountAuthorizationDetails' Policies (import takes the name from the ARN)
and a user's PermissionsBoundary out of its UserDetailList.
"""

import json
import sys

import boto3

REGION = "us-east-1"


def client(service, endpoint):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def doc(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def setup(endpoint):
    org = client("organizations", endpoint)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    account = org.create_account(Email="aws-production@example.com", AccountName="production")
    account_id = account["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=ou)
    scp = org.create_policy(
        Name="DenyLeaveOrganization",
        Description="Member accounts cannot leave",
        Type="SERVICE_CONTROL_POLICY",
        Content=doc([{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=ou)

    iam = client("iam", endpoint)
    logs = iam.create_policy(
        PolicyName="ReadLogs",
        Path="/ops/",
        Description="Read CloudWatch Logs",
        PolicyDocument=doc([{"Effect": "Allow", "Action": ["logs:Get*", "logs:Describe*"], "Resource": "*"}]),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="Developers")
    iam.attach_group_policy(GroupName="Developers", PolicyArn=logs)
    iam.put_group_policy(
        GroupName="Developers",
        PolicyName="DescribeInstances",
        PolicyDocument=doc([{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}]),
    )
    iam.create_user(UserName="dev-john", PermissionsBoundary=logs, Tags=[{"Key": "team", "Value": "app"}])
    iam.add_user_to_group(GroupName="Developers", UserName="dev-john")
    iam.create_access_key(UserName="dev-john")
    iam.create_login_profile(UserName="dev-john", Password="Example-Passw0rd!", PasswordResetRequired=True)
    provider = iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )["OpenIDConnectProviderArn"]
    iam.create_role(
        RoleName="ci-deploy",
        Description="GitHub Actions deploys from main",
        AssumeRolePolicyDocument=doc([{
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:example/app:ref:refs/heads/main",
            }},
        }]),
    )
    iam.put_role_policy(
        RoleName="ci-deploy",
        PolicyName="Deploy",
        PolicyDocument=doc([{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-site/*"}]),
    )
    iam.create_role(
        RoleName="web-server",
        Path="/app/",
        MaxSessionDuration=7200,
        AssumeRolePolicyDocument=doc([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
        PermissionsBoundary=logs,
    )
    iam.attach_role_policy(RoleName="web-server", PolicyArn=logs)
    iam.create_instance_profile(InstanceProfileName="web-server")
    iam.add_role_to_instance_profile(InstanceProfileName="web-server", RoleName="web-server")

    identity_center(endpoint, org.describe_organization()["Organization"]["MasterAccountId"])


def identity_center(endpoint, management):
    """Identity Center users, groups, memberships, permission sets and an assignment."""
    sso = client("sso-admin", endpoint)
    instance = sso.list_instances()["Instances"][0]
    instance_arn, store = instance["InstanceArn"], instance["IdentityStoreId"]
    ids = client("identitystore", endpoint)
    user = ids.create_user(
        IdentityStoreId=store,
        UserName="jane@example.com",
        DisplayName="Jane Doe",
        Name={"GivenName": "Jane", "FamilyName": "Doe"},
        Emails=[{"Value": "jane@example.com", "Type": "work", "Primary": True}],
    )["UserId"]
    group = ids.create_group(IdentityStoreId=store, DisplayName="AWS-Admins", Description="Administrators")["GroupId"]
    ids.create_group_membership(IdentityStoreId=store, GroupId=group, MemberId={"UserId": user})
    admin = sso.create_permission_set(
        Name="AdministratorAccess",
        Description="Full access",
        InstanceArn=instance_arn,
        SessionDuration="PT4H",
    )["PermissionSet"]["PermissionSetArn"]
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=instance_arn,
        PermissionSetArn=admin,
        ManagedPolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    # Without SessionDuration moto 5.2.1 describes the set with the integer 3600 where AWS
    # gives the ISO-8601 string "PT1H" (DescribePermissionSet's SessionDuration is a string).
    reader = sso.create_permission_set(
        Name="LogReader", InstanceArn=instance_arn, SessionDuration="PT1H"
    )["PermissionSet"]["PermissionSetArn"]
    sso.put_inline_policy_to_permission_set(
        InstanceArn=instance_arn,
        PermissionSetArn=reader,
        InlinePolicy=doc([{"Effect": "Allow", "Action": "logs:GetLogEvents", "Resource": "*"}]),
    )
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=instance_arn,
        PermissionSetArn=reader,
        CustomerManagedPolicyReference={"Name": "ReadLogs", "Path": "/ops/"},
    )
    sso.create_account_assignment(
        InstanceArn=instance_arn,
        TargetId=management,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=admin,
        PrincipalType="GROUP",
        PrincipalId=group,
    )
    # Real AWS provisions a permission set when it is assigned; moto 5.2.1 waits for this
    # call, and then lists the caller's (management) account whatever the target.
    sso.provision_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=admin, TargetId=management, TargetType="AWS_ACCOUNT"
    )


def hand_change(endpoint):
    iam = client("iam", endpoint)
    iam.attach_role_policy(RoleName="ci-deploy", PolicyArn="arn:aws:iam::123456789012:policy/ops/ReadLogs")
    iam.update_assume_role_policy(
        RoleName="web-server",
        PolicyDocument=doc([{
            "Effect": "Allow",
            "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }]),
    )
    sso = client("sso-admin", endpoint)
    instance_arn = sso.list_instances()["Instances"][0]["InstanceArn"]
    for arn in sso.list_permission_sets(InstanceArn=instance_arn)["PermissionSets"]:
        described = sso.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
        if described["PermissionSet"]["Name"] == "LogReader":
            sso.attach_managed_policy_to_permission_set(
                InstanceArn=instance_arn,
                PermissionSetArn=arn,
                ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
            )


if __name__ == "__main__":
    {"setup": setup, "hand-change": hand_change}[sys.argv[1]](sys.argv[2])
