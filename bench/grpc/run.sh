#!/usr/bin/env bash
# gRPC through Archway beside nginx's grpc_pass, in one run, on loopback only (bounded in time).
#   bench/grpc/run.sh [SECONDS]      (default 15 s per step, a third more as warm-up)
# Core 0: the grpc-java load client and the grpc-java backend; core 1: the proxy under test alone
# (Archway: java -Xmx512m -jar archway.jar serve; nginx: 1 worker, grpc_pass). Steps: unary calls
# (4 connections x 16 in flight) and server streaming (4 connections, streams of 1,000 messages),
# direct to the backend, through nginx, through Archway. Needs: mvn -o -pl archway-it -am
# test-compile (the load client is archway-it's test class GrpcLoadMain) and archway-cli/target/archway.jar.
# Only processes this script starts are stopped, by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_PER_STEP=${1:-15}
JAR=$ROOT/archway-cli/target/archway.jar
WORK=$(mktemp -d)
BACKEND=18190 NGINX=18191 ARCHWAY=18192
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

(cd "$ROOT" && mvn -B -q -o -pl archway-it dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" \
  -Dmdep.includeScope=test >/dev/null)
CP="$ROOT/archway-it/target/test-classes:$(cat "$WORK/cp.txt")"
load() { taskset -c 0 java -cp "$CP" io.archway.it.GrpcLoadMain "$@"; }

taskset -c 0 java -Xmx512m -cp "$CP" io.archway.it.GrpcLoadMain backend $BACKEND & PIDS+=($!)

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 16; }
  server { listen 127.0.0.1:$NGINX http2; location / { grpc_pass grpc://backend; } }
}
NGINX
taskset -c 1 nginx -c "$WORK/nginx.conf" & PIDS+=($!)

mkdir -p "$WORK/config"
cat > "$WORK/config/gateway.yaml" <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: archway
  listeners: [{name: grpc, protocol: HTTP, port: $ARCHWAY}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: bench}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{method: {service: archway.test.Streamer}}], backendRefs: [{name: bench, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: bench}
spec: {ports: [{name: grpc, port: 80, appProtocol: kubernetes.io/h2c}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: bench-1, labels: {kubernetes.io/service-name: bench}}
addressType: IPv4
ports: [{name: grpc, port: $BACKEND}]
endpoints: [{addresses: ["127.0.0.1"]}]
YAML
taskset -c 1 java -Xmx512m -jar "$JAR" serve --config "$WORK/config" --address 127.0.0.1 --admin 127.0.0.1:0 \
  >"$WORK/archway.log" 2>&1 & PIDS+=($!)
sleep 6

for target in direct:$BACKEND nginx:$NGINX archway:$ARCHWAY; do
  name=${target%%:*} port=${target##*:}
  echo "== $name"
  load unary 127.0.0.1:$port grpc.example.com "$SECONDS_PER_STEP" 4 16
  load stream 127.0.0.1:$port grpc.example.com "$SECONDS_PER_STEP" 4 1000
done
