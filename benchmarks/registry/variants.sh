#!/usr/bin/env bash
# Manifest GET (wrk, c=32 by default) against several Drydock servers at once, measured in
# interleaved rounds: for comparing builds (copy a binary aside before changing the code) or
# access configurations on this noisy 2-core machine, where only back-to-back ratios mean much.
#
#   CONFIGS="LABEL:BINARY:AUTH:BEARER:LOGS …" benchmarks/registry/variants.sh
#     AUTH off|on (--auth disabled or not), BEARER 1 = send a pull token's bearer token
#     (0 with auth on = anonymous pull enabled), LOGS 1|0 = resource logs on or off.
#   REPS (5), DUR seconds per run (4), CONC (32), URLPATH (/v2/bench/app/manifests/v1),
#   VARIANTS_TMP (/tmp: where the servers keep their data; /dev/shm puts it in memory).
#
# Prints per configuration the median req/s and server CPU µs/request (user + system from /proc),
# and both as ratios to the first configuration (also the median of per-round ratios).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${DRYDOCK_BINARY:-$ROOT/.build/release/drydock}
CONFIGS=${CONFIGS:-"anonymous:$BIN:off:0:0 bearer+logs:$BIN:on:1:1"}
REPS=${REPS:-5}; DUR=${DUR:-4}; CONC=${CONC:-32}; URLPATH=${URLPATH:-/v2/bench/app/manifests/v1}
W=$(mktemp -d "${VARIANTS_TMP:-/tmp}/drydock-variants.XXXXXX"); PW=bench-admin-password
declare -A PID PORT BEAR; LABELS=()
port=${BASE_PORT:-5260}
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' > $W/config
C=sha256:$(sha256sum $W/config | cut -d' ' -f1)
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[]}' $C $(stat -c %s $W/config) > $W/manifest
for cfg in $CONFIGS; do
  IFS=: read -r label bin auth bearer logs <<<"$cfg"; LABELS+=($label); port=$((port+1)); PORT[$label]=$port
  if [[ $auth == off ]]; then DRYDOCK_LOG_LEVEL=warning $bin serve --defender disabled --auth disabled --listen 127.0.0.1:$port --data $W/$label >/dev/null 2>&1 &
  else DRYDOCK_LOG_LEVEL=warning DRYDOCK_ADMIN_PASSWORD=$PW $bin serve --defender disabled --listen 127.0.0.1:$port --data $W/$label >/dev/null 2>&1 & fi
  PID[$label]=$!
done
trap 'kill -9 ${PID[@]}; rm -rf $W' EXIT
sleep 2
TOKEN=
for cfg in $CONFIGS; do
  IFS=: read -r label bin auth bearer logs <<<"$cfg"; port=${PORT[$label]}
  curl -sf -u admin:$PW -X POST --data-binary @$W/config "http://127.0.0.1:$port/v2/bench/app/blobs/uploads/?digest=$C" >/dev/null || echo "push failed $label"
  curl -sf -u admin:$PW -X PUT --data-binary @$W/manifest -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/bench/app/manifests/v1" >/dev/null
  if [[ $auth == on ]]; then
    TP=$(curl -sf -u admin:$PW -H 'Content-Type: application/json' -d '{"name":"bench","scopes":[{"repository":"bench/*","actions":["pull"]}]}' http://127.0.0.1:$port/admin/tokens | python3 -c 'import json,sys; print(json.load(sys.stdin)["password"])')
    BEAR[$label]=$(curl -sf -u "bench:$TP" "http://127.0.0.1:$port/token?service=drydock&scope=repository:bench/app:pull" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    TOKEN=${BEAR[$label]}
    [[ $logs == 0 ]] && curl -sf -u admin:$PW -X PATCH -H 'Content-Type: application/json' -d '{"enabled":false}' http://127.0.0.1:$port/admin/logs/settings >/dev/null
    [[ $bearer == 0 ]] && curl -sf -u admin:$PW -X PATCH -H 'Content-Type: application/json' -d '{"anonymousPull":true}' http://127.0.0.1:$port/admin/network >/dev/null
  fi
done
TICK=$(( 1000000 / $(getconf CLK_TCK) ))
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
declare -A R C
for i in $(seq $REPS); do
  # Each round starts one configuration later than the last, so that none is always measured
  # first (or right after the same neighbour) while the machine's speed drifts.
  read -r -a ALL <<<"$CONFIGS"; n=${#ALL[@]}
  for k in $(seq 0 $((n - 1))); do
    cfg=${ALL[$(( (k + i) % n ))]}
    IFS=: read -r label bin auth bearer logs <<<"$cfg"
    hdr=(); [[ $bearer == 1 ]] && hdr=(-H "Authorization: Bearer ${BEAR[$label]:-$TOKEN}")
    b=$(ticks ${PID[$label]})
    out=$(wrk -t2 -c$CONC -d${DUR}s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "${hdr[@]}" http://127.0.0.1:${PORT[$label]}$URLPATH)
    a=$(ticks ${PID[$label]})
    read -r r c <<<"$(awk -v cpu=$(( (a-b)*TICK )) '/Requests\/sec/ {r=$2} / requests in / {n=$1} / Non-2xx/ {bad=1} END {printf "%.0f %.1f\n", (bad?0:r), cpu/n}' <<<"$out")"
    R[$label]+="$r "; C[$label]+="$c "
  done
done
for l in "${LABELS[@]}"; do echo "$l|${R[$l]}|${C[$l]}"; done | python3 -c '
import sys, statistics as st
rows=[l.strip().split("|") for l in sys.stdin]
base=None
for label,r,c in rows:
    r=list(map(float,r.split())); c=list(map(float,c.split()))
    if base is None: base=(r,c)
    rel=st.median([x/y for x,y in zip(r,base[0])])
    print(f"{label:10s} req/s {st.median(r):7.0f}  cpu µs {st.median(c):6.1f}  vs first: req/s {st.median(r)/st.median(base[0][:len(r)]):.3f} (per-rep {rel:.3f}) cpu {st.median(c)/st.median(base[1]):.3f}   reps {[int(x) for x in r]}")
'
