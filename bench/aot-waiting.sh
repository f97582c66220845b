#!/usr/bin/env bash
# aot-waiting.sh - the AOT cache's trained C2 compilations that a served proxy does not use (yet).
#
# JDK 25 replays a method's C2 compilation from the launcher's AOT cache (JEP 515) only once every
# class that compilation depended on in the training is initialised. The training mixes HTTP/1.1
# and h2c on two event loops, so many hot methods (Netty's writes and flushes, promises, LongAdder's
# add) were compiled with h2 classes, or with Striped64$Cell (two loops updating one counter), in
# their type profiles; a proxy whose traffic never initialises those classes (HTTP/1.1 only, one
# core) runs such methods at tier 2 until C2 compiles them from its own profile, tens of seconds in.
# Initialising the classes at start, so that the trained compilations apply, was measured and not
# kept: the trained code was slower than the late compilations (docs/PERFORMANCE.md, "Trained
# compilations that wait, session 17"). This shows which compilations wait, and for what, after a
# given traffic: the first thing to look at when the training or its traffic changes.
#
# It starts the launcher's proxy (pinned to PROXY_CPUS, h2load and the nginx backend of cost.sh on
# LOADGEN_CPUS), sends N requests of --proto, then prints every trained C2 compilation whose classes
# are still not initialised, and the classes they wait for, the most waited-for first.
#
#   bench/aot-waiting.sh [--requests N] [--proto h1|h2c] [--body small|4k]
# The launcher's cache must be trained (./archway --version after a build). Needs JDK 25's java and
# jcmd (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQUESTS=300000 PROTO=h1 BODY=small
PROXY_PORT=${PROXY_PORT:-19184} BACKEND_PORT=${BACKEND_PORT:-19180}
LOADGEN_CPUS=${LOADGEN_CPUS:-0}; PROXY_CPUS=${PROXY_CPUS:-1}
JDK=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --requests) REQUESTS=$2; shift 2;;
    --proto) PROTO=$2; shift 2;;
    --body) BODY=$2; shift 2;;
    -h|--help) sed -n 2,22p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
CACHE=$ROOT/archway-cli/target/archway-jdk25.aot
[[ -f $CACHE ]] || { echo "no $CACHE: run ./archway --version first" >&2; exit 1; }
OUT=$(mktemp -d /tmp/archway-aot-waiting.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
source "$ROOT/bench/backend-nginx.sh"
start_backend "$OUT" "$BACKEND_PORT" "$PROXY_PORT"

# What the cache holds: per method its trained compilations and the classes each depended on.
"$JDK/bin/java" -XX:AOTCache="$CACHE" -XX:+UnlockDiagnosticVMOptions -XX:+AOTPrintTrainingInfo \
  --sun-misc-unsafe-memory-access=allow -jar "$ROOT/archway-cli/target/archway.jar" --version >"$OUT/training.txt" 2>&1

JAVA_HOME=$JDK taskset -c "$PROXY_CPUS" "$ROOT/archway" serve --config "$OUT/config" --address 127.0.0.1 \
  --admin 127.0.0.1:0 --no-watch >"$OUT/proxy.out" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$PROXY_PORT/small" "$PROTO" || { echo "proxy did not start, see $OUT/proxy.out" >&2; exit 1; }
h1=(); [[ $PROTO == h1 ]] && h1=(--h1)
taskset -c "$LOADGEN_CPUS" h2load "${h1[@]}" -n "$REQUESTS" -c 64 -m 1 -t 1 "http://127.0.0.1:$PROXY_PORT/$BODY" >"$OUT/load.txt"
"$JDK/bin/jcmd" "${PIDS[-1]}" VM.classes >"$OUT/classes.txt"

python3 - "$OUT/training.txt" "$OUT/classes.txt" <<'PY'
import collections, re, sys
training, classes = sys.argv[1:3]
state = {}
for line in open(classes):
    f = line.split()
    if len(f) >= 4 and f[0].startswith('0x'):
        state[f[-1].replace('.', '/')] = f[2]
# "N: 0x.. M method LMnn" opens a method; "  C method#idLk udeps=n dep:Class[L] dep:Interface[L]I ..."
# is one of its trained compilations at level k. Interfaces are not waited for.
method, waiting = None, {}
for line in open(training):
    m = re.match(r'\s*\d+: 0x[0-9a-f]+ M (\S+) LM\d+', line)
    if m:
        method = m.group(1)
        continue
    c = re.match(r'\s+C (\S+)#\d+L4 udeps=\d+ (.*)', line)
    if c and c.group(1) == method:
        deps = [d[4:-3] for d in c.group(2).split() if d.startswith('dep:') and d.endswith('[L]')]
        missing = [d for d in deps if state.get(d) != 'fully_initialized']
        if missing:
            waiting[method.replace('[L]', '')] = missing
by_class = collections.Counter(d for v in waiting.values() for d in v)
print(f"{len(waiting)} trained C2 compilations wait for {len(by_class)} classes not initialised:")
for name, n in by_class.most_common():
    print(f"{n:5d} {name}")
print()
for method, missing in sorted(waiting.items()):
    print(f"{method} <- {' '.join(missing)}")
PY
echo "raw: $OUT" >&2
