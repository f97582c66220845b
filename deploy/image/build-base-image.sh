#!/usr/bin/env bash
# Builds, without a registry or a Docker daemon, the base image the `image` Maven profile can put
# Archway on: a `docker save` tarball holding a jlink'ed Java runtime (the modules Archway uses,
# from the local JDK's jmods), the shared libraries it links (from this machine, Debian), a
# non-root user 65532 and a writable /tmp. Jib takes it as `tar://PATH`:
#
#   deploy/image/build-base-image.sh archway-cli/target/archway-base.tar
#   mvn -o -P image -pl archway-cli -am package -DskipTests \
#       -Darchway.image.base=tar://$PWD/archway-cli/target/archway-base.tar
#
# Where a registry is reachable, the profile's default base (gcr.io/distroless/java17-debian12) needs none of this.
# Needs: JAVA_HOME (or /usr/lib/jvm/java-17-openjdk-amd64) with jmods, ldd, tar, sha256sum.
set -euo pipefail

OUT="${1:?usage: build-base-image.sh OUTPUT.tar}"
JDK="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
# `jdeps --ignore-missing-deps --multi-release 17 --print-module-deps archway.jar` (fabric8, Netty,
# Jackson, picocli, Micrometer, the JDK's HTTP server for the admin endpoint), plus what is loaded
# by name and jdeps cannot see: elliptic-curve TLS (jdk.crypto.ec) and DNS lookups (jdk.naming.dns).
MODULES="java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.jfr,jdk.management,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns"

[[ -d "$JDK/jmods" ]] || { echo "no jmods in $JDK: install the JDK package (openjdk-17-jdk-headless)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/rootfs"
mkdir -p "$ROOT/opt" "$ROOT/etc" "$ROOT/tmp" "$ROOT/home/nonroot"

"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --strip-debug --no-man-pages \
  --no-header-files --compress=2 --output "$ROOT/opt/java"

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
printf '[{"Config":"%s.json","RepoTags":["archway-base:17"],"Layers":["%s/layer.tar"]}]\n' "$CONFIG_ID" "$DIFF_ID" \
  > "$IMG/manifest.json"
mkdir -p "$(dirname "$OUT")"
# entries named without "./": Jib refuses to unpack a "./" entry ("outside destination")
tar --mtime='2000-01-01 00:00:00Z' -C "$IMG" -cf "$OUT" manifest.json "$CONFIG_ID.json" "$DIFF_ID/layer.tar"
echo "base image: $OUT ($(du -h "$OUT" | cut -f1)), java $("$ROOT/opt/java/bin/java" -version 2>&1 | head -1)"
