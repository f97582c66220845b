#!/usr/bin/env bash
# Start-up of `archway serve`, A/B (issue 14: ready to serve in under a second): from the launch of
# the `archway` launcher to the first 200 from /readyz, with ROUTES routes, each side started RUNS
# times, the sides interleaved (A B A B ...). Per run it prints the wall time to ready, the CPU the
# process had used by then (all threads: the JIT compilers and GC included), the CPU of the `main`
# thread (which does the start-up work), of the JIT compiler threads and of the common pool's workers
# (the parallel read of the directory: with 1 route, the file of Services), read from /proc when
# /readyz first answers 200, and the split the server logs ("ready N ms after the process
# started: ..."); then the medians per side, and B/A. CPU figures survive a loaded box better than
# wall time (10 ms resolution).
#
#   bench/startup.sh [--routes N | --config DIR] [--runs N] SIDE [SIDE]
#
# A SIDE is an Archway checkout with its jar built (archway-cli/target/archway.jar), optionally
# preceded by environment settings for its launcher, as one word, e.g.
#   bench/startup.sh --runs 10 /tmp/archway-before .                       # two builds
#   bench/startup.sh 'ARCHWAY_CDS=off .' .                                  # without / with the archive
#   bench/startup.sh 'JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 .' \
#     'JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 .'                       # JDK 17 / JDK 25
#   bench/startup.sh --routes 10000 --runs 5 /tmp/archway-before .
# A SIDE image:FILE.tar is a container image built by the `image` profile (deploy/image/README.md),
# started as a pod would start it (deploy/image/image-root.sh: its entrypoint in its own file system,
# as its user; unpacked again before each run, outside the timing), with the configuration copied in:
#   bench/startup.sh image:/tmp/untrained.tar image:archway-cli/target/archway-image.tar
# To build another commit beside this one:
#   git worktree add /tmp/archway-before <commit> && (cd /tmp/archway-before &&
#     mvn -B -q -o -pl archway-cli -am package -DskipTests)
# Each side's launcher trains its archive (AppCDS on JDK 17, an AOT cache on JDK 25) before the
# first timed run; without JAVA_HOME the launcher picks a JDK 25 or later where one is installed.
# Needs curl; the route configuration is written by ScaleChurn (archway-bench, built here if
# missing: a Gateway, ROUTES HTTPRoutes, 100 Services and their EndpointSlices); --config DIR serves
# that directory instead, e.g. --config examples/quickstart (one route and its two Services; the port
# of its listener, 8080, must be free). ADMIN_PORT and LISTENER_PORT pick the ports (default 18391,
# 18390; keep them below the ephemeral range, where a client's own socket can hold them); a start not
# ready within READY_TIMEOUT seconds (default 120) stops the script with the gateway's log.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUTES=1 RUNS=10 CONFIG=
while [[ $# -gt 0 ]]; do
  case $1 in
    --routes) ROUTES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --config) CONFIG=$(cd "$2" && pwd); shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
(( $# >= 1 && $# <= 2 )) || { sed -n '2,31p' "$0" >&2; exit 2; }
SIDES=("$@")
ADMIN=${ADMIN_PORT:-18391}
LISTENER=${LISTENER_PORT:-18390}
READY_TIMEOUT=${READY_TIMEOUT:-120}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d)
GW_PID=
cleanup() { [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

if [[ ! -f $REPO/archway-bench/target/classes/io/archway/bench/ScaleChurn.class ]]; then
  (cd "$REPO" && mvn -B -q -o -pl archway-bench -am package -DskipTests >/dev/null)
fi
HOSTNAMES=$(( ROUTES < 1000 ? ROUTES : 1000 ))
if [[ -z $CONFIG ]]; then
  CONFIG=$WORK/config
  java -cp "$REPO/archway-bench/target/classes" io.archway.bench.ScaleChurn generate "$CONFIG" "$ROUTES" \
    "$HOSTNAMES" "$LISTENER" 9 # the backend port: nothing needs to answer there for /readyz
fi

# side_env SIDE / side_home SIDE: the settings and the checkout of a side.
side_home() { local w=($1); echo "${w[-1]}"; }
source "$REPO/deploy/image/image-root.sh" # image_root sets ROOT, in a run's subshell
side_env() { local w=($1); echo "${w[@]:0:${#w[@]}-1}"; }
# ticks FILE: utime + stime of a /proc stat file (fields 14 and 15, counted after the command name).
ticks() { local s; s=$(<"$1"); s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }
ms() { echo $(( $1 * 1000 / HZ )); }

# run SIDE: one start-up, prints "wall cpu main jit parse" in ms and the server's split.
run() {
  local home env t0 t1 cpu main=0 jit=0 parse=0 t
  home=$(side_home "$1"); env=$(side_env "$1")
  if [[ $home == image:* ]]; then
    rm -rf "$WORK/image"
    image_root "${home#image:}" "$WORK/image"
    cp -r "$CONFIG" "$ROOT/tmp/archway-bench-config" && chmod -R a+rX "$ROOT/tmp/archway-bench-config"
    t0=$(date +%s%N)
    in_image "${ENTRYPOINT[@]:1}" serve --config /tmp/archway-bench-config --address 127.0.0.1 \
      --admin "127.0.0.1:$ADMIN" >"$WORK/log" 2>&1 &
    # the JVM: unshare's child (in_image's shell runs unshare, which ignores SIGTERM); JOB is waited for
    JOB=$!
    until GW_PID=$(pgrep -P "$(pgrep -P "$JOB" | head -1)" | head -1); do
      kill -0 "$JOB" 2>/dev/null || { cat "$WORK/log" >&2; exit 1; }
      sleep 0.002
    done
  else
    t0=$(date +%s%N)
    env $env "$home/archway" serve --config "$CONFIG" --address 127.0.0.1 --admin "127.0.0.1:$ADMIN" \
      >"$WORK/log" 2>&1 &
    GW_PID=$! JOB=$!
  fi
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN/readyz" 2>/dev/null || true) == 200 ]]; do
    kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/log" >&2; exit 1; }
    # A gateway that cannot bind its listener (a port some other socket holds) never gets ready.
    (( $(date +%s%N) - t0 < READY_TIMEOUT * 1000000000 )) \
      || { kill "$GW_PID"; cat "$WORK/log" >&2; echo "not ready after ${READY_TIMEOUT} s (READY_TIMEOUT)" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  cpu=$(ticks "/proc/$GW_PID/stat")
  for t in /proc/"$GW_PID"/task/*; do
    case $(<"$t/comm") in
      # the Java main thread: the launcher's second thread, still named "java" (the first waits for it)
      java) [[ ${t##*/} != "$GW_PID" ]] && (( main == 0 )) && main=$(ticks "$t/stat") ;;
      C1\ CompilerThre*|C2\ CompilerThre*) jit=$(( jit + $(ticks "$t/stat") )) ;;
      ForkJoinPool.co*|archway-parse*) parse=$(( parse + $(ticks "$t/stat") )) ;; # comm is cut at 15 characters
    esac
  done
  kill "$GW_PID"; wait "$JOB" 2>/dev/null || true; GW_PID=
  echo "$(( (t1 - t0) / 1000000 )) $(ms "$cpu") $(ms "$main") $(ms "$jit") $(ms "$parse")" \
    "$(grep -o 'ready [0-9]* ms after the process started.*' "$WORK/log" | head -1)"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

for s in "${SIDES[@]}"; do # trains each side's archive outside the timings
  home=$(side_home "$s")
  [[ $home == image:* ]] && { [[ -f ${home#image:} ]] || { echo "no image ${home#image:}" >&2; exit 2; }; continue; }
  [[ -f $home/archway-cli/target/archway.jar ]] || { echo "no jar in $home: build it first" >&2; exit 2; }
  env $(side_env "$s") "$home/archway" --version >/dev/null
done
echo "start-up to /readyz 200, serving $CONFIG ($ROUTES route(s) unless --config), $RUNS runs per side, interleaved; ms: wall, process CPU, main thread CPU, JIT threads CPU, parse workers CPU"
NAMES=(A B)
for (( i = 1; i <= RUNS; i++ )); do
  for j in "${!SIDES[@]}"; do
    line=$(run "${SIDES[$j]}")
    echo "${NAMES[$j]} $i $line"
    echo "${line%% ready*}" >>"$WORK/side-$j"
  done
done
for j in "${!SIDES[@]}"; do
  read -r W C M J P < <(for f in 1 2 3 4 5; do cut -d' ' -f$f "$WORK/side-$j" | median; done | paste -sd' ')
  echo "${NAMES[$j]} median: wall $W, process CPU $C, main thread CPU $M, JIT CPU $J, parse workers CPU $P  (${SIDES[$j]})"
  MED[$j]="$W $C $M $J $P"
done
if (( ${#SIDES[@]} == 2 )); then
  read -r aw ac am aj ap <<<"${MED[0]}"; read -r bw bc bm bj bp <<<"${MED[1]}"
  awk -v aw="$aw" -v ac="$ac" -v am="$am" -v ap="$ap" -v bw="$bw" -v bc="$bc" -v bm="$bm" -v bp="$bp" 'BEGIN {
    printf "B/A of the medians: wall %.2f, process CPU %.2f, main thread CPU %.2f, parse workers CPU %.2f\n",
      bw / aw, bc / ac, bm / am, (ap > 0 ? bp / ap : 0) }'
fi
