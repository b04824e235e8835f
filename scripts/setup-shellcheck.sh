#!/usr/bin/env bash
# Installs shellcheck, which the aws-cli target's tests run on the generated script
# (iam-codegen/src/emit/aws_cli.rs). A missing shellcheck fails those tests.
# Called by scripts/test.sh before the tests. A new machine's package lists may be empty
# or stale, so a failed install is retried once after `apt-get update`.
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
install() {
  $sudo apt-get install -y --no-install-recommends shellcheck >/dev/null
}
if ! install; then
  echo "setup-shellcheck: updating the package lists" >&2
  $sudo apt-get update -qq >/dev/null
  install
fi
command -v shellcheck >/dev/null
