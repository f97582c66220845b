#!/usr/bin/env bash
# Checks a built Archway image the way a pod would use it: its entrypoint (with the class-data
# archive the image ships, mapped or the start fails) runs in the image's own file system, as its
# user, serving `archway quickstart` (the example's two demo backends in the same process); then a
# real client sends requests through the Gateway's listener and the admin endpoint answers ready.
#
#   deploy/image/check-image.sh IMAGE.tar
#
# Prints how long the start took to ready (the server's own log line) and how the route split the
# requests. Uses 127.0.0.1 ports 8080 (the Gateway), 9001-9003 (the demo backends) and 19901
# (admin). Runs where image-root.sh can (as root, or with unprivileged user namespaces).
set -euo pipefail

IMAGE="${1:?usage: check-image.sh IMAGE.tar}"
source "$(dirname "${BASH_SOURCE[0]}")/image-root.sh"

WORK="$(mktemp -d)"
PID=
# PID is the shell running in_image; its child is unshare, which ignores SIGTERM while it waits for
# its own child, the image's JVM: that one is stopped, and unshare and the shell end with it.
cleanup() {
  if [[ -n $PID ]]; then
    pkill -TERM -P "$(pgrep -P "$PID" | head -1)" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
image_root "$IMAGE" "$WORK"
fail() { echo "check-image: $*" >&2; sed 's/^/  | /' "$WORK/log" >&2; exit 1; }

# The archive must be mapped: the options of the training's own check, through the java launcher's
# environment variable, so that the entrypoint stays as the image has it.
ARCHIVE=$(sed -n 's/^-XX:\(AOTCache\|SharedArchiveFile\)=//p' "$ROOT/app/jvm-options" 2>/dev/null || true)
[[ -n $ARCHIVE && -f $ROOT$ARCHIVE ]] || { echo "check-image: $IMAGE has no class-data archive in /app/jvm-options" >&2; exit 1; }
archive_options "$MAJOR" "${ARCHIVE%.*}"
mkdir -p "$ROOT/tmp/archway-check"
cp "$ARCHWAY_REPO"/examples/quickstart/*.yaml "$ROOT/tmp/archway-check/"
chmod -R a+rX "$ROOT/tmp/archway-check"
IN_IMAGE_ENV=("JDK_JAVA_OPTIONS=${CHECK_OPTS[*]} -XX:MaxRAM=2g") # a pod's memory, not this machine's
in_image "${ENTRYPOINT[@]:1}" \
  quickstart --dir /tmp/archway-check --admin 127.0.0.1:19901 > "$WORK/log" 2>&1 &
PID=$!

for _ in $(seq 1 300); do
  curl -fsS -o /dev/null http://127.0.0.1:19901/readyz 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || fail "the image's process ended before it was ready"
  sleep 0.1
done
curl -fsS -o /dev/null http://127.0.0.1:19901/readyz || fail "not ready after 30 s"
stable=0 canary=0
for _ in $(seq 1 100); do
  body=$(curl -fsS http://127.0.0.1:8080/) || fail "a request through the Gateway failed"
  case $body in
    *stable*) stable=$((stable + 1)) ;;
    *canary*) canary=$((canary + 1)) ;;
    *) fail "unexpected answer: $body" ;;
  esac
done
(( stable > 0 && canary > 0 )) || fail "the 90/10 route sent $stable to stable and $canary to canary"
echo "check-image: $IMAGE (JDK $MAJOR, ${ARCHIVE} mapped): $(grep -o 'ready [0-9]* ms after the process started' "$WORK/log");" \
     "100 requests through the Gateway: $stable stable, $canary canary"
