#!/usr/bin/env python3
"""Extract argument names of the AWS Terraform provider 6.x for the resources we emit.

    scripts/extract-tf-schema.py [PACKAGE.tgz]   # writes tests/terraform/provider-aws-6-schema.json

The source is the npm package @cdktn/provider-aws (pinned below), which carries bindings
generated from the provider's own schema (`cdktf.provider.version` in its package.json):
  - its JSII manifest `.jsii` lists, per resource, the `...Config` struct with one property per
    argument or block, `optional` absent when the provider marks the argument required;
  - its compiled `lib/<resource>/index.js` maps each property back to the provider's
    snake_case name (`synthesizeAttributes()` for the resource, `<struct>ToTerraform()` for
    nested blocks).
Without PACKAGE.tgz the script runs `npm pack` for the pinned version and checks its sha512
integrity. The output is small and committed; the Rust test tests/e2e/tf_schema.rs checks our
`.tf.json` against it with no network.
"""

import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@cdktn/provider-aws"
PACKAGE_VERSION = "25.7.0"
PACKAGE_INTEGRITY = (
    "sha512-E/nhu0yVZE4mXMgIPuI8tEFt1BExLkA7ARjihdG+/HmfDfzLr+OEF3dkFRvI6glRt30lrrBWQLwXqCJBxcmyUg=="
)
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "terraform", "provider-aws-6-schema.json")

# What the emitters may write: IAM, Identity Center, Identity Store, Organizations, Budgets,
# CloudFormation StackSets (OU baselines).
RESOURCES = [
    "aws_iam_account_alias",
    "aws_iam_account_password_policy",
    "aws_iam_group",
    "aws_iam_group_membership",
    "aws_iam_group_policy",
    "aws_iam_group_policy_attachment",
    "aws_iam_instance_profile",
    "aws_iam_openid_connect_provider",
    "aws_iam_policy",
    "aws_iam_role",
    "aws_iam_role_policies_exclusive",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_role_policy_attachments_exclusive",
    "aws_iam_saml_provider",
    "aws_iam_user",
    "aws_iam_user_group_membership",
    "aws_iam_user_policy",
    "aws_iam_user_policy_attachment",
    "aws_identitystore_group",
    "aws_identitystore_group_membership",
    "aws_identitystore_user",
    "aws_organizations_account",
    "aws_organizations_delegated_administrator",
    "aws_organizations_organization",
    "aws_organizations_organizational_unit",
    "aws_organizations_policy",
    "aws_organizations_policy_attachment",
    "aws_ssoadmin_account_assignment",
    "aws_ssoadmin_customer_managed_policy_attachment",
    "aws_ssoadmin_managed_policy_attachment",
    "aws_ssoadmin_permission_set",
    "aws_ssoadmin_permission_set_inline_policy",
    "aws_ssoadmin_permissions_boundary_attachment",
    "aws_budgets_budget",
    "aws_cloudformation_stack_set",
    "aws_cloudformation_stack_set_instance",
]
DATA_SOURCES = [
    "aws_caller_identity",
    "aws_iam_policy",
    "aws_iam_role",
    "aws_identitystore_group",
    "aws_identitystore_user",
    "aws_organizations_organization",
    "aws_organizations_organizational_units",
    "aws_partition",
    "aws_ssoadmin_instances",
    "aws_ssoadmin_permission_set",
]

LINK = re.compile(r"docs/(resources|data-sources)/(\w+) (aws_\w+)\}")


def fetch(tmp):
    subprocess.run(
        ["npm", "pack", "--silent", f"{PACKAGE}@{PACKAGE_VERSION}", "--pack-destination", tmp],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (name,) = [n for n in os.listdir(tmp) if n.endswith(".tgz")]
    return os.path.join(tmp, name)


def check_integrity(data):
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != PACKAGE_INTEGRITY:
        sys.exit(f"integrity of the package is {got}, expected {PACKAGE_INTEGRITY}")


def type_of(t, types):
    """A short text for a jsii type, and the fqn of a nested block struct if it is one."""
    if "union" in t:
        # cdktn writes `X | IResolvable`: the IResolvable arm is a token, not a type.
        arms = [a for a in t["union"]["types"] if a.get("fqn") != "cdktn.IResolvable"]
        if len(arms) == 1:
            return type_of(arms[0], types)
        return "|".join(type_of(a, types)[0] for a in arms), None
    if "primitive" in t:
        return {"boolean": "bool"}.get(t["primitive"], t["primitive"]), None
    if "collection" in t:
        inner, fqn = type_of(t["collection"]["elementtype"], types)
        kind = {"array": "list", "map": "map"}[t["collection"]["kind"]]
        if fqn:
            return f"{kind}(block)", fqn
        return f"{kind}({inner})", None
    if "fqn" in t:
        fqn = t["fqn"]
        if types.get(fqn, {}).get("kind") == "interface" and types[fqn].get("datatype"):
            return "block", fqn
        return fqn, None
    return json.dumps(t), None


def pairs(js, body_start):
    """snake_name -> camelName from the `return { a: f(this._b), ... }` after body_start."""
    start = js.index("return {", body_start)
    end = js.index("};", start)
    out = {}
    for snake, camel in re.findall(r"\n\s+(\w+): [^\n]*?(?:this\._|struct\.)(\w+)", js[start:end]):
        out[snake] = camel
    return out


def struct_schema(fqn, js, types):
    struct = types[fqn]
    fn = struct["name"][0].lower() + struct["name"][1:] + "ToTerraform(struct)"
    start = js.index("function " + fn)
    return props_schema(struct, pairs(js, start), js, types)


def props_schema(struct, mapping, js, types):
    by_camel = {p["name"]: p for p in struct["properties"]}
    args, blocks = {}, {}
    for snake, camel in sorted(mapping.items()):
        prop = by_camel[camel]
        text, fqn = type_of(prop["type"], types)
        required = not prop.get("optional", False)
        if fqn:
            inner = struct_schema(fqn, js, types)
            inner["nesting"] = "single" if text == "block" else "list"
            if required:
                inner["required"] = True
            blocks[snake] = inner
        else:
            args[snake] = {"type": text, "required": True} if required else {"type": text}
    out = {"arguments": args}
    if blocks:
        out["blocks"] = blocks
    return out


def main(argv):
    with tempfile.TemporaryDirectory() as tmp:
        tgz = argv[1] if len(argv) > 1 else fetch(tmp)
        with open(tgz, "rb") as f:
            data = f.read()
    check_integrity(data)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        pkg = json.load(tar.extractfile("package/package.json"))
        assert pkg["name"] == PACKAGE and pkg["version"] == PACKAGE_VERSION, pkg["version"]
        types = json.load(tar.extractfile("package/.jsii"))["types"]
        classes = {}
        for fqn, t in types.items():
            m = LINK.search(t.get("docs", {}).get("summary", "")) if t.get("kind") == "class" else None
            if m:
                kind = "resource" if m.group(1) == "resources" else "data"
                classes[(kind, m.group(3))] = fqn
        sources = {}

        def js_of(fqn):
            path = "package/lib/" + types[fqn]["locationInModule"]["filename"][4:-3] + ".js"
            if path not in sources:
                sources[path] = tar.extractfile(path).read().decode()
            return sources[path]

        def schema_of(kind, name):
            fqn = classes.get((kind, name))
            if fqn is None:
                sys.exit(f"{kind} `{name}` is not in {PACKAGE}@{PACKAGE_VERSION}")
            js = js_of(fqn)
            start = js.index("synthesizeAttributes() {")
            return props_schema(types[fqn + "Config"], pairs(js, start), js, types)

        provider_fqn = f"{PACKAGE}.provider.AwsProvider"
        js = js_of(provider_fqn)
        provider = props_schema(
            types[provider_fqn + "Config"], pairs(js, js.index("synthesizeAttributes() {")), js, types
        )
        doc = {
            "source": {
                "npm": f"{PACKAGE}@{PACKAGE_VERSION}",
                "integrity": PACKAGE_INTEGRITY,
                "provider": pkg["cdktf"]["provider"]["name"],
                "provider_version": pkg["cdktf"]["provider"]["version"],
                "generated_by": "scripts/extract-tf-schema.py",
            },
            "provider": provider,
            "resources": {r: schema_of("resource", r) for r in RESOURCES},
            "data_sources": {d: schema_of("data", d) for d in DATA_SOURCES},
        }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
