#!/usr/bin/env bash
# Builds Drydock (release) and starts it on its embedded store: registry, defender and admin
# API on 127.0.0.1:5000, data in ./drydock-data. Extra arguments go to `drydock serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
swift build -c release
exec .build/release/drydock serve "$@"
