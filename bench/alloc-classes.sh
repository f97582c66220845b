#!/usr/bin/env bash
# alloc-classes.sh - what a proxied request allocates, class by class, exactly.
#
# Starts the proxy (pinned to PROXY_CPUS) in front of the one-worker nginx backend of cost.sh
# (pinned with h2load to LOADGEN_CPUS) under the Epsilon collector, which never frees anything, so
# that a heap histogram counts every object allocated so far, the dead ones too (jcmd
# GC.class_histogram -all walks the heap without collecting). It warms the proxy up, takes a
# histogram, sends N requests, takes another, and prints the difference per request: bytes and
# objects per class, the largest first. JFR's allocation samples name the allocating stacks but
# weigh a class by the TLAB it happened to fill; this counts. Objects that escape analysis keeps off
# the heap are not counted, as they are not allocated.
#
#   bench/alloc-classes.sh [--requests N] [--warmup N] [--proto h1|h2c] [--body small|4k] [--top K] CMD
#
# CMD starts the proxy and gets "serve --config DIR --address 127.0.0.1 --admin 127.0.0.1:0
# --no-watch" appended, as cost.sh's variants do (e.g. 'java -jar archway-cli/target/archway.jar' or
# ./archway); the collector and an 8 GiB heap go in through JAVA_TOOL_OPTIONS, so CMD keeps its own
# JVM options but must not set the heap's size (Epsilon would run out within the warm-up). The
# launcher's AOT cache must be trained before (run `./archway --version` once after a build), or its
# training would run under Epsilon too.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQUESTS=100000 WARMUP=300000 PROTO=h1 BODY=small TOP=30 CONNS=64
PROXY_PORT=${PROXY_PORT:-19084} BACKEND_PORT=${BACKEND_PORT:-19080}
LOADGEN_CPUS=${LOADGEN_CPUS:-0}; PROXY_CPUS=${PROXY_CPUS:-1}
CMD=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --requests) REQUESTS=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --proto) PROTO=$2; shift 2;;
    --body) BODY=$2; shift 2;;
    --top) TOP=$2; shift 2;;
    -h|--help) sed -n 2,22p "$0"; exit 0;;
    -*) echo "unknown option $1" >&2; exit 2;;
    *) CMD=$1; shift;;
  esac
done
[[ -n $CMD ]] || { echo "no command given (see --help)" >&2; exit 2; }
for tool in nginx h2load jcmd taskset curl python3; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

OUT=$(mktemp -d /tmp/archway-alloc.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

source "$ROOT/bench/backend-nginx.sh"
start_backend "$OUT" "$BACKEND_PORT" "$PROXY_PORT"

# 8 GiB of address space: Epsilon commits only what is allocated (about 2 KiB per request).
JAVA_TOOL_OPTIONS="-Xmx8g -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC" \
  taskset -c "$PROXY_CPUS" $CMD serve --config "$OUT/config" --address 127.0.0.1 --admin 127.0.0.1:0 \
  --no-watch >"$OUT/proxy.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$PROXY_PORT/small" "$PROTO" || { echo "proxy did not start: $OUT/proxy.log" >&2; exit 1; }
# The JVM under CMD (the launcher execs it; a wrapper may not).
JVM=$(pgrep -n -f "serve --config $OUT/config")

load() {  # N
  local h1=(); [[ $PROTO == h1 ]] && h1=(--h1)
  taskset -c "$LOADGEN_CPUS" h2load "${h1[@]}" -n "$1" -c "$CONNS" -m 1 -t 1 \
    "http://127.0.0.1:$PROXY_PORT/$BODY" | grep -E '^requests:'
}
histogram() { env -u JAVA_TOOL_OPTIONS jcmd "$JVM" GC.class_histogram -all >"$1"; }

load "$WARMUP" >/dev/null
histogram "$OUT/before.txt"
echo "$PROTO $BODY, $REQUESTS requests after $WARMUP: $(load "$REQUESTS")"
histogram "$OUT/after.txt"

python3 - "$OUT/before.txt" "$OUT/after.txt" "$REQUESTS" "$TOP" <<'EOF'
import re, sys

def histogram(path):
    rows = {}
    for line in open(path):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows

before, after = histogram(sys.argv[1]), histogram(sys.argv[2])
n, top = int(sys.argv[3]), int(sys.argv[4])
rows = []
for name, (count, size) in after.items():
    count0, size0 = before.get(name, (0, 0))
    if size > size0:
        rows.append(((size - size0) / n, (count - count0) / n, name))
rows.sort(reverse=True)
print("per request: %.1f B in %.2f objects" % (sum(r[0] for r in rows), sum(r[1] for r in rows)))
print("| class | B/request | objects/request |")
print("|---|---:|---:|")
for b, c, name in rows[:top]:
    print("| `%s` | %.1f | %.3f |" % (name, b, c))
EOF
echo "histograms: $OUT"
