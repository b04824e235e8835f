#!/usr/bin/env bash
# Export what `iam-codegen import` reads from a live AWS organization: plain, read-only
# `aws` calls, each one's JSON output saved as printed. Nothing is changed in AWS.
#
#   scripts/export-aws.sh --profile PROFILE [--account-profile ACCOUNT_ID=PROFILE]...
#                         [--region REGION] [--start-url URL] [--endpoint-url URL]
#                         [--no-organization] [--no-identity-center] OUT_DIR
#
#   --profile          credentials of the management account (or of the one account, with
#                      --no-organization): Organizations, IAM Identity Center and its own IAM
#   --account-profile  credentials for the IAM export of a member account (repeatable);
#                      member accounts without one get no IAM export (their IAM is not imported)
#   --region           the region of IAM Identity Center (default: the profile's)
#   --start-url        the AWS access portal URL when it has an alias (default: the identity
#                      store's URL, https://d-XXXXXXXXXX.awsapps.com/start); no API returns it
#   --endpoint-url     another endpoint for every call (a local moto server in tests)
#   --no-organization  export one account's IAM only (no Organizations, no Identity Center)
#   --no-identity-center  skip IAM Identity Center (an organization that does not use it)
#
# The AWS CLI paginates list calls itself and prints one merged document; these calls rely
# on that. The layout of OUT_DIR is documented in iam_model::import (iam-model/src/import.rs):
#
#   organizations/{organization,roots}.json  organizations/{units,accounts}/<parent-id>.json
#   organizations/policies/<TYPE>.json  organizations/{policy,targets}/<policy-id>.json
#   iam/<account-id>.json  iam/<account-id>/{roles,oidc-providers,saml-providers,password-policy}.json
#   iam/<account-id>/oidc-provider/<host>.json  iam/<account-id>/{access-keys,login-profile}/<user>.json
#   sso-admin/{instances,permission-sets,settings}.json  sso-admin/permission-set/<ps-id>/…
#   identitystore/{users,groups}.json  identitystore/memberships/<group-id>.json
#
# Not exported (so not imported): tags of Organizations resources, budgets, SAML metadata.
# Needs: aws (v1 or v2), python3 (to read the listings), bash 4.
set -euo pipefail

profile=""
region=""
start_url=""
endpoint=""
organization=1
identity_center=1
declare -A account_profiles=()
out=""

usage() {
    sed -n '5,8p' "$0" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --profile) profile="${2:?--profile needs a value}"; shift 2 ;;
        --account-profile)
            pair="${2:?--account-profile needs ACCOUNT_ID=PROFILE}"
            [[ "$pair" =~ ^[0-9]{12}=.+$ ]] || { echo "error: --account-profile expects ACCOUNT_ID=PROFILE, got \`$pair\`" >&2; exit 2; }
            account_profiles["${pair%%=*}"]="${pair#*=}"
            shift 2 ;;
        --region) region="${2:?--region needs a value}"; shift 2 ;;
        --start-url) start_url="${2:?--start-url needs a value}"; shift 2 ;;
        --endpoint-url) endpoint="${2:?--endpoint-url needs a value}"; shift 2 ;;
        --no-organization) organization=0; shift ;;
        --no-identity-center) identity_center=0; shift ;;
        -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
        -*) echo "error: unknown option \`$1\`" >&2; usage ;;
        *) [[ -z "$out" ]] || usage; out="$1"; shift ;;
    esac
done
[[ -n "$profile" ]] || { echo "error: --profile is required (the script never uses default credentials)" >&2; usage; }
[[ -n "$out" ]] || usage

mkdir -p "$out"

# aws PROFILE SERVICE COMMAND ARGS... → stdout; fails on any error.
call() {
    local p="$1"; shift
    local args=(--profile "$p" --output json)
    [[ -n "$region" ]] && args+=(--region "$region")
    [[ -n "$endpoint" ]] && args+=(--endpoint-url "$endpoint")
    aws "${args[@]}" "$@"
}

# save FILE PROFILE SERVICE COMMAND ARGS...
save() {
    local file="$out/$1"; shift
    mkdir -p "$(dirname "$file")"
    call "$@" >"$file.tmp"
    mv "$file.tmp" "$file"
}

# save_if_exists FILE PROFILE SERVICE COMMAND ARGS...: no file when AWS says there is none.
save_if_exists() {
    local file="$out/$1"; shift
    mkdir -p "$(dirname "$file")"
    local err
    if ! err="$(call "$@" 2>&1 >"$file.tmp")"; then
        rm -f "$file.tmp"
        if [[ "$err" == *NoSuchEntity* || "$err" == *ResourceNotFound* ]]; then
            return 0
        fi
        echo "$err" >&2
        return 1
    fi
    mv "$file.tmp" "$file"
}

# json_values FILE EXPR: the strings a Python expression over the document `d` yields, one a line.
json_values() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for v in eval(sys.argv[2]):
    print(v)' "$1" "$2"
}

export_iam() {
    local p="$1" id="$2"
    save "iam/$id.json" "$p" iam get-account-authorization-details
    save "iam/$id/roles.json" "$p" iam list-roles
    save "iam/$id/oidc-providers.json" "$p" iam list-open-id-connect-providers
    local arn host
    while read -r arn; do
        [[ -n "$arn" ]] || continue
        host="${arn#*:oidc-provider/}"
        save "iam/$id/oidc-provider/${host//\//%2F}.json" "$p" iam get-open-id-connect-provider --open-id-connect-provider-arn "$arn"
    done < <(json_values "$out/iam/$id/oidc-providers.json" '[x["Arn"] for x in d.get("OpenIDConnectProviderList", [])]')
    save "iam/$id/saml-providers.json" "$p" iam list-saml-providers
    save_if_exists "iam/$id/password-policy.json" "$p" iam get-account-password-policy
    local user
    while read -r user; do
        [[ -n "$user" ]] || continue
        save "iam/$id/access-keys/$user.json" "$p" iam list-access-keys --user-name "$user"
        save_if_exists "iam/$id/login-profile/$user.json" "$p" iam get-login-profile --user-name "$user"
    done < <(json_values "$out/iam/$id.json" '[u["UserName"] for u in d.get("UserDetailList", [])]')
}

if [[ "$organization" == 0 ]]; then
    id="$(call "$profile" sts get-caller-identity --query Account --output text)"
    export_iam "$profile" "$id"
    echo "exported account $id into $out" >&2
    exit 0
fi

# --- Organizations -------------------------------------------------------------------
save organizations/organization.json "$profile" organizations describe-organization
save organizations/roots.json "$profile" organizations list-roots
parents=()
while read -r root; do parents+=("$root"); done < <(json_values "$out/organizations/roots.json" '[r["Id"] for r in d["Roots"]]')
accounts=()
while [[ ${#parents[@]} -gt 0 ]]; do
    parent="${parents[0]}"; parents=("${parents[@]:1}")
    save "organizations/units/$parent.json" "$profile" organizations list-organizational-units-for-parent --parent-id "$parent"
    save "organizations/accounts/$parent.json" "$profile" organizations list-accounts-for-parent --parent-id "$parent"
    while read -r ou; do [[ -n "$ou" ]] && parents+=("$ou"); done < <(json_values "$out/organizations/units/$parent.json" '[u["Id"] for u in d["OrganizationalUnits"]]')
    while read -r a; do [[ -n "$a" ]] && accounts+=("$a"); done < <(json_values "$out/organizations/accounts/$parent.json" '[a["Id"] for a in d["Accounts"]]')
done
for kind in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do
    # An organization without the policy type enabled still lists its policies (none).
    save "organizations/policies/$kind.json" "$profile" organizations list-policies --filter "$kind"
    while read -r policy; do
        [[ -n "$policy" ]] || continue
        save "organizations/policy/$policy.json" "$profile" organizations describe-policy --policy-id "$policy"
        save "organizations/targets/$policy.json" "$profile" organizations list-targets-for-policy --policy-id "$policy"
    done < <(json_values "$out/organizations/policies/$kind.json" '[p["Id"] for p in d["Policies"]]')
done
management="$(json_values "$out/organizations/organization.json" '[d["Organization"]["MasterAccountId"]]')"

# --- IAM of each account with credentials ----------------------------------------------
export_iam "$profile" "$management"
for id in "${accounts[@]}"; do
    if [[ -n "${account_profiles[$id]:-}" ]]; then
        export_iam "${account_profiles[$id]}" "$id"
    elif [[ "$id" != "$management" ]]; then
        echo "note: no --account-profile for account $id: its IAM is not exported" >&2
    fi
done

# --- IAM Identity Center -----------------------------------------------------------------
if [[ "$identity_center" == 0 ]]; then
    echo "exported the organization of management account $management into $out (no Identity Center)" >&2
    exit 0
fi
save sso-admin/instances.json "$profile" sso-admin list-instances
instance="$(json_values "$out/sso-admin/instances.json" '[i["InstanceArn"] for i in d["Instances"][:1]]')"
store="$(json_values "$out/sso-admin/instances.json" '[i["IdentityStoreId"] for i in d["Instances"][:1]]')"
if [[ -n "$instance" ]]; then
    # The portal URL and the region are in no response: written for `import` as JSON.
    settings_region="$region"
    [[ -n "$settings_region" ]] || settings_region="$(aws configure get region --profile "$profile" || true)"
    [[ -n "$start_url" ]] || start_url="https://$store.awsapps.com/start"
    python3 -c 'import json, sys
print(json.dumps({"StartUrl": sys.argv[1], "Region": sys.argv[2] or None}, indent=4))' \
        "$start_url" "$settings_region" >"$out/sso-admin/settings.json"
    save identitystore/users.json "$profile" identitystore list-users --identity-store-id "$store"
    save identitystore/groups.json "$profile" identitystore list-groups --identity-store-id "$store"
    while read -r group; do
        [[ -n "$group" ]] || continue
        save "identitystore/memberships/$group.json" "$profile" identitystore list-group-memberships --identity-store-id "$store" --group-id "$group"
    done < <(json_values "$out/identitystore/groups.json" '[g["GroupId"] for g in d["Groups"]]')
    save sso-admin/permission-sets.json "$profile" sso-admin list-permission-sets --instance-arn "$instance"
    while read -r set; do
        [[ -n "$set" ]] || continue
        dir="sso-admin/permission-set/${set##*/}"
        ps=(--instance-arn "$instance" --permission-set-arn "$set")
        save "$dir/describe.json" "$profile" sso-admin describe-permission-set "${ps[@]}"
        save "$dir/managed-policies.json" "$profile" sso-admin list-managed-policies-in-permission-set "${ps[@]}"
        save "$dir/inline-policy.json" "$profile" sso-admin get-inline-policy-for-permission-set "${ps[@]}"
        save "$dir/customer-managed-policies.json" "$profile" sso-admin list-customer-managed-policy-references-in-permission-set "${ps[@]}"
        save_if_exists "$dir/permissions-boundary.json" "$profile" sso-admin get-permissions-boundary-for-permission-set "${ps[@]}"
        save "$dir/tags.json" "$profile" sso-admin list-tags-for-resource --instance-arn "$instance" --resource-arn "$set"
        save "$dir/accounts.json" "$profile" sso-admin list-accounts-for-provisioned-permission-set "${ps[@]}"
        while read -r account; do
            [[ -n "$account" ]] || continue
            save "$dir/assignments/$account.json" "$profile" sso-admin list-account-assignments "${ps[@]}" --account-id "$account"
        done < <(json_values "$out/$dir/accounts.json" 'd.get("AccountIds", [])')
    done < <(json_values "$out/sso-admin/permission-sets.json" 'd["PermissionSets"]')
fi
echo "exported the organization of management account $management into $out" >&2
