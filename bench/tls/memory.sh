#!/usr/bin/env bash
# Memory of Archway serving many certificates on one HTTPS port, one JVM per count:
#   bench/tls/memory.sh [ec|rsa] [COUNT...]        default: ec 0 1000 10000
# For each count: the configuration of bench/tls/config.sh (COUNT listeners on one port, each with
# its own certificate, in ListenerSets), `archway serve` started with -Xmx4g, timed until /readyz
# answers 200, three sampled names checked with openssl s_client (each must get its certificate),
# then the live heap (jcmd GC.class_histogram: a full GC, then the objects still reachable; G1's
# "used" after GC.run also counted what was allocated since, up to 2x the live figure) and the
# process RSS. The lines
# "per certificate" subtract the first count's figures. Set ARCHWAY_JAVA_OPTS to add JVM options,
# e.g. -Darchway.tls.provider=openssl. Only processes this script starts are stopped, by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ALG=${1:-ec}; shift || true
COUNTS=("$@"); (( ${#COUNTS[@]} )) || COUNTS=(0 1000 10000)
JAR=$ROOT/archway-cli/target/archway.jar
[[ -f $JAR ]] || { echo "build it first: mvn -o -pl archway-cli -am package -DskipTests" >&2; exit 2; }
PORT=18443 ADMIN=18449 BACKEND=18445
WORK=$(mktemp -d)
PID=
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
MAX=0; for c in "${COUNTS[@]}"; do (( c > MAX )) && MAX=$c; done
CERTS=$("$ROOT/bench/tls/certs.sh" "$ALG" $((MAX + 1)) | tail -1)

heap_used_kib() { # the histogram's last line: "Total <instances> <bytes>"
  jcmd "$1" GC.class_histogram | awk '/^Total/ {printf "%d", $3 / 1024}'
}
printf '%-8s %-10s %-14s %-12s %s\n' count ready_s heap_used_MiB rss_MiB sampled
BASE_HEAP= BASE_RSS=
for COUNT in "${COUNTS[@]}"; do
  rm -rf "$WORK/config"; "$ROOT/bench/tls/config.sh" "$CERTS" "$COUNT" "$WORK/config" $PORT $BACKEND
  START=$(date +%s.%N)
  # shellcheck disable=SC2086
  java -Xmx4g ${ARCHWAY_JAVA_OPTS:-} -jar "$JAR" serve --config "$WORK/config" --address 127.0.0.1 \
    --admin 127.0.0.1:$ADMIN >"$WORK/archway-$COUNT.log" 2>&1 & PID=$!
  until [[ $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$ADMIN/readyz || true) == 200 ]]; do
    kill -0 "$PID" 2>/dev/null || { echo "archway exited; log:" >&2; tail -20 "$WORK/archway-$COUNT.log" >&2; exit 1; }
    sleep 0.5
  done
  READY=$(echo "$(date +%s.%N) - $START" | bc)
  SAMPLED=ok
  for i in 1 $(( (COUNT + 1) / 2 )) $COUNT; do
    (( COUNT == 0 || i == 0 )) && continue
    subject=$(openssl s_client -connect 127.0.0.1:$PORT -servername h$i.bench.example.com </dev/null 2>/dev/null \
      | openssl x509 -noout -subject 2>/dev/null || true)
    [[ $subject == *"h$i.bench.example.com"* ]] || SAMPLED="h$i got '${subject:-no certificate}'"
  done
  HEAP=$(heap_used_kib "$PID")
  RSS=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
  printf '%-8s %-10.1f %-14.1f %-12.1f %s\n' "$COUNT" "$READY" "$(echo "$HEAP / 1024" | bc -l)" \
    "$(echo "$RSS / 1024" | bc -l)" "$SAMPLED"
  if [[ -z $BASE_HEAP ]]; then
    BASE_HEAP=$HEAP BASE_RSS=$RSS BASE_COUNT=$COUNT
  elif (( COUNT > BASE_COUNT )); then
    printf '         per certificate above %s: heap %.1f KiB, RSS %.1f KiB\n' "$BASE_COUNT" \
      "$(echo "($HEAP - $BASE_HEAP) / ($COUNT - $BASE_COUNT)" | bc -l)" \
      "$(echo "($RSS - $BASE_RSS) / ($COUNT - $BASE_COUNT)" | bc -l)"
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
done
