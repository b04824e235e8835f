"""Dump the IAM state of one account of a moto server, as `moto_cfn.py iam` prints it.

    python tests/tools/moto_iam_as.py ENDPOINT ROLE_ARN

Assumes ROLE_ARN through moto's STS (moto files what the assumed credentials create under the
role's account) and reads IAM with those credentials, so a Terraform module whose provider
assumed a role into account 222222222222 is read back from that account. Run with the venv of
scripts/setup-tools.sh.
"""

import json
import os
import sys

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moto_cfn  # noqa: E402


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    endpoint, role_arn = argv[1], argv[2]
    sts = moto_cfn.client("sts", endpoint)
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="read-back")["Credentials"]

    def client(service, endpoint):
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=moto_cfn.REGION,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    moto_cfn.client = client
    state = moto_cfn.iam_state(endpoint)
    iam = client("iam", endpoint)
    try:
        state["password_policy"] = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.NoSuchEntityException:
        state["password_policy"] = None
    json.dump(state, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
