#!/usr/bin/env python3
"""Lay out a file:// Go module proxy (GOPROXY protocol: <module>/@v/{list,<v>.info,<v>.mod,<v>.zip})
from module source folders named <module path>@<version>.

usage: make-proxy.py MODULES_DIR PROXY_DIR
"""
import os
import sys
import zipfile

src, out = sys.argv[1], sys.argv[2]
ZDATE = (2023, 11, 14, 22, 13, 20)
for dirpath, dirnames, _ in os.walk(src):
    for d in list(dirnames):
        if "@" not in d:
            continue
        dirnames.remove(d)
        name, version = d.split("@", 1)
        module = os.path.relpath(os.path.join(dirpath, name), src)
        moddir = os.path.join(dirpath, d)
        vdir = os.path.join(out, module, "@v")
        os.makedirs(vdir, exist_ok=True)
        with open(os.path.join(vdir, "list"), "a") as f:
            f.write(version + "\n")
        with open(os.path.join(vdir, version + ".info"), "w") as f:
            f.write('{"Version":"%s","Time":"2023-11-14T22:13:20Z"}\n' % version)
        with open(os.path.join(moddir, "go.mod"), "rb") as f:
            gomod = f.read()
        with open(os.path.join(vdir, version + ".mod"), "wb") as f:
            f.write(gomod)
        with zipfile.ZipFile(os.path.join(vdir, version + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
            for fn in sorted(os.listdir(moddir)):
                zi = zipfile.ZipInfo(f"{module}@{version}/{fn}", ZDATE)
                with open(os.path.join(moddir, fn), "rb") as f:
                    z.writestr(zi, f.read())
