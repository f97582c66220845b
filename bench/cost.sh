#!/usr/bin/env bash
# cost.sh - cost per request of archway variants, a figure that survives a busy box.
#
# For each variant it starts the proxy (pinned to PROXY_CPUS) in front of a one-worker nginx
# backend (pinned with the load generator to LOADGEN_CPUS), warms it up, then sends a fixed number of
# requests with h2load (HTTP/1.1 with --h1, or h2c) and reports, per request:
#   cpu_us     proxy CPU time (user + sys, perf task-clock, every thread: JIT and GC included) / requests
#   loop user / loop sys   the event loops' user and kernel CPU time / requests (utime and stime of
#              /proc/PID/task/TID/stat, clock ticks: coarse below a few seconds)
#   syscalls   proxy system calls (perf raw_syscalls:sys_enter) / requests
#   cs         proxy context switches / requests
#   alloc_B    Java heap bytes allocated by all threads / requests (JFR jdk.ThreadAllocationStatistics
#              at the start and the end of the window: exact, whatever the heap settings)
#   gc/100k    young collections per 100,000 requests, and their mean and longest pause (ms; pauses
#              lengthen on a loaded box, the count does not)
# Variants run in rotated order for --rounds rounds; medians are printed at the end. CPU time per
# request still rises on a loaded box (shared caches, SMT), so compare variants of the same run;
# syscalls and allocation per request are counts and barely move.
#
#   bench/cost.sh [--requests N] [--warmup N] [--rounds N] [--proto h1|h2c] [--body small|4k]
#                 [--connections N] [--profile] [--nginx] --variant NAME 'java ... -jar JAR' [--variant NAME '...']...
# --nginx adds nginx as a reference variant named "nginx", in the rotation like the others: one worker,
# configured as ../shared/bench/proxy-bench.sh configures its nginx proxy, pinned to PROXY_CPUS, the
# same warm-up and measured load. Its CPU, system calls and context switches are its master's and
# worker's; "loop" is the worker's; allocation and young GCs do not apply (0). Per-request CPU beside
# nginx's in one run is the harness's rps per proxy core without its run-to-run noise.
# --profile also samples the proxy's CPU (JFR jdk.ExecutionSample every 2 ms, stacks 512 deep) in
# the measured window and prints, per variant over its rounds, the top methods and classes by self
# and inclusive samples (bench/jfr-top.py; the sampling itself costs some CPU, so compare variants
# of one run, with or without it, not across).
# The variant's command gets "serve --config DIR --address 127.0.0.1 --admin 127.0.0.1:0 --no-watch"
# appended.
# Example (two jars, see bench/ab.sh to build them):
#   bench/cost.sh --rounds 3 --variant A 'java -Xmx512m -Xmn256m -jar /tmp/a.jar' \
#                            --variant B 'java -Xmx512m -Xmn256m -jar /tmp/b.jar'
# Ports: BACKEND_PORT (default 24080, h2c backend on +10) and PROXY_PORT (24084). Only processes
# started here are stopped, by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQUESTS=200000; WARMUP=300000; ROUNDS=2; PROTO=h1; BODY=small; CONNS=64; PROFILE=; NGINX=
BACKEND_PORT=${BACKEND_PORT:-24080}; PROXY_PORT=${PROXY_PORT:-24084}
LOADGEN_CPUS=${LOADGEN_CPUS:-0}; PROXY_CPUS=${PROXY_CPUS:-1}
NAMES=(); CMDS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --requests) REQUESTS=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --rounds) ROUNDS=$2; shift 2;;
    --proto) PROTO=$2; shift 2;;
    --body) BODY=$2; shift 2;;
    --connections) CONNS=$2; shift 2;;
    --profile) PROFILE=1; shift;;
    --nginx) NGINX=1; shift;;
    --variant) NAMES+=("$2"); CMDS+=("$3"); shift 3;;
    -h|--help) sed -n 2,37p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[[ -n $NGINX ]] && { NAMES+=(nginx); CMDS+=(""); }
[[ ${#NAMES[@]} -gt 0 ]] || { echo "no --variant given" >&2; exit 2; }
for tool in nginx h2load perf taskset curl; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

OUT=$(mktemp -d /tmp/archway-cost.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# ---- backend: the same nginx as ../shared/bench/proxy-bench.sh
source "$ROOT/bench/backend-nginx.sh"
start_backend "$OUT" "$BACKEND_PORT" "$PROXY_PORT"
[[ $PROTO == h2c ]] && h2=http2 || h2=
[[ -n $NGINX ]] && nginx_proxy_conf "$OUT" "$PROXY_PORT" "$BACKEND_PORT" $h2

load() {  # N -> h2load output
  local h1=(); [[ $PROTO == h1 ]] && h1=(--h1)
  taskset -c "$LOADGEN_CPUS" h2load "${h1[@]}" -n "$1" -c "$CONNS" -m 1 -t 1 \
    "http://127.0.0.1:$PROXY_PORT/$BODY"
}

cat >"$OUT/alloc.jfc" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics">
    <setting name="enabled">true</setting>
    <setting name="period">everyChunk</setting>
  </event>
EOF
if [[ -n $PROFILE ]]; then
  cat >>"$OUT/alloc.jfc" <<'EOF'
  <event name="jdk.ExecutionSample">
    <setting name="enabled">true</setting>
    <setting name="period">2 ms</setting>
  </event>
  <event name="jdk.NativeMethodSample">
    <setting name="enabled">true</setting>
    <setting name="period">20 ms</setting>
  </event>
EOF
fi
echo '</configuration>' >>"$OUT/alloc.jfc"
STACKDEPTH=""; [[ -n $PROFILE ]] && STACKDEPTH="-XX:FlightRecorderOptions:stackdepth=512"
# User and system CPU ticks of the event loops (threads archway-io-*: the proxy's own work, without
# the JIT compiler, GC and JFR threads), from utime and stime of /proc/PID/task/TID/stat.
loop_ticks() {
  local u=0 s=0 t f
  for t in /proc/"$1"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == @(archway-io*|nginx) ]] || continue
    read -r -a f <<<"$(sed 's/.*) //' "$t/stat")"
    u=$((u + f[11])); s=$((s + f[12]))
  done
  echo "$u $s"
}
printf 'round\tvariant\trequests\tcpu_us\tsyscalls\tcs\talloc_B\tgc_per_100k\tgc_mean_ms\tgc_max_ms\tuser_us\tsys_us\n' >"$OUT/results.tsv"
for ((round = 1; round <= ROUNDS; round++)); do
  n=${#NAMES[@]}
  for ((k = 0; k < n; k++)); do
    i=$(((k + round - 1) % n))
    name=${NAMES[i]}; cmd=${CMDS[i]}
    if [[ -z $cmd ]]; then  # the nginx reference
      taskset -c "$PROXY_CPUS" nginx -c "$OUT/nginx-proxy.conf" -e "$OUT/nginx-proxy.err" -g 'daemon off;' \
        >"$OUT/r$round-$name.out" 2>&1 &
    else
      java_bin=${cmd%% *}
      jdk_bin=$(dirname "$(readlink -f "$(command -v "$java_bin")")")
      # shellcheck disable=SC2086
      JAVA_TOOL_OPTIONS="-Xlog:gc:file=$OUT/r$round-$name.gc $STACKDEPTH" taskset -c "$PROXY_CPUS" $cmd serve --config "$OUT/config" --address 127.0.0.1 --admin 127.0.0.1:0 \
        --no-watch >"$OUT/r$round-$name.out" 2>&1 &
    fi
    pid=$!; PIDS+=("$pid")
    if ! wait_ready "http://127.0.0.1:$PROXY_PORT/small" "$PROTO"; then
      echo "$name did not start; see $OUT/r$round-$name.out" >&2; kill "$pid"; continue
    fi
    if [[ -z $cmd ]]; then
      load "$WARMUP" >"$OUT/r$round-$name.warm" 2>&1
      : >"$OUT/r$round-$name.gcwindow"
      perf_pids="$pid,$(pgrep -d, -P "$pid")"
      loop_pid=$(pgrep -P "$pid")
    else
      # JFR starts before the warm-up: its first start in a JVM instruments the JDK's event classes, which
      # on JDK 17 deoptimised the proxy's compiled code, and a window that began there measured the
      # proxy recompiling (14,500 instead of 45,000 requests a second). The window's own recording then
      # starts with JFR already running: its first and last allocation samples bound the window.
      "$jdk_bin/jcmd" "$pid" JFR.start name=warm settings="$OUT/alloc.jfc" >/dev/null
      load "$WARMUP" >"$OUT/r$round-$name.warm" 2>&1
      "$jdk_bin/jcmd" "$pid" JFR.start name=cost settings="$OUT/alloc.jfc" filename="$OUT/r$round-$name.jfr" >/dev/null
      "$jdk_bin/jcmd" "$pid" JFR.stop name=warm >/dev/null
      gclines0=$(wc -l <"$OUT/r$round-$name.gc")
      perf_pids=$pid
      loop_pid=$pid
    fi
    stat0=$(loop_ticks "$loop_pid")
    perf stat -x, -e task-clock,raw_syscalls:sys_enter,context-switches -p "$perf_pids" -o "$OUT/r$round-$name.perf" &
    perf_pid=$!
    sleep 0.2
    load "$REQUESTS" >"$OUT/r$round-$name.load" 2>&1
    kill -INT "$perf_pid"; wait "$perf_pid" || true
    stat1=$(loop_ticks "$loop_pid")
    ticks=$(getconf CLK_TCK)
    user_s=$(python3 -c "print(($((${stat1% *} - ${stat0% *}))) / $ticks)")
    sys_s=$(python3 -c "print(($((${stat1#* } - ${stat0#* }))) / $ticks)")
    if [[ -n $cmd ]]; then
      "$jdk_bin/jcmd" "$pid" JFR.stop name=cost >/dev/null
      "$jdk_bin/jfr" print --json --events jdk.ThreadAllocationStatistics "$OUT/r$round-$name.jfr" >"$OUT/r$round-$name.alloc.json"
      tail -n +"$((gclines0 + 1))" "$OUT/r$round-$name.gc" >"$OUT/r$round-$name.gcwindow"
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
    ok=$(awk '/^requests:/ { print $8 }' "$OUT/r$round-$name.load")
    if [[ $ok != "$REQUESTS" ]]; then
      echo "$name, round $round: $ok of $REQUESTS requests succeeded (see $OUT/r$round-$name.load, backend.err)" >&2
      exit 1
    fi
    python3 - "$round" "$name" "$ok" "$OUT/r$round-$name.perf" "$OUT/r$round-$name.alloc.json" "$OUT/r$round-$name.gcwindow" "$user_s" "$sys_s" \
      >>"$OUT/results.tsv" <<'PY'
import json, os, re, sys
rnd, name, ok, perf_file, alloc_json, gc_window, user_s, sys_s = sys.argv[1:9]
ok = int(ok)
vals = {}
for line in open(perf_file):
    parts = line.strip().split(',')
    if len(parts) > 2 and parts[0] and parts[0][0].isdigit():
        vals[parts[2]] = float(parts[0])
# Per thread, allocated bytes at the first and the last sample of the recording.
first, last = {}, {}
for e in json.load(open(alloc_json))["recording"]["events"] if os.path.exists(alloc_json) else []:
    v = e["values"]
    tid = v["thread"]["javaThreadId"] if v.get("thread") else None
    first.setdefault(tid, v["allocated"])
    last[tid] = v["allocated"]
alloc_bytes = sum(last[t] - first[t] for t in last)
pauses = [float(m.group(1)) for m in (re.search(r'Pause Young.* ([0-9.]+)ms$', l.strip())
                                          for l in open(gc_window)) if m]
print(f"{rnd}\t{name}\t{ok}\t{vals.get('task-clock', 0) * 1000 / ok:.2f}\t"
      f"{vals.get('raw_syscalls:sys_enter', 0) / ok:.2f}\t{vals.get('context-switches', 0) / ok:.3f}\t"
      f"{alloc_bytes / ok:.0f}\t{len(pauses) * 100000 / ok:.2f}\t"
      f"{sum(pauses) / len(pauses) if pauses else 0:.2f}\t{max(pauses, default=0):.2f}\t"
      f"{float(user_s) * 1e6 / ok:.2f}\t{float(sys_s) * 1e6 / ok:.2f}")
PY
    tail -1 "$OUT/results.tsv" >&2
  done
done
python3 - "$OUT/results.tsv" <<'PY'
import sys, statistics, collections
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])][1:]
by = collections.OrderedDict()
for r in rows:
    by.setdefault(r[1], []).append(r)
print("| variant | rounds | cpu µs/req | loop user µs/req | loop sys µs/req | syscalls/req | ctx switches/req | alloc B/req "
      "| young GCs/100k req | mean pause ms | max pause ms |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, rs in by.items():
    med = lambda c: statistics.median(float(r[c]) for r in rs)
    spread = lambda c: f"{min(float(r[c]) for r in rs):.2f}-{max(float(r[c]) for r in rs):.2f}"
    print(f"| {name} | {len(rs)} | {med(3):.2f} ({spread(3)}) | {med(10):.2f} | {med(11):.2f} | {med(4):.2f} | {med(5):.3f} | {med(6):.0f} "
          f"| {med(7):.2f} | {med(8):.2f} | {med(9):.2f} |")
if "nginx" in by and len(by) > 1:
    base = statistics.median(float(r[3]) for r in by["nginx"])
    print()
    for name, rs in by.items():
        if name != "nginx":
            print(f"{name}: requests per core {base / statistics.median(float(r[3]) for r in rs):.2f}x nginx's "
                  "(nginx's median CPU per request over this variant's)")
PY
if [[ -n $PROFILE ]]; then
  for i in "${!NAMES[@]}"; do
    [[ -n ${CMDS[i]} ]] || continue  # the nginx reference has no JFR recording
    name=${NAMES[i]}
    echo; echo "## CPU samples of $name (all rounds)"
    python3 "$ROOT/bench/jfr-top.py" --top "${PROFILE_TOP:-25}" "$OUT"/r*-"$name".jfr || true
  done
fi
echo "raw: $OUT" >&2
