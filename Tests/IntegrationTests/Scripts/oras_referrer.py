"""Pushes an artifact and a referrer with the oras Python client (oras-py), as a user would.

usage: oras_referrer.py HOST:PORT REPO SUBJECT_DIGEST SUBJECT_SIZE SUBJECT_MEDIA_TYPE WORKDIR
Prints one JSON line: {"artifact": <tag push response digest>, "referrer": <digest>}.
"""
import json
import os
import sys

import oras.client
import oras.oci

host, repo, subject_digest, subject_size, subject_type, workdir = sys.argv[1:7]
client = oras.client.OrasClient(hostname=host, insecure=True)

os.chdir(workdir)
with open("notes.txt", "w") as f:
    f.write("an artifact pushed by oras-py\n")
with open("sbom.json", "w") as f:
    json.dump({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}, f)
with open("config.json", "w") as f:
    f.write("{}")

artifact = client.push(files=["notes.txt"], target=f"{host}/{repo}:notes")
subject = oras.oci.Subject(mediaType=subject_type, digest=subject_digest, size=int(subject_size))
referrer = client.push(
    files=["sbom.json"],
    target=f"{host}/{repo}:sbom",
    manifest_config="config.json:application/vnd.example.sbom.config",
    subject=subject,
)
print(json.dumps({
    "artifact_status": artifact.status_code,
    "referrer_status": referrer.status_code,
    "referrer_digest": referrer.headers.get("Docker-Content-Digest"),
}))
