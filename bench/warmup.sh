#!/usr/bin/env bash
# Warm-up of a started gateway under constant load, A/B (issue 14: the p99 of the first minutes is the
# JIT's): each SIDE's launcher starts `archway serve` of bench/config pinned to one core (PROXY_CPUS,
# default 1, -Xmx512m as the benchmark), and from its first 200 wrk (64 connections, 2 threads,
# /small and /4k interleaved, pinned to LOADGEN_CPUS with the nginx backend) loads it without a pause
# in CHUNK-second runs for SECONDS seconds. Per side and 10-second window after the load began it
# prints the JIT compilations (all tiers / C2) and the "made not entrant" events (from
# -Xlog:jit+compilation=debug in JAVA_TOOL_OPTIONS), and per chunk req/s and p99; the sides run
# interleaved (A B ... A B ...) ROUNDS times and the figures are medians over the rounds.
# Compilations per window survive a loaded box better than req/s.
#
#   bench/warmup.sh [--rounds N] [--seconds S] [--chunk S] SIDE [SIDE...]
#
# A SIDE is an Archway checkout with its jar built (archway-cli/target/archway.jar), optionally
# preceded by environment settings for its launcher (shell words), e.g.
#   bench/warmup.sh 'ARCHWAY_TRAINING_REQUESTS=0 /tmp/archway-before' .        # two builds
#   bench/warmup.sh . 'ARCHWAY_JAVA_OPTS="-Xmx512m -XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=19" .'
# Each side's launcher trains its AOT cache before the first round (outside the timings): give two
# sides that differ in their training two checkouts. Ports: BACKEND_PORT (18080) and the gateway's
# 18084 (bench/config), proxy-bench's: do not run it beside a proxy-bench run. Needs wrk, nginx, curl.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=2 SECONDS_TOTAL=90 CHUNK=5
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --seconds) SECONDS_TOTAL=$2; shift 2 ;;
    --chunk) CHUNK=$2; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
(( $# >= 1 )) || { sed -n '2,22p' "$0" >&2; exit 2; }
SIDES=("$@")
BACKEND_PORT=${BACKEND_PORT:-18080} LOADGEN_CPUS=${LOADGEN_CPUS:-0} PROXY_CPUS=${PROXY_CPUS:-1}
URL=http://127.0.0.1:18084
WORK=${WARMUP_OUT:-/tmp/warmup/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$WORK"
HZ=$(getconf CLK_TCK)
BACKEND_PID= GW_PID=
cleanup() {
  [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null
  [[ -n $BACKEND_PID ]] && kill "$BACKEND_PID" 2>/dev/null
  true
}
trap cleanup EXIT

source "$ROOT/bench/backend-nginx.sh"
backend_nginx_conf "$WORK" "$BACKEND_PORT"
printf 'local paths = {"/small", "/4k"}\nlocal i = 0\nfunction request()\n  i = i %% #paths + 1\n  return wrk.format(nil, paths[i])\nend\n' >"$WORK/mix.lua"
taskset -c "$LOADGEN_CPUS" nginx -c "$WORK/backend.conf" -e "$WORK/backend.err" -g 'daemon off;' &
BACKEND_PID=$!
until curl -sf -o /dev/null "http://127.0.0.1:$BACKEND_PORT/small"; do sleep 0.1; done

side_home() { echo "${1##* }"; }
side_env() { [[ $1 == *\ * ]] && echo "${1% *}" || true; }

for s in "${SIDES[@]}"; do # trains each side's cache outside the timings
  home=$(side_home "$s")
  [[ -f $home/archway-cli/target/archway.jar ]] || { echo "no jar in $home: build it first" >&2; exit 2; }
  bash -c "$(side_env "$s") exec $home/archway --version" >/dev/null
done

# run SIDE TAG: one start and SECONDS_TOTAL of load; leaves TAG.jit (the JIT log), TAG.chunks ("rps p99_ms"
# per chunk) and TAG.offset (the JVM's uptime in s when the load began).
run() {
  local home env tag=$2 n start_ticks
  home=$(side_home "$1"); env=$(side_env "$1")
  JAVA_TOOL_OPTIONS="-Xlog:jit+compilation=debug:file=$WORK/$tag.jit:uptime" setsid taskset -c "$PROXY_CPUS" \
    bash -c "ARCHWAY_JAVA_OPTS=-Xmx512m $env exec $home/archway serve --config $ROOT/bench/config --address 127.0.0.1 --admin 127.0.0.1:0 --no-watch" \
    >"$WORK/$tag.out" 2>&1 &
  GW_PID=$!
  until curl -sf -o /dev/null "$URL/small"; do
    kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/$tag.out" >&2; exit 1; }
    sleep 0.05
  done
  start_ticks=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$GW_PID/stat")
  awk -v s="$start_ticks" -v hz="$HZ" '{ printf "%.2f\n", $1 - s / hz }' /proc/uptime >"$WORK/$tag.offset"
  : >"$WORK/$tag.chunks"
  for (( n = 0; n < SECONDS_TOTAL / CHUNK; n++ )); do
    taskset -c "$LOADGEN_CPUS" wrk -t 2 -c 64 -d "${CHUNK}s" --timeout 5s --latency -s "$WORK/mix.lua" "$URL" \
      >"$WORK/$tag.wrk.$n" 2>&1
    awk '/Requests\/sec/ { rps = $2 }
         $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                       p = (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v) }
         END { printf "%.0f %.2f\n", rps, p }' "$WORK/$tag.wrk.$n" >>"$WORK/$tag.chunks"
  done
  kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=
}

NAMES=(A B C D E F)
for (( r = 1; r <= ROUNDS; r++ )); do
  for j in "${!SIDES[@]}"; do
    echo "round $r: ${NAMES[$j]} (${SIDES[$j]})" >&2
    run "${SIDES[$j]}" "${NAMES[$j]}-$r"
  done
done

# Per side: per 10-second window after the load began, compilations (all / C2) and "made not entrant",
# the medians over the rounds; then per chunk req/s and p99; before the load: the start-up's compilations.
python3 - "$WORK" "$ROUNDS" "$SECONDS_TOTAL" "$CHUNK" "${#SIDES[@]}" "${SIDES[@]}" <<'PY'
import re, statistics, sys
work, rounds, total, chunk, nsides = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sides = sys.argv[6:6 + nsides]
line = re.compile(r'^\[([0-9.]+)s\]\s+\d+\s+[%sbn! ]*([0-4])\s+(\S+)(.*)$')
med = lambda xs: statistics.median(xs) if xs else 0
windows = total // 10
print(f"# warm-up under constant load: {rounds} rounds, {total} s of load per start, medians over the rounds\n")
for j, side in enumerate(sides):
    name = "ABCDEF"[j]
    per = {k: [] for k in ('before', 'before_c2')}
    win_all = [[] for _ in range(windows)]; win_c2 = [[] for _ in range(windows)]; win_ne = [[] for _ in range(windows)]
    rps = [[] for _ in range(total // chunk)]; p99 = [[] for _ in range(total // chunk)]
    notes = []
    for r in range(1, rounds + 1):
        tag = f"{work}/{name}-{r}"
        off = float(open(tag + ".offset").read())
        a = [0] * windows; c2 = [0] * windows; ne = [0] * windows; before = 0; before_c2 = 0
        for l in open(tag + ".jit", errors="replace"):
            m = line.match(l)
            if not m:
                continue
            t = float(m.group(1)) - off; tier = int(m.group(2)); rest = m.group(4)
            if t < 0:
                if "made not entrant" not in rest:
                    before += 1; before_c2 += tier == 4
                continue
            w = int(t // 10)
            if w >= windows:
                continue
            if "made not entrant" in rest:
                ne[w] += 1
                if "TimeWindowMax" in m.group(3) or "HttpRouter::report" in m.group(3):
                    notes.append(f"{name}-{r}: {m.group(3)} made not entrant at +{t:.0f} s of load ({t + off:.0f} s after start)")
            else:
                a[w] += 1; c2[w] += tier == 4
        per['before'].append(before); per['before_c2'].append(before_c2)
        for w in range(windows):
            win_all[w].append(a[w]); win_c2[w].append(c2[w]); win_ne[w].append(ne[w])
        for i, l in enumerate(open(tag + ".chunks")):
            x, y = l.split(); rps[i].append(float(x)); p99[i].append(float(y))
    print(f"## {name}: {side}\n")
    print(f"compilations before the load (start-up to first 200 + the launcher): {med(per['before']):.0f} ({med(per['before_c2']):.0f} C2)\n")
    print("| window after load began | " + " | ".join(f"{10*w}-{10*w+10} s" for w in range(windows)) + " |")
    print("|---|" + "---|" * windows)
    print("| compilations (all) | " + " | ".join(f"{med(x):.0f}" for x in win_all) + " |")
    print("| of them C2 | " + " | ".join(f"{med(x):.0f}" for x in win_c2) + " |")
    print("| made not entrant | " + " | ".join(f"{med(x):.0f}" for x in win_ne) + " |")
    print()
    print(f"| chunk ({chunk} s) | " + " | ".join(str(i + 1) for i in range(len(rps))) + " |")
    print("|---|" + "---|" * len(rps))
    print("| req/s | " + " | ".join(f"{med(x):,.0f}" for x in rps) + " |")
    print("| p99 ms | " + " | ".join(f"{med(x):.2f}" for x in p99) + " |")
    print()
    for n in notes:
        print(f"- {n}")
    if notes:
        print()
PY
echo "raw: $WORK" >&2
