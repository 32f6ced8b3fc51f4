#!/usr/bin/env python3
"""Writes expected.tsv (name, version, dev) for pnpm-lock.yaml: names and versions as syft 1.18.1
reports them (`syft dir:. -o json`), except that syft 1.18.1 keeps 5.x peer suffixes in versions
(`6.0.1_eslint@8.24.0`), which are cut at the `_` here; dev flags from the lockfile's `dev:`
fields read with PyYAML."""
import json, os, re, subprocess, yaml
lock = yaml.safe_load(open("pnpm-lock.yaml"))
dev = {}
for key, info in lock["packages"].items():
    m = re.match(r"^/((?:@[^/]+/)?[^/]+)/([^_]+)", key)
    name, version = m.group(1), m.group(2)
    dev[(name, version)] = dev.get((name, version), True) and bool(info.get("dev"))
env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
syft = json.loads(subprocess.run(["syft", "dir:.", "-o", "json", "-q"], env=env, check=True,
                                 capture_output=True, text=True).stdout)
found = sorted({(a["name"], a["version"].split("_")[0]) for a in syft["artifacts"]})
assert set(found) == set(dev), set(found) ^ set(dev)
with open("expected.tsv", "w") as out:
    for name, version in found:
        out.write(f"{name}\t{version}\t{'dev' if dev[(name, version)] else 'prod'}\n")
