#!/usr/bin/env bash
# TLS termination beside nginx, in one run, on loopback only (bounded in time):
#   bench/tls/run.sh [SECONDS]        (default 15 s per step, half as much warm-up before each)
# Core 0: the clients and the backend (nginx, `return 200`); core 1: the proxy under test alone:
# nginx (one process, OpenSSL) and Archway with the JDK's SSLEngine and with BoringSSL
# (-Darchway.tls.provider=openssl), each for an RSA 2048 and an ECDSA P-256 certificate:
#   handshakes  full TLS 1.3 handshakes (4 `openssl s_time -new` clients, no session reused, no request)
#   https_rps   HTTP/1.1 requests on 64 keep-alive TLS 1.3 connections (wrk), proxied to the backend
# Each figure is per wall second and per CPU second of the proxy process (/proc/PID/stat: the cost
# per proxy core, which the clients sharing the box do not distort). Needs openssl, wrk, nginx,
# taskset and archway-cli/target/archway.jar (mvn -o -pl archway-cli -am package -DskipTests).
# Certificates are generated once and cached under target/bench-tls (bench/tls/certs.sh). Only
# processes this script starts are stopped, by PID.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_PER_STEP=${1:-15}
WARMUP=$(( (SECONDS_PER_STEP + 1) / 2 ))
JAR=$ROOT/archway-cli/target/archway.jar
[[ -f $JAR ]] || { echo "build it first: mvn -o -pl archway-cli -am package -DskipTests" >&2; exit 2; }
BACKEND=18445 PROXY=18443 ADMIN=18449
WORK=$(mktemp -d)
PIDS=()
PROXY_PID=
stop_proxy() { [[ -n $PROXY_PID ]] && { kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; }; PROXY_PID=; }
cleanup() { stop_proxy; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
TCK=$(getconf CLK_TCK)
cpu_s() { awk -v t="$TCK" '{print ($14+$15)/t}' "/proc/$1/stat"; }

cat > "$WORK/backend.conf" <<NGINX
worker_processes 1;
daemon off;
master_process off;
pid $WORK/backend.pid;
error_log $WORK/backend-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; location / { return 200 "hello from the backend\n"; } }
}
NGINX
taskset -c 0 nginx -c "$WORK/backend.conf" & PIDS+=($!)

nginx_proxy() { # $1: certificate directory
  cat > "$WORK/proxy.conf" <<NGINX
worker_processes 1;
daemon off;
master_process off;
pid $WORK/proxy.pid;
error_log $WORK/proxy-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 64; }
  server {
    listen 127.0.0.1:$PROXY ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $1/0.crt;
    ssl_certificate_key $1/0.key;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
  taskset -c 1 nginx -c "$WORK/proxy.conf" & PROXY_PID=$!
}

archway_proxy() { # $1: certificate directory, $2: provider
  rm -rf "$WORK/config"; "$ROOT/bench/tls/config.sh" "$1" 0 "$WORK/config" $PROXY $BACKEND
  taskset -c 1 java -Xmx512m -Darchway.tls.provider="$2" -jar "$JAR" serve --config "$WORK/config" \
    --address 127.0.0.1 --admin 127.0.0.1:$ADMIN >"$WORK/archway.log" 2>&1 & PROXY_PID=$!
  until [[ $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$ADMIN/readyz || true) == 200 ]]; do
    kill -0 "$PROXY_PID" 2>/dev/null || { echo "archway exited; log:" >&2; tail -20 "$WORK/archway.log" >&2; exit 1; }
    sleep 0.5
  done
  if [[ $2 == openssl ]] && ! grep -q "TLS by BoringSSL" "$WORK/archway.log"; then
    echo "archway did not select BoringSSL:" >&2; grep -i "tls" "$WORK/archway.log" >&2 || true
  fi
}

handshakes() { # $1: seconds; prints the handshakes counted by 4 s_time clients
  local out=$WORK/s_time
  ( # a subshell, so that wait waits for these four clients only
    for c in 1 2 3 4; do
      taskset -c 0 openssl s_time -connect 127.0.0.1:$PROXY -new -tls1_3 -time "$1" >"$out.$c" 2>&1 &
    done
    wait
  )
  # "N connections in T real seconds, ..." (s_time's other summary line counts user seconds)
  cat "$out".* | awk '/connections in .* real seconds/ {n += $1} END {print n + 0}'
}

https_rps() { # $1: seconds; prints the requests wrk completed
  taskset -c 0 wrk -t1 -c64 -d"$1"s -H 'Host: bench.example.com' "https://127.0.0.1:$PROXY/" \
    | awk '/requests in/ {print $1}'
}

measure() { # $1: step name, $2: function; prints a result line
  "$2" "$WARMUP" >/dev/null
  local c0 t0 n c1 t1
  c0=$(cpu_s "$PROXY_PID"); t0=$(date +%s.%N)
  n=$("$2" "$SECONDS_PER_STEP")
  c1=$(cpu_s "$PROXY_PID"); t1=$(date +%s.%N)
  awk -v n="$n" -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v name="$1" \
    'BEGIN {w = e - s; c = b - a; printf "  %-11s %8.0f /s  %8.0f /proxy-CPU-s  (proxy core %.0f %% busy)\n", name, n / w, (c > 0 ? n / c : 0), 100 * c / w}'
}

sleep 1
for alg in rsa ec; do
  CERTS=$("$ROOT/bench/tls/certs.sh" "$alg" 1 | tail -1)
  for target in nginx archway-jdk archway-openssl; do
    case $target in
      nginx) nginx_proxy "$CERTS"; sleep 1 ;;
      archway-jdk) archway_proxy "$CERTS" jdk ;;
      archway-openssl) archway_proxy "$CERTS" openssl ;;
    esac
    curl -sk --fail -o /dev/null -H 'Host: bench.example.com' "https://127.0.0.1:$PROXY/" \
      || { echo "$target does not answer over HTTPS" >&2; exit 1; }
    echo "== $target, $alg certificate"
    measure handshakes handshakes
    measure https_rps https_rps
    stop_proxy
  done
done
