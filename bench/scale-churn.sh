#!/usr/bin/env bash
# Issue 14's control-path figures, on this machine:
#   - start-up: `serve` launched -> /readyz answers 200, with 1 route and with ROUTES routes;
#   - memory growth per route: RSS, and heap used after a full GC, at ROUTES minus at 1 route;
#   - change-to-live latency (median, p99, max), over all and per kind, of CHANGES changes saved as
#     editors save (weights flipped, rules and routes added and removed, a second listener added and
#     removed: ScaleChurn), each from the rename (or delete) to the first answer that shows it;
#   - failed requests: two wrk runs (keep-alive) during the edits, one on a route that never
#     changes, one on route 0, which every other edit changes: non-2xx answers and socket errors.
#
#   bench/scale-churn.sh [--routes N] [--changes N] [--pace MS] [--connections N]
#   e.g. a short check:  bench/scale-churn.sh --routes 200 --changes 20
#
# PACE is the pause after a change is live before the next is saved (default 120 ms). `serve`
# applies a lone save at once but holds a save that follows the previous batch within its
# hold-off (100 ms) as part of a burst: a pace much under the hold-off measures the burst hold-off,
# not a lone change (changes live in 30 ms with PACE 20 come 50 ms apart: each would wait out the
# hold-off, and the figure would measure it).
#
# Run it on a quiet box (its figures measure everything else that runs). Needs JDK 17, Maven,
# wrk, curl, and nginx or python3 (the backend: nginx where installed; BACKEND_PORT uses one already
# listening). The gateway starts through the `archway` launcher, as users start
# it (with its class-data archive, or on JDK 25+ its AOT cache: JAVA_HOME picks the JDK, ARCHWAY_CDS=off
# runs without); ARCHWAY_JAVA_OPTS is passed to the gateway JVM (default -Xmx1g). GATEWAY_LOG=FILE keeps
# the 10,000-route gateway's log (each rebuild's phases: "serving snapshot vN ... (view, translation,
# data plane)"), e.g. beside -Xlog:gc:file=... in ARCHWAY_JAVA_OPTS, to split the slow changes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUTES=10000 CHANGES=1000 PACE=120 CONNS=16 HOSTNAMES=1000
while [[ $# -gt 0 ]]; do
  case $1 in
    --routes) ROUTES=$2; shift 2 ;;
    --changes) CHANGES=$2; shift 2 ;;
    --pace) PACE=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
(( HOSTNAMES > ROUTES )) && HOSTNAMES=$ROUTES
LISTENER=${LISTENER_PORT:-18190}
ADMIN=${ADMIN_PORT:-18192} # LISTENER+1 is the listener the churn adds and removes
JAVA_OPTS=${ARCHWAY_JAVA_OPTS:--Xmx1g}
cd "$ROOT"
mvn -B -q -o -pl archway-cli,archway-bench -am package -DskipTests >/dev/null
"$ROOT/archway" --version >/dev/null # trains the launcher's archive now, not inside the first timing
CHURN=(java -cp "$ROOT/archway-bench/target/classes" io.archway.bench.ScaleChurn)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -n ${GATEWAY_LOG:-} && -f $WORK/gateway.log ]] && cp "$WORK/gateway.log" "$GATEWAY_LOG"
  rm -rf "$WORK"
}
trap cleanup EXIT

# The backend answers "ok" to every request. nginx where installed: the Python server answers about
# 800 requests a second in all, so the probe waited 20-40 ms behind wrk's requests and the figure
# measured the backend's queue (docs/PERFORMANCE.md, "Control path, quiet box").
if [[ -z ${BACKEND_PORT:-} ]] && command -v nginx >/dev/null; then
  BACKEND_PORT=18189
  mkdir -p "$WORK/backend/tmp"
  cat >"$WORK/backend/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/backend/nginx.pid;
error_log $WORK/backend/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $WORK/backend/tmp;
  server { listen 127.0.0.1:$BACKEND_PORT; location / { return 200 "ok"; } }
}
EOF
  nginx -c "$WORK/backend/nginx.conf" -p "$WORK/backend" -g 'daemon off;' &
  PIDS+=($!)
  BACKEND="nginx"
elif [[ -z ${BACKEND_PORT:-} ]]; then
  BACKEND_PORT=18189
  python3 - "$BACKEND_PORT" <<'PY' &
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
  PIDS+=($!)
  BACKEND="python3 (slow: change-to-live includes its queue)"
else
  BACKEND="already listening on $BACKEND_PORT"
fi

now_ms() { date +%s%3N; }
# start_gateway DIR: starts serve, waits for /readyz; sets GW_PID and STARTUP_MS.
start_gateway() {
  local t0; t0=$(now_ms)
  ARCHWAY_JAVA_OPTS="$JAVA_OPTS" "$ROOT/archway" serve --config "$1" --address 127.0.0.1 --admin "127.0.0.1:$ADMIN" \
    >"$WORK/gateway.log" 2>&1 &
  GW_PID=$!; PIDS+=("$GW_PID")
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN/readyz" || true) == 200 ]]; do
    kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/gateway.log" >&2; exit 1; }
    sleep 0.02
  done
  STARTUP_MS=$(( $(now_ms) - t0 ))
}
# memory PID: "RSS_KIB HEAP_USED_KIB" after a full GC.
memory() {
  jcmd "$1" GC.run >/dev/null
  sleep 0.5
  local heap; heap=$(jcmd "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9)
  echo "$(ps -o rss= -p "$1" | tr -d ' ') $heap"
}
stop_gateway() { kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; }

for n in 1 "$ROUTES"; do
  "${CHURN[@]}" generate "$WORK/config-$n" "$n" "$(( n < HOSTNAMES ? n : HOSTNAMES ))" "$LISTENER" "$BACKEND_PORT"
done

start_gateway "$WORK/config-1"; START_1=$STARTUP_MS; read -r RSS_1 HEAP_1 < <(memory "$GW_PID"); stop_gateway
start_gateway "$WORK/config-$ROUTES"; START_N=$STARTUP_MS; read -r RSS_N HEAP_N < <(memory "$GW_PID")

UNAFFECTED=$(( ROUTES - 1 ))
host() { echo "host-$(( $1 % HOSTNAMES )).example.com"; }
wrk -t1 -c"$CONNS" -d3600s -H "Host: $(host $UNAFFECTED)" "http://127.0.0.1:$LISTENER/r$UNAFFECTED" >"$WORK/wrk-unaffected.txt" 2>&1 &
WRK1=$!; PIDS+=("$WRK1")
wrk -t1 -c"$CONNS" -d3600s -H "Host: $(host 0)" "http://127.0.0.1:$LISTENER/r0" >"$WORK/wrk-changing.txt" 2>&1 &
WRK2=$!; PIDS+=("$WRK2")
sleep 2
CHURN_OUT=$("${CHURN[@]}" churn "$WORK/config-$ROUTES" "$ROUTES" "$HOSTNAMES" "$LISTENER" "$CHANGES" "$PACE")
kill -INT "$WRK1" "$WRK2"; wait "$WRK1" "$WRK2" 2>/dev/null || true
stop_gateway

failures() { # requests, non-2xx/3xx, socket errors of one wrk report
  local f=$1 req non err
  req=$(grep -o '[0-9]* requests in' "$f" | tr -dc 0-9)
  non=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$f" | tr -dc 0-9); non=${non:-0}
  err=$(grep -o 'Socket errors: .*' "$f" | grep -o '[0-9]\+' | paste -sd+ | bc); err=${err:-0}
  echo "${req:-0} requests, $non non-2xx, $err socket errors $(grep -o 'Socket errors: .*' "$f" | sed 's/Socket errors: /(/; s/$/)/')"
}
echo "scale-churn at $(git -C "$ROOT" rev-parse --short HEAD): $ROUTES routes over $HOSTNAMES hostnames, $CHANGES changes; backend $BACKEND"
echo "start-up to ready: 1 route ${START_1} ms; $ROUTES routes ${START_N} ms"
awk -v r1="$RSS_1" -v rn="$RSS_N" -v h1="$HEAP_1" -v hn="$HEAP_N" -v n="$ROUTES" 'BEGIN {
  printf "memory: RSS %d -> %d KiB (%.1f KiB/route); heap after GC %d -> %d KiB (%.1f KiB/route)\n",
    r1, rn, (rn - r1) / (n > 1 ? n - 1 : 1), h1, hn, (hn - h1) / (n > 1 ? n - 1 : 1) }'
echo "$CHURN_OUT"
echo "load on the unaffected route: $(failures "$WORK/wrk-unaffected.txt")"
echo "load on the changing route:   $(failures "$WORK/wrk-changing.txt")"
