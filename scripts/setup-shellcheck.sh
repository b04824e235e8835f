#!/usr/bin/env bash
# Installs shellcheck, which the aws-cli target's tests run on the generated script
# (iam-codegen/src/emit/aws_cli.rs). A missing shellcheck fails those tests.
# Called by scripts/test.sh (or scripts/setup-tools.sh) before the tests.
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  apt-get install -y --no-install-recommends shellcheck >/dev/null
else
  sudo apt-get install -y --no-install-recommends shellcheck >/dev/null
fi
command -v shellcheck >/dev/null
