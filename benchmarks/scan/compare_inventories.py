#!/usr/bin/env python3
"""Compare package inventories of the same image from Drydock, Syft and Trivy.

    compare_inventories.py DRYDOCK.json SYFT.json TRIVY.cdx.json [--json]

Inputs: `drydock sbom --format json`, `syft … -o syft-json`, `trivy image --format cyclonedx`.
Packages are keyed by purl type + name (PyPI names PEP 503-normalised, Maven as group:artifact,
rpm/deb versions with their epoch), so the three tools' spellings meet. Prints:

  agreed-but-different  packages both peers report with the same version, which Drydock lacks
                        or reports with another version (the accuracy bar: must be empty)
  only-drydock / only-peers / version differences, for docs/accuracy.md
"""
import json
import re
import sys
from collections import defaultdict
from urllib.parse import unquote


def parse_purl(purl):
    if not purl or not purl.startswith("pkg:"):
        return None
    rest = purl[4:]
    rest, _, _subpath = rest.partition("#")
    rest, _, query = rest.partition("?")
    qualifiers = dict(q.split("=", 1) for q in query.split("&") if "=" in q)
    path, _, version = rest.rpartition("@") if "@" in rest else (rest, "", "")
    parts = [unquote(p) for p in path.split("/")]
    ptype, name_parts = parts[0].lower(), parts[1:]
    version = unquote(version)
    if ptype in ("deb", "rpm", "apk"):
        name = name_parts[-1]
        epoch = qualifiers.get("epoch")
        if epoch and epoch != "0" and not re.match(r"^\d+:", version):
            version = f"{epoch}:{version}"
    elif ptype == "maven":
        name = ":".join(name_parts[-2:]) if len(name_parts) >= 2 else name_parts[-1]
    elif ptype == "pypi":
        name = re.sub(r"[-_.]+", "-", name_parts[-1]).lower()
    elif ptype == "npm":
        name = "/".join(name_parts)
    elif ptype == "golang":
        name = "/".join(name_parts)
    else:
        name = "/".join(name_parts)
    return ptype, name, version


def drydock_packages(path):
    doc = json.load(open(path))
    out = set()
    for image in doc["images"]:
        for p in image["packages"]:
            key = parse_purl(p.get("purl"))
            if key:
                out.add(key)
    return out


def syft_packages(path):
    doc = json.load(open(path))
    return {k for a in doc.get("artifacts", []) if (k := parse_purl(a.get("purl")))}


def trivy_packages(path):
    doc = json.load(open(path))
    return {k for c in doc.get("components", []) if (k := parse_purl(c.get("purl")))}


def by_name(packages):
    out = defaultdict(set)
    for t, n, v in packages:
        out[(t, n)].add(v)
    return out


def compare(drydock, syft, trivy):
    d, s, t = by_name(drydock), by_name(syft), by_name(trivy)
    agreed_but_different = []
    for key in sorted(set(s) & set(t)):
        for version in sorted(s[key] & t[key]):
            if version not in d.get(key, set()):
                agreed_but_different.append({"type": key[0], "name": key[1], "peersVersion": version,
                                             "drydock": sorted(d.get(key, set()))})
    rows = {"agreedButDifferent": agreed_but_different, "onlyDrydock": [], "missingFromDrydock": [],
            "versionDifferences": []}
    for key in sorted(set(d) | set(s) | set(t)):
        dv, sv, tv = d.get(key, set()), s.get(key, set()), t.get(key, set())
        entry = {"type": key[0], "name": key[1], "drydock": sorted(dv), "syft": sorted(sv), "trivy": sorted(tv)}
        if dv and not sv and not tv:
            rows["onlyDrydock"].append(entry)
        elif not dv:
            rows["missingFromDrydock"].append(entry)
        elif (sv and sv != dv) or (tv and tv != dv):
            rows["versionDifferences"].append(entry)
    return rows


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        sys.exit(__doc__)
    rows = compare(drydock_packages(args[0]), syft_packages(args[1]), trivy_packages(args[2]))
    if "--json" in sys.argv:
        json.dump(rows, sys.stdout, indent=1)
        print()
        return
    for section, entries in rows.items():
        print(f"## {section}: {len(entries)}")
        for e in entries:
            print("  " + json.dumps(e))


if __name__ == "__main__":
    main()
