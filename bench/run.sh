#!/usr/bin/env bash
# Runs ../shared/bench/proxy-bench.sh with archway as a target beside nginx, haproxy and Spring
# Cloud Gateway (same JVM heap cap as SCG; pinned to the proxy core by the harness), HTTP/1.1 and
# h2c. Two archway rows: "archway", started as users start it, through the `archway` launcher (JDK 25
# with its AOT cache, trained with request traffic, where a JDK 25 is installed; docs/PERFORMANCE.md,
# "Warm-up, session 10"), and "archway-jdk17", the bare jar on the PATH's JDK 17.
#   bench/run.sh [proxy-bench options...]     e.g. bench/run.sh --only nginx,haproxy,archway --runs 3
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
JAR=$ROOT/archway-cli/target/archway.jar
[[ -f $JAR ]] || (cd "$ROOT" && mvn -B -q -DskipTests install)
"$ROOT/archway" --version >/dev/null # trains the launcher's cache now, not inside the harness's start-up wait
SERVE="serve --config $ROOT/bench/config --address 127.0.0.1 --admin 127.0.0.1:0 --no-watch"
URL=http://127.0.0.1:18084
exec "$BENCH/proxy-bench.sh" \
  --target archway "$URL" --start "env ARCHWAY_JAVA_OPTS=-Xmx512m $ROOT/archway $SERVE" --h2c "$URL" \
  --target archway-jdk17 "$URL" --start "java -Xmx512m -jar $JAR $SERVE" --h2c "$URL" \
  "$@"
