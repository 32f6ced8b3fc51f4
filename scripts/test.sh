#!/usr/bin/env bash
# Installs what the test suite drives (real clients, image-building tools, validators), then
# builds and runs every test. .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
swift build
swift test "$@"
