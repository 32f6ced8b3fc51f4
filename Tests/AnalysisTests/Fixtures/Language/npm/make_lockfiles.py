#!/usr/bin/env python3
"""Regenerates the npm and yarn lockfiles in this folder with the real tools, offline.

A throw-away npm registry on 127.0.0.1 serves packages packed (`npm pack`) from Debian's
/usr/share/nodejs (ms 2.1.3, debug 4.3.4, minimist, json5, @types/debug, @types/ms) plus one
re-versioned copy (ms 2.1.2, which debug pins exactly, so npm nests it). The project:

  dependencies:    debug ^4.3.4, ms ^2.1.3, @types/debug ^4.1.7, ms-alias npm:ms@2.1.2
  devDependencies: minimist ^1.2.7, json5 ^2.2.3
  workspaces:      packages/local-lib (local-lib 0.1.0)

usage: make_lockfiles.py OUT_DIR   (needs npm, yarnpkg, and Debian's node-* packages)
"""
import base64, hashlib, http.server, json, os, shutil, subprocess, sys, tarfile, threading, urllib.parse

OUT = os.path.abspath(sys.argv[1])
W = "/tmp/drydock-npm-fixtures"
shutil.rmtree(W, ignore_errors=True)
os.makedirs(f"{W}/tarballs")
ENV = dict(os.environ, npm_config_cache=f"{W}/npm-cache", YARN_CACHE_FOLDER=f"{W}/yarn-cache",
           NODE_PATH="/usr/share/nodejs:/usr/lib/nodejs", npm_config_update_notifier="false",
           npm_config_audit="false", npm_config_fund="false")

SOURCES = [("ms", None), ("debug", None), ("minimist", None), ("json5", None),
           ("@types/debug", None), ("@types/ms", None), ("ms", "2.1.2")]
packuments = {}
for name, new_version in SOURCES:
    src = f"{W}/src/{name}-{new_version or 'debian'}"
    shutil.copytree(f"/usr/share/nodejs/{name}", src, symlinks=False)
    manifest = json.load(open(f"{src}/package.json"))
    if new_version:
        manifest["version"] = new_version
    manifest.pop("scripts", None)
    json.dump(manifest, open(f"{src}/package.json", "w"), indent=2)
    tgz = subprocess.run(["npm", "pack", "--pack-destination", f"{W}/tarballs", src], env=ENV,
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    data = open(f"{W}/tarballs/{tgz}", "rb").read()
    version = manifest["version"]
    entry = dict(manifest)
    entry["dist"] = {"tarball": f"http://127.0.0.1:{{port}}/tarballs/{tgz}",
                     "shasum": hashlib.sha1(data).hexdigest(),
                     "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()}
    doc = packuments.setdefault(name, {"name": name, "versions": {}, "dist-tags": {}})
    doc["versions"][version] = entry
    latest = doc["dist-tags"].get("latest")
    if latest is None or [int(x) for x in version.split(".")] > [int(x) for x in latest.split(".")]:
        doc["dist-tags"]["latest"] = version


class Registry(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?")[0]).lstrip("/")
        if path.startswith("tarballs/"):
            body, kind = open(f"{W}/{path}", "rb").read(), "application/octet-stream"
        elif path in packuments:
            text = json.dumps(packuments[path]).replace("{port}", str(self.server.server_port))
            body, kind = text.encode(), "application/json"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
threading.Thread(target=server.serve_forever, daemon=True).start()
registry = f"http://127.0.0.1:{server.server_port}/"


def project(directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(f"{directory}/packages/local-lib")
    json.dump({"name": "local-lib", "version": "0.1.0", "license": "ISC"},
              open(f"{directory}/packages/local-lib/package.json", "w"), indent=2)
    json.dump({"name": "fixture-app", "version": "1.0.0", "private": True, "license": "MIT",
               "workspaces": ["packages/*"],
               "dependencies": {"debug": "^4.3.4", "ms": "^2.1.3", "@types/debug": "^4.1.7",
                                "ms-alias": "npm:ms@2.1.2"},
               "devDependencies": {"minimist": "^1.2.7", "json5": "^2.2.3"}},
              open(f"{directory}/package.json", "w"), indent=2)


os.makedirs(OUT, exist_ok=True)
for lockfile_version in (1, 2, 3):
    d = f"{W}/npm-v{lockfile_version}"
    project(d)
    subprocess.run(["npm", "install", "--registry", registry, f"--lockfile-version={lockfile_version}",
                    "--ignore-scripts"], cwd=d, env=ENV, check=True)
    shutil.copy(f"{d}/package-lock.json", f"{OUT}/package-lock-v{lockfile_version}.json")
    if lockfile_version == 3:
        subprocess.run(["npm", "ls", "--all", "--json"], cwd=d, env=ENV, check=True,
                       stdout=open(f"{OUT}/npm-ls.json", "w"))

d = f"{W}/yarn"
project(d)
subprocess.run(["yarnpkg", "install", "--registry", registry, "--ignore-scripts", "--non-interactive"],
               cwd=d, env=ENV, check=True)
shutil.copy(f"{d}/yarn.lock", f"{OUT}/yarn.lock")
subprocess.run(["yarnpkg", "list", "--json", "--registry", registry], cwd=d, env=ENV, check=True,
               stdout=open(f"{OUT}/yarn-list.json", "w"))
server.shutdown()
