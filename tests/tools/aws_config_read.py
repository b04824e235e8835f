"""Read an AWS CLI config file with botocore's loader, as the AWS CLI does, and print it as JSON.

    AWS_CONFIG_FILE=FILE python tests/tools/aws_config_read.py

Prints {"profiles": {NAME: {KEY: VALUE}}, "sso_sessions": {NAME: {KEY: VALUE}}} from
`botocore.session.Session().full_config` (`configloader.load_config`: configparser, then
`build_profile_map`). A file botocore refuses exits 1 with its error on stderr. Run with the
venv of scripts/setup-tools.sh.
"""

import json
import sys

import botocore.exceptions
import botocore.session


def main():
    try:
        config = botocore.session.Session().full_config
    except botocore.exceptions.ConfigParseError as e:
        print(str(e), file=sys.stderr)
        return 1
    json.dump(
        {"profiles": config["profiles"], "sso_sessions": config.get("sso_sessions", {})},
        sys.stdout,
        sort_keys=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
