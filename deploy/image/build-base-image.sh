#!/usr/bin/env bash
# Builds, without a registry or a Docker daemon, the base image the `image` Maven profile can put
# Archway on: a `docker save` tarball holding a jlink'ed Java runtime (the modules Archway uses) with
# the JDK's own class-data archive (without it a start loads even the JDK's classes one by one, and
# the image's own archive, trained on top of it, cannot be made on JDK 17), the shared libraries it
# links (from this machine, Debian), a non-root user 65532 and a writable /tmp. Jib takes it as
# `tar://PATH`:
#
#   deploy/image/build-base-image.sh archway-cli/target/archway-base.tar
#   mvn -B -P image -pl archway-cli -am verify -DskipTests \
#       -Darchway.image.base=tar://$PWD/archway-cli/target/archway-base.tar
#
# Where a registry is reachable, the profile's default base (gcr.io/distroless/java25-debian13)
# needs none of this.
# The JDK: JAVA_HOME, else the newest JDK 25 or later under /usr/lib/jvm (an image on JDK 25 with its
# AOT cache is ready in 0.64 of the time of one on JDK 17 with AppCDS: docs/PERFORMANCE.md,
# "Container image start-up, session 12"), else /usr/lib/jvm/java-17-openjdk-amd64. JDK 17 needs its
# jmods (Debian's openjdk-17-jdk-headless); a JDK 24 or later links from its own run-time image
# where it was built to (Temurin's is).
# Needs: root (the home directory belongs to user 65532), ldd, tar, sha256sum.
set -euo pipefail

OUT="${1:?usage: build-base-image.sh OUTPUT.tar}"
major() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true; }
JDK="${JAVA_HOME:-}"
if [[ -z $JDK ]]; then
  JDK=/usr/lib/jvm/java-17-openjdk-amd64
  for home in /usr/lib/jvm/*; do
    m=$(major "$home")
    [[ -n $m && -x $home/bin/jlink ]] && (( m >= 25 && m > $(major "$JDK") + 0 )) && JDK=$home
  done
fi
JDK_MAJOR=$(major "$JDK")
[[ -n $JDK_MAJOR && -x $JDK/bin/jlink ]] || { echo "no JDK with jlink at $JDK: set JAVA_HOME" >&2; exit 1; }
# `jdeps --ignore-missing-deps --multi-release 17 --print-module-deps archway.jar` (fabric8, Netty,
# Jackson, picocli, Micrometer, the JDK's HTTP server for the admin endpoint), plus what is loaded
# by name and jdeps cannot see: elliptic-curve TLS (jdk.crypto.ec) and DNS lookups (jdk.naming.dns).
MODULES="java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.jfr,jdk.management,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns"

MODULE_PATH=()
if [[ -d "$JDK/jmods" ]]; then
  MODULE_PATH=(--module-path "$JDK/jmods")
elif (( JDK_MAJOR < 24 )); then
  echo "no jmods in $JDK: install the JDK package (openjdk-$JDK_MAJOR-jdk-headless)" >&2; exit 1
fi
# zip-6 is what "2" meant; JDK 21 and later call the number deprecated
COMPRESS=2
(( JDK_MAJOR >= 21 )) && COMPRESS=zip-6
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/rootfs"
mkdir -p "$ROOT/opt" "$ROOT/etc" "$ROOT/tmp" "$ROOT/home/nonroot"

# (the CDS archive's generation on JDK 25 warns about lambda forms of modules left out: not shown)
"$JDK/bin/jlink" "${MODULE_PATH[@]}" --add-modules "$MODULES" --strip-debug --no-man-pages \
  --no-header-files --compress="$COMPRESS" --generate-cds-archive --output "$ROOT/opt/java" 2>&1 \
  | { grep -v '^\[[0-9.]*s\]\[warning\]\[cds' || true; }

# The shared libraries the runtime links, at the paths the loader looks for them.
copy_lib() {
  local lib="$1" dest="$ROOT$1"
  [[ -e "$dest" ]] && return
  mkdir -p "$(dirname "$dest")"
  cp -L "$lib" "$dest"
}
while read -r lib; do
  [[ "$lib" == "$ROOT"/* ]] || copy_lib "$lib" # the runtime's own libraries are in place already
done < <(find "$ROOT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null \
          | grep -oE '/[^ ]+\.so[^ ]*' | sort -u)
# glibc's pieces loaded at run time (name service for user and host lookups)
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 \
           /lib/x86_64-linux-gnu/libresolv.so.2 /lib/x86_64-linux-gnu/libpthread.so.0 \
           /lib/x86_64-linux-gnu/libdl.so.2 /lib/x86_64-linux-gnu/librt.so.1 /lib/x86_64-linux-gnu/libm.so.6; do
  [[ -e "$lib" ]] && copy_lib "$lib"
done

printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$ROOT/etc/group"
printf 'hosts: files dns\n' > "$ROOT/etc/nsswitch.conf"
chmod 1777 "$ROOT/tmp"
chown 65532:65532 "$ROOT/home/nonroot"

# One layer, reproducible: fixed owner-less ordering and times.
LAYER="$WORK/layer.tar"
tar --sort=name --mtime='2000-01-01 00:00:00Z' --numeric-owner -C "$ROOT" -cf "$LAYER" .
DIFF_ID="$(sha256sum "$LAYER" | cut -d' ' -f1)"

IMG="$WORK/image"
mkdir -p "$IMG/$DIFF_ID"
mv "$LAYER" "$IMG/$DIFF_ID/layer.tar"
cat > "$IMG/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],"User":"65532:65532","WorkingDir":"/home/nonroot"},"rootfs":{"type":"layers","diff_ids":["sha256:$DIFF_ID"]},"history":[{"created_by":"deploy/image/build-base-image.sh"}]}
JSON
CONFIG_ID="$(sha256sum "$IMG/config.json" | cut -d' ' -f1)"
mv "$IMG/config.json" "$IMG/$CONFIG_ID.json"
printf '[{"Config":"%s.json","RepoTags":["archway-base:%s"],"Layers":["%s/layer.tar"]}]\n' "$CONFIG_ID" "$JDK_MAJOR" "$DIFF_ID" \
  > "$IMG/manifest.json"
mkdir -p "$(dirname "$OUT")"
# entries named without "./": Jib refuses to unpack a "./" entry ("outside destination")
tar --mtime='2000-01-01 00:00:00Z' -C "$IMG" -cf "$OUT" manifest.json "$CONFIG_ID.json" "$DIFF_ID/layer.tar"
echo "base image: $OUT ($(du -h "$OUT" | cut -f1)), java $("$ROOT/opt/java/bin/java" -version 2>&1 | head -1)"
