#!/usr/bin/env bash
# Writes an Archway configuration directory serving COUNT certificates on one HTTPS port:
#   bench/tls/config.sh <certdir> <count> <outdir> <port> <backend-port>
# One Gateway (listener "default": no hostname, certificate 0, the default for clients without
# SNI) admits ListenerSets of its namespace; COUNT listeners h<i>.bench.example.com on the same
# port, 64 per ListenerSet (the CRD's maximum), each with its own Secret; one HTTPRoute on the
# Gateway sends every host to the backend.
set -euo pipefail
CERTS=${1:?certdir} COUNT=${2:?count} OUT=${3:?outdir} PORT=${4:?port} BACKEND=${5:?backend port}
mkdir -p "$OUT"
b64() { base64 -w0 "$1"; }
{
  cat <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: archway
  allowedListeners: {namespaces: {from: Same}}
  listeners:
  - name: default
    port: $PORT
    protocol: HTTPS
    tls: {certificateRefs: [{name: cert-0}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bench, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: backend, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: backend-1, namespace: default, labels: {kubernetes.io/service-name: backend}}
addressType: IPv4
ports: [{name: http, port: $BACKEND}]
endpoints: [{addresses: ["127.0.0.1"]}]
---
apiVersion: v1
kind: Secret
metadata: {name: cert-0, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: $(b64 "$CERTS/0.crt"), tls.key: $(b64 "$CERTS/0.key")}
YAML
} > "$OUT/gateway.yaml"
: > "$OUT/listeners.yaml"
for ((i = 0; i <= COUNT; i++)); do
  [[ -s $CERTS/$i.crt ]] || { echo "no certificate $CERTS/$i.crt: run bench/tls/certs.sh first" >&2; exit 2; }
done
for ((i = 1; i <= COUNT; i++)); do
  if (( (i - 1) % 64 == 0 )); then
    cat >> "$OUT/listeners.yaml" <<YAML
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: set-$(( (i - 1) / 64 )), namespace: default}
spec:
  parentRef: {name: gw}
  listeners:
YAML
  fi
  printf '  - {name: l%d, port: %d, protocol: HTTPS, hostname: h%d.bench.example.com, tls: {certificateRefs: [{name: cert-%d}]}}\n' \
    "$i" "$PORT" "$i" "$i" >> "$OUT/listeners.yaml"
done
for ((i = 1; i <= COUNT; i++)); do
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata: {name: cert-%d, namespace: default}\ntype: kubernetes.io/tls\ndata: {tls.crt: %s, tls.key: %s}\n' \
    "$i" "$(b64 "$CERTS/$i.crt")" "$(b64 "$CERTS/$i.key")"
done > "$OUT/secrets.yaml"
