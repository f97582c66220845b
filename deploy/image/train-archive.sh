#!/usr/bin/env bash
# Trains the class-data archive of a built Archway image, inside that image, the way the launcher
# trains its own (archway-cli/archive.sh): the image's layers are unpacked into a scratch root, and
# the training start-up runs there under chroot, as the image's user, with the image's own JVM and
# classpath at the paths the container will see. An archive is only valid for the exact JVM build
# and class path it was made with, and a container cannot make its own at start (the root file
# system is read-only, and every pod an autoscaler adds would pay for the training), so it is made
# here, once per image build, and added to the image by the `image` Maven profile.
#
#   deploy/image/train-archive.sh IMAGE.tar OUTDIR
#
# IMAGE.tar is a `docker save` tarball (Jib's buildTar). Writes to OUTDIR:
#   archway.jsa (JDK 17 to 24) or archway.aot (JDK 25 and later), to be put at /app/ in the image;
#   jvm-options, a Java argument file (the image's entrypoint reads @/app/jvm-options) that maps it.
# Runs where image-root.sh can (as root, or with unprivileged user namespaces).
set -euo pipefail

IMAGE="${1:?usage: train-archive.sh IMAGE.tar OUTDIR}"
OUT="${2:?usage: train-archive.sh IMAGE.tar OUTDIR}"
source "$(dirname "${BASH_SOURCE[0]}")/image-root.sh"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
image_root "$IMAGE" "$WORK"

# The training's configuration and the archive's scratch folder, inside the root.
mkdir -p "$ROOT/tmp/archway-training" "$ROOT/tmp/archway-archive"
cp -r "$ARCHWAY_REPO/archway-cli/training/." "$ROOT/tmp/archway-training/"
chmod -R a+rX "$ROOT/tmp/archway-training"
chmod 1777 "$ROOT/tmp/archway-archive"

archive_options "$MAJOR" /tmp/archway-archive/archway
# A heap sized from this machine's memory could pass 32 GiB and turn compressed references off, and
# an archive made so maps in no pod: the training gets a pod's ceiling.
IN_IMAGE_ENV=("JDK_JAVA_OPTIONS=-XX:MaxRAM=2g")
ARCHWAY_TRAIN_LOG="$WORK/training.log"
if ! train_archive /tmp/archway-training in_image -- "${ENTRYPOINT[@]:1}"; then
  echo "train-archive: the training start-up in $IMAGE (JDK $MAJOR) made no archive that a start maps; its output ends:" >&2
  tail -n 15 "$ARCHWAY_TRAIN_LOG" | sed 's/^/  | /' >&2
  exit 1
fi

mkdir -p "$OUT"
rm -f "$OUT"/archway.jsa "$OUT"/archway.aot
cp "$ROOT$ARCHIVE_FILE" "$OUT/"
# The archive's place in the image, and the options that map it there, one per line.
archive_options "$MAJOR" /app/archway
printf '%s\n' "${JVM_OPTS[@]}" "${SHARE_OPTS[@]}" > "$OUT/jvm-options"
echo "train-archive: $OUT/$(basename "$ARCHIVE_FILE") ($(du -h "$OUT/$(basename "$ARCHIVE_FILE")" | cut -f1)), JDK $MAJOR, for ${ENTRYPOINT[*]}"
