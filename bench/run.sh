#!/usr/bin/env bash
# Runs ../shared/bench/proxy-bench.sh with archway as a target beside nginx, haproxy and Spring
# Cloud Gateway (same JVM heap cap as SCG; pinned to the proxy core by the harness).
#   bench/run.sh [proxy-bench options...]     e.g. bench/run.sh --only nginx,archway --runs 2
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
JAR=$ROOT/archway-cli/target/archway.jar
[[ -f $JAR ]] || (cd "$ROOT" && mvn -B -q -DskipTests install)
exec "$BENCH/proxy-bench.sh" --protos h1 \
  --target archway http://127.0.0.1:18084 \
  --start "java -Xmx512m -jar $JAR serve --config $ROOT/bench/config --address 127.0.0.1 --admin 127.0.0.1:0" \
  "$@"
