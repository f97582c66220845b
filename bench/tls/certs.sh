#!/usr/bin/env bash
# Generates (once) and caches self-signed certificates for the TLS benchmarks, one per host name
# h<i>.bench.example.com, under target/bench-tls/<alg>/ at the repository root:
#   bench/tls/certs.sh <ec|rsa> <count>      prints the directory
# ec: ECDSA P-256; rsa: RSA 2048 (slow: about 20 a second on one core; cached, so only once).
# A count already generated is reused; a larger one generates only the missing certificates.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ALG=${1:?ec or rsa}
COUNT=${2:?count}
DIR=$ROOT/target/bench-tls/$ALG
mkdir -p "$DIR"
case $ALG in
  ec) NEWKEY=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
  rsa) NEWKEY=(-newkey rsa:2048) ;;
  *) echo "unknown algorithm $ALG (ec or rsa)" >&2; exit 2 ;;
esac
gen() {
  local i=$1 h="h$1.bench.example.com"
  [[ -s $DIR/$i.crt && -s $DIR/$i.key ]] && return 0
  openssl req -x509 "${NEWKEY[@]}" -nodes -keyout "$DIR/$i.key.tmp" -out "$DIR/$i.crt.tmp" -days 3650 \
    -subj "/CN=$h" -addext "subjectAltName=DNS:$h" 2>/dev/null
  mv "$DIR/$i.key.tmp" "$DIR/$i.key" && mv "$DIR/$i.crt.tmp" "$DIR/$i.crt"
}
export -f gen; export DIR; export NEWKEY_STR="${NEWKEY[*]}"
# Two generators at a time (the box is shared); each certificate is written atomically, so an
# interrupted run resumes.
for ((i = 0; i < COUNT; i++)); do echo "$i"; done | \
  xargs -P 2 -I{} bash -c 'NEWKEY=($NEWKEY_STR); gen {}'
echo "$DIR"
