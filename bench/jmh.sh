#!/usr/bin/env bash
# Runs the JMH benchmarks of archway-bench (they compile in every build but never run in
# `mvn verify`):  bench/jmh.sh [JMH options and benchmark regexps...]
#   bench/jmh.sh ControlPath -p routes=10000        one class, one size
#   bench/jmh.sh -l                                  list them
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# The reactor's own jars (never ~/.m2's snapshots): package, then each module's class path.
mvn -B -q -o -pl archway-bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt >/dev/null
exec java -cp "archway-bench/target/classes:$(cat archway-bench/target/classpath.txt)" org.openjdk.jmh.Main "$@"
