#!/usr/bin/env bash
# ab.sh - A/B of the archway proxy in one run of ../shared/bench/proxy-bench.sh, beside nginx and
# haproxy: "archway-A" is the jar of a git ref (default: main), "archway-B" the jar of this
# checkout, and every --variant is B's jar started with other JVM flags or another JDK (the
# switches docs/PERFORMANCE.md lists). proxy-bench rotates the target order each run.
#
#   bench/ab.sh [--ref REF] [--no-default-variants] [--variant NAME 'JAVA ARGS'] [--cost]
#               [proxy-bench options...]
#   bench/ab.sh --runs 3                          the quiet-box table (h1 and h2c, small and 4k)
#   bench/ab.sh --runs 1 --duration 3 --warmup 1 --startup-warmup-max 10 --bodies small
#                                                 a check that everything starts (seconds, not figures)
#   bench/ab.sh --cost --rounds 3                 bench/cost.sh instead: CPU, syscalls, allocation per
#                                                 request of the same targets (nginx/haproxy not run)
#
# JAVA ARGS of a variant start with the java binary, e.g.
#   --variant epoll 'java -Xmx512m -Darchway.transport=epoll'
# The default variants (skip them with --no-default-variants):
#   archway-B-slice     the slice-forwarding HTTP/1.1 parser (-Darchway.http1.parser=slice)
#   archway-B-epoll     epoll instead of io_uring, the default where the kernel offers it
#   archway-B-pooled    Netty's pooled allocator instead of 4.2's adaptive one
#   archway-B-young     a 256 MiB young generation (-Xmn256m)
#   archway-B-parallel  ParallelGC (one GC thread on the pinned core)
#   archway-B-jdk25     Temurin 25 (if installed), the JDK the launcher picks where it is installed
#   archway-B-jdk25coh  Temurin 25 with compact object headers (JEP 519)
# Jars are built offline into /tmp/archway-ab (never `mvn install`). Ports are proxy-bench's
# (backend 18080, archway 18084): do not run it beside another proxy-bench run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
WORK=${AB_DIR:-/tmp/archway-ab}
REF=main; DEFAULTS=1; COST=0
NAMES=(); ARGS=(); PASS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ref) REF=$2; shift 2;;
    --no-default-variants) DEFAULTS=0; shift;;
    --variant) NAMES+=("archway-B-$2"); ARGS+=("$3"); shift 3;;
    --cost) COST=1; shift;;
    -h|--help) sed -n 2,30p "$0"; exit 0;;
    *) PASS+=("$1"); shift;;
  esac
done
mkdir -p "$WORK"

build() {  # DIR OUT_JAR
  (cd "$1" && mvn -B -q -o -pl archway-cli -am package -DskipTests >"$WORK/build.log" 2>&1) \
    || { echo "build failed in $1, see $WORK/build.log" >&2; exit 1; }
  cp "$1/archway-cli/target/archway.jar" "$2"
}

# A: the ref's tree, exported (no worktree, no change to the repository).
SHA=$(git -C "$ROOT" rev-parse --short "$REF")
if [[ ! -f $WORK/A-$SHA.jar ]]; then
  rm -rf "$WORK/src-A"; mkdir -p "$WORK/src-A"
  git -C "$ROOT" archive "$SHA" | tar -x -C "$WORK/src-A"
  echo "building A ($REF = $SHA)..." >&2
  build "$WORK/src-A" "$WORK/A-$SHA.jar"
fi
echo "building B ($(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD || echo '+dirty'))..." >&2
build "$ROOT" "$WORK/B.jar"

J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
if [[ $DEFAULTS == 1 ]]; then
  NAMES+=(archway-B-slice archway-B-epoll archway-B-pooled archway-B-young archway-B-parallel)
  ARGS+=("java -Xmx512m -Darchway.http1.parser=slice" "java -Xmx512m -Darchway.transport=epoll"
    "java -Xmx512m -Dio.netty.allocator.type=pooled"
    "java -Xmx512m -Xmn256m" "java -Xmx512m -XX:+UseParallelGC")
  if [[ -x $J25 ]]; then
    NAMES+=(archway-B-jdk25 archway-B-jdk25coh)
    ARGS+=("$J25 -Xmx512m" "$J25 -Xmx512m -XX:+UseCompactObjectHeaders")
  fi
fi

if [[ $COST == 1 ]]; then
  V=(--variant archway-A "java -Xmx512m -jar $WORK/A-$SHA.jar" --variant archway-B "java -Xmx512m -jar $WORK/B.jar")
  for i in "${!NAMES[@]}"; do V+=(--variant "${NAMES[i]}" "${ARGS[i]} -jar $WORK/B.jar"); done
  exec "$ROOT/bench/cost.sh" "${V[@]}" "${PASS[@]}"
fi

SERVE="serve --config $ROOT/bench/config --address 127.0.0.1 --admin 127.0.0.1:0 --no-watch"
URL=http://127.0.0.1:18084
T=(--target archway-A "$URL" --start "java -Xmx512m -jar $WORK/A-$SHA.jar $SERVE" --h2c "$URL"
   --target archway-B "$URL" --start "java -Xmx512m -jar $WORK/B.jar $SERVE" --h2c "$URL")
ONLY=nginx,haproxy,archway-A,archway-B
for i in "${!NAMES[@]}"; do
  T+=(--target "${NAMES[i]}" "$URL" --start "${ARGS[i]} -jar $WORK/B.jar $SERVE" --h2c "$URL")
  ONLY=$ONLY,${NAMES[i]}
done
# --only from the caller wins (it comes later on the command line).
exec "$BENCH/proxy-bench.sh" --only "$ONLY" "${T[@]}" "${PASS[@]}"
