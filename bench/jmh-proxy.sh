#!/usr/bin/env bash
# Runs the JMH benchmarks of the proxy's hot path (archway-proxy test sources, *Benchmark classes;
# they compile with the tests and never run in `mvn verify`):
#   bench/jmh-proxy.sh [JMH options and benchmark regexps...]
#   bench/jmh-proxy.sh Http1HotPath -prof gc      head parsing + forwarding, Netty's codec vs the slice
#                                                 parser (requests) and the slice prototype (responses)
#   bench/jmh-proxy.sh Dispatch -p routes=10000   per-request dispatch at 10,000 routes
#   bench/jmh-proxy.sh -l                         list them
# Thread CPU and bytes per op (exact on a busy box): after one run of this script, from the root,
#   java -cp "$(cat /tmp/archway-jmh-cp)" io.archway.proxy.http.Http1HotPathBenchmark 200000
# JAVA selects the JVM that runs them (default: java on the PATH).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# The reactor's own classes (never ~/.m2's snapshots): compile the tests, then the class path.
mvn -B -q -o -pl archway-proxy -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/classpath.txt >/dev/null
CP="archway-proxy/target/test-classes:archway-proxy/target/classes"
CP="$CP:archway-snapshot/target/classes:$(cat archway-proxy/target/classpath.txt)"
echo "$CP" >/tmp/archway-jmh-cp
exec "${JAVA:-java}" -cp "$CP" org.openjdk.jmh.Main "$@"
