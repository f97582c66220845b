# Sourced by bench/cost.sh, bench/alloc-classes.sh, bench/aot-waiting.sh and bench/warmup.sh: the nginx
# backend and nginx proxy of ../shared/bench/proxy-bench.sh, and what the first three share around them.
# backend_nginx_conf DIR PORT [H2C_PORT]: writes DIR/backend.conf for an nginx on 127.0.0.1:PORT (and
# h2c on H2C_PORT) that answers /small with "ok", /4k with DIR/4k.txt (4 KiB, written here) and any other
# path with "ok"; its pid file, error log (DIR/backend.err) and body files stay in DIR, made readable
# to nginx's worker, which does not run as root (a mktemp folder is 0700).
backend_nginx_conf() {
  local dir=$1 port=$2 h2c=${3:-}
  chmod 755 "$dir"
  python3 -c "import sys; sys.stdout.write('x' * 4095 + '\n')" >"$dir/4k.txt"
  cat >"$dir/backend.conf" <<EOF
worker_processes 1;
pid $dir/backend.pid;
error_log $dir/backend.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $dir/tmp-backend;
  default_type text/plain;
  server {
    listen 127.0.0.1:$port;${h2c:+
    listen 127.0.0.1:$h2c http2;}
    location = /small { return 200 "ok"; }
    location = /4k { alias $dir/4k.txt; }
    location / { return 200 "ok"; }
  }
}
EOF
}

# nginx_proxy_conf DIR PORT BACKEND_PORT [http2]: writes DIR/nginx-proxy.conf, a one-worker nginx proxy on
# 127.0.0.1:PORT (h2c with prior knowledge only, given http2) in front of BACKEND_PORT, configured as
# ../shared/bench/proxy-bench.sh configures its nginx proxy (upstream keep-alive, HTTP/1.1 to it).
nginx_proxy_conf() {
  local dir=$1 port=$2 backend=$3 http2=${4:-}
  cat >"$dir/nginx-proxy.conf" <<EOF
worker_processes 1;
pid $dir/nginx-proxy.pid;
error_log $dir/nginx-proxy.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $dir/tmp-proxy;
  proxy_temp_path $dir/tmp-proxy-p;
  upstream backend {
    server 127.0.0.1:$backend;
    keepalive 128;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:$port${http2:+ http2};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
}

BENCH_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# bench_config DIR PROXY_PORT BACKEND_PORT: DIR/config/bench.yaml, bench/config's listener on
# PROXY_PORT and its backend on BACKEND_PORT.
bench_config() {
  mkdir -p "$1/config"
  sed -e "s/port: 18084/port: $2/" -e "s/port: 18080/port: $3/" "$BENCH_SCRIPTS/config/bench.yaml" >"$1/config/bench.yaml"
}

# start_backend DIR BACKEND_PORT PROXY_PORT: the backend nginx of backend_nginx_conf (h2c on BACKEND_PORT + 10)
# started in DIR pinned to LOADGEN_CPUS, its PID added to the caller's PIDS, DIR/config/bench.yaml
# written for PROXY_PORT (bench_config); returns once the backend answers, exits if it does not.
start_backend() {
  backend_nginx_conf "$1" "$2" "$(($2 + 10))"
  taskset -c "$LOADGEN_CPUS" nginx -c "$1/backend.conf" -e "$1/backend.err" -g 'daemon off;' &
  PIDS+=($!)
  bench_config "$1" "$3" "$2"
  wait_ready "http://127.0.0.1:$2/small" || { echo "backend nginx did not start (port $2 in use? see $1/backend.err)" >&2; exit 1; }
}

# wait_ready URL [h2c]: succeeds once URL answers 2xx (h2c: with prior knowledge), fails after 60 s.
wait_ready() {
  local flag=(); [[ ${2:-} == h2c ]] && flag=(--http2-prior-knowledge)
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "${flag[@]}" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
