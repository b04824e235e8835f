"""Deploy a CloudFormation template to a moto server and dump the IAM state it left.

Run with the venv of scripts/setup-tools.sh (boto3 comes with moto):

    python tests/tools/moto_cfn.py deploy ENDPOINT TEMPLATE STACK [PARAMETERS_JSON]
    python tests/tools/moto_cfn.py iam ENDPOINT
    python tests/tools/moto_cfn.py org ENDPOINT

`deploy` creates the stack, polls until it leaves CREATE_IN_PROGRESS (bounded), and prints one
JSON document: {"stack": {"status", "resources", "not_created", "outputs"}, "iam": {...}};
`not_created` lists the template's logical ids that moto skipped (types it does not implement). It exits 1 with the
stack events on stderr when the stack does not reach CREATE_COMPLETE. `iam` prints only the IAM
state. `org` prints the Organizations and Budgets state (OUs, accounts, policies with their
targets, budgets of account 123456789012), with ids replaced by names. PARAMETERS_JSON is a file in the `aws cloudformation create-stack --parameters` form:
[{"ParameterKey": "...", "ParameterValue": "..."}].

The IAM state leaves out what moto makes up per run (ids, dates, the account id 123456789012
stays in ARNs) and sorts every list, so a test can compare it to an exact expected value.
"""

import ast
import json
import sys
import time

import boto3

REGION = "us-east-1"
POLL_SECONDS = 60


def client(service, endpoint):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def paginate(c, op, key, **kwargs):
    out = []
    for page in c.get_paginator(op).paginate(**kwargs):
        out.extend(page[key])
    return out


def attached(items):
    return sorted(p["PolicyArn"] for p in items)


def document(doc):
    # moto 5.2.1 stores the `Policies` of an AWS::IAM::Role as the Python repr of the parsed
    # JSON ("{'Version': ...}"), so GetRolePolicy returns that text; read it back as data so the
    # content is still compared exactly.
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except ValueError:
            return ast.literal_eval(doc)
    return doc


def inline(c, op_list, op_get, name_key, name):
    docs = {}
    for policy_name in paginate(c, op_list, "PolicyNames", **{name_key: name}):
        got = getattr(c, op_get)(**{name_key: name, "PolicyName": policy_name})
        docs[policy_name] = document(got["PolicyDocument"])
    return docs


def boundary(entity):
    b = entity.get("PermissionsBoundary")
    return b["PermissionsBoundaryArn"] if b else None


def iam_state(endpoint):
    iam = client("iam", endpoint)
    roles = {}
    for r in paginate(iam, "list_roles", "Roles"):
        name = r["RoleName"]
        full = iam.get_role(RoleName=name)["Role"]
        roles[name] = {
            "arn": full["Arn"],
            "path": full["Path"],
            "description": full.get("Description"),
            "max_session_duration": full.get("MaxSessionDuration"),
            "permissions_boundary": boundary(full),
            "assume_role_policy": full["AssumeRolePolicyDocument"],
            "attached_policies": attached(
                paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
            ),
            "inline_policies": inline(iam, "list_role_policies", "get_role_policy", "RoleName", name),
        }
    users = {}
    for u in paginate(iam, "list_users", "Users"):
        name = u["UserName"]
        full = iam.get_user(UserName=name)["User"]
        users[name] = {
            "arn": full["Arn"],
            "path": full["Path"],
            "permissions_boundary": boundary(full),
            "groups": sorted(
                g["GroupName"] for g in paginate(iam, "list_groups_for_user", "Groups", UserName=name)
            ),
            "attached_policies": attached(
                paginate(iam, "list_attached_user_policies", "AttachedPolicies", UserName=name)
            ),
            "inline_policies": inline(iam, "list_user_policies", "get_user_policy", "UserName", name),
        }
    groups = {}
    for g in paginate(iam, "list_groups", "Groups"):
        name = g["GroupName"]
        groups[name] = {
            "arn": g["Arn"],
            "path": g["Path"],
            "members": sorted(u["UserName"] for u in iam.get_group(GroupName=name)["Users"]),
            "attached_policies": attached(
                paginate(iam, "list_attached_group_policies", "AttachedPolicies", GroupName=name)
            ),
            "inline_policies": inline(iam, "list_group_policies", "get_group_policy", "GroupName", name),
        }
    policies = {}
    for p in paginate(iam, "list_policies", "Policies", Scope="Local"):
        version = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
        policies[p["Arn"]] = {
            "name": p["PolicyName"],
            "path": p["Path"],
            "description": iam.get_policy(PolicyArn=p["Arn"])["Policy"].get("Description"),
            "attachment_count": p["AttachmentCount"],
            "document": version["PolicyVersion"]["Document"],
        }
    profiles = {}
    for ip in paginate(iam, "list_instance_profiles", "InstanceProfiles"):
        profiles[ip["InstanceProfileName"]] = {
            "arn": ip["Arn"],
            "path": ip["Path"],
            "roles": sorted(r["RoleName"] for r in ip["Roles"]),
        }
    oidc = sorted(p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"])
    saml = sorted(p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"])
    return {
        "roles": roles,
        "users": users,
        "groups": groups,
        "policies": policies,
        "instance_profiles": profiles,
        "oidc_providers": oidc,
        "saml_providers": saml,
    }


def org_state(endpoint):
    org = client("organizations", endpoint)
    (root,) = org.list_roots()["Roots"]
    names = {root["Id"]: "Root"}
    ous, accounts = {}, {}

    def walk(parent):
        for ou in paginate(org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent):
            names[ou["Id"]] = ou["Name"]
            ous[ou["Name"]] = {"parent": names[parent]}
            walk(ou["Id"])

    walk(root["Id"])
    for parent in list(names):
        for a in paginate(org, "list_accounts_for_parent", "Accounts", ParentId=parent):
            names[a["Id"]] = a["Name"]
            accounts[a["Name"]] = {"email": a["Email"], "parent": names[parent], "status": a["Status"]}
    policies = {}
    for p in paginate(org, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY"):
        if p["AwsManaged"]:
            continue
        full = org.describe_policy(PolicyId=p["Id"])["Policy"]
        targets = paginate(org, "list_targets_for_policy", "Targets", PolicyId=p["Id"])
        policies[p["Name"]] = {
            "type": p["Type"],
            "description": p["Description"],
            "content": json.loads(full["Content"]),
            "targets": sorted(names.get(t["TargetId"], t["TargetId"]) for t in targets),
        }
    budgets = {}
    for b in client("budgets", endpoint).describe_budgets(AccountId="123456789012").get("Budgets", []):
        budgets[b["BudgetName"]] = {
            "type": b["BudgetType"],
            "time_unit": b["TimeUnit"],
            "limit": b.get("BudgetLimit"),
        }
    return {
        "feature_set": org.describe_organization()["Organization"]["FeatureSet"],
        "organizational_units": ous,
        "accounts": accounts,
        "service_control_policies": policies,
        "budgets": budgets,
    }


def deploy(endpoint, template_path, stack, parameters_path=None):
    cfn = client("cloudformation", endpoint)
    with open(template_path, encoding="utf-8") as f:
        body = f.read()
    kwargs = {"StackName": stack, "TemplateBody": body, "Capabilities": ["CAPABILITY_NAMED_IAM"]}
    if parameters_path:
        with open(parameters_path, encoding="utf-8") as f:
            kwargs["Parameters"] = json.load(f)
    cfn.create_stack(**kwargs)
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        desc = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        status = desc["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            break
        if time.monotonic() > deadline:
            print(f"stack `{stack}` still {status} after {POLL_SECONDS} s", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.2)
    if status != "CREATE_COMPLETE":
        events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
        for e in events:
            print(
                e["LogicalResourceId"], e["ResourceType"], e["ResourceStatus"],
                e.get("ResourceStatusReason", ""), file=sys.stderr,
            )
        print(f"stack `{stack}` ended {status}", file=sys.stderr)
        sys.exit(1)
    # moto answers CREATE_COMPLETE for a stack whose resource types it does not implement and
    # lists each such resource with an empty logical id: report them as not created.
    resources = {
        r["LogicalResourceId"]: {"type": r["ResourceType"], "status": r["ResourceStatus"]}
        for r in paginate(cfn, "list_stack_resources", "StackResourceSummaries", StackName=stack)
        if r["LogicalResourceId"]
    }
    try:
        declared = json.loads(body).get("Resources", {})
    except ValueError:
        declared = {}
    not_created = sorted(k for k in declared if k not in resources)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}
    return {
        "stack": {
            "status": status,
            "resources": resources,
            "not_created": not_created,
            "outputs": outputs,
        },
        "iam": iam_state(endpoint),
    }


def main(argv):
    if len(argv) in (5, 6) and argv[1] == "deploy":
        result = deploy(argv[2], argv[3], argv[4], argv[5] if len(argv) == 6 else None)
    elif len(argv) == 3 and argv[1] == "iam":
        result = iam_state(argv[2])
    elif len(argv) == 3 and argv[1] == "org":
        result = org_state(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
