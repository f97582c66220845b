# Sourced by train-archive.sh and check-image.sh: a built image, unpacked into a scratch root and run
# there as a container runtime would, without one (this project's build machines have no container
# engine): chroot into the image's file system, its own mount and PID namespaces with /proc and
# /dev, the image's user and environment. Also sets ARCHWAY_REPO (this checkout) and sources
# archway-cli/archive.sh (how an archive is trained and mapped).
ARCHWAY_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ARCHWAY_REPO/archway-cli/archive.sh"

# image_root IMAGE.tar WORK: unpacks the `docker save` tarball IMAGE.tar (Jib's buildTar) into
# WORK/root and sets
#   ROOT        that root
#   ENTRYPOINT  the image's entrypoint (its first word, the JVM, as the image names it)
#   JVM         the JVM's path in the image (the entrypoint's first word, found on the image's PATH)
#   MAJOR       that JVM's feature version
# and defines in_image (below).
# Runs as root (chroot and mounts in a private mount namespace), or as any user where unprivileged
# user namespaces are allowed (then as root in one). Needs: tar, python3 (the image's JSON), util-linux.
# For images one builds or trusts: the layers are unpacked as they are (no whiteouts; as root, a
# symbolic link an earlier layer made is followed).
image_root() {
  local image=$1 work=$2 layer dir
  ROOT="$work/root"
  mkdir -p "$work/image" "$ROOT"
  tar -xf "$image" -C "$work/image"
  # The image's layers in order, its user, environment and entrypoint.
  python3 - "$work/image" > "$work/image.env" <<'PY'
import json, shlex, sys
d = sys.argv[1]
manifest = json.load(open(f"{d}/manifest.json"))[0]
config = json.load(open(f"{d}/{manifest['Config']}"))["config"]
env = dict(e.split("=", 1) for e in config.get("Env", []))
print("LAYERS=(" + " ".join(shlex.quote(l) for l in manifest["Layers"]) + ")")
print("IMAGE_USER=" + shlex.quote(config.get("User") or "0:0"))
print("IMAGE_PATH=" + shlex.quote(env.get("PATH", "/usr/bin:/bin")))
print("IMAGE_ENV=(" + " ".join(shlex.quote(e) for e in config.get("Env", [])) + ")")
print("ENTRYPOINT=(" + " ".join(shlex.quote(a) for a in config["Entrypoint"]) + ")")
PY
  source "$work/image.env"
  for layer in "${LAYERS[@]}"; do
    tar -xf "$work/image/$layer" -C "$ROOT" --no-same-owner 2>/dev/null \
      || tar -xzf "$work/image/$layer" -C "$ROOT" --no-same-owner
  done
  mkdir -p "$ROOT/proc" "$ROOT/dev" "$ROOT/tmp"
  chmod 1777 "$ROOT/tmp"

  # (-L: a base may link /usr/bin/java to its JDK by an absolute path, which only resolves in the root)
  JVM="${ENTRYPOINT[0]}"
  if [[ $JVM != /* ]]; then
    for dir in ${IMAGE_PATH//:/ }; do
      [[ -e "$ROOT$dir/$JVM" || -L "$ROOT$dir/$JVM" ]] && { JVM="$dir/$JVM"; break; }
    done
  fi
  [[ -e "$ROOT$JVM" || -L "$ROOT$JVM" ]] \
    || { echo "$image: no JVM '${ENTRYPOINT[0]}' on the image's PATH ($IMAGE_PATH)" >&2; return 1; }

  local settings
  settings="$(in_image -XshowSettings:properties -version 2>&1)" \
    || { printf '%s: its %s does not run here:\n%s\n' "$image" "$JVM" "$settings" >&2; return 1; }
  MAJOR="$(sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' <<<"$settings")"
  [[ -n $MAJOR ]] || { printf '%s: no Java version from its %s:\n%s\n' "$image" "$JVM" "$settings" >&2; return 1; }
}

# in_image ARG...: runs the image's JVM with ARGs in the image root (image_root first), in the
# image's environment plus the NAME=VALUEs of the array IN_IMAGE_ENV. Without /dev/urandom the JDK
# seeds its random numbers from thread timing, for seconds. The namespace's process ends with its
# parent (--kill-child), so a stopped check leaves nothing behind.
IN_IMAGE_ENV=()
in_image() {
  local ns user=()
  if (( EUID == 0 )); then
    ns=(unshare --mount --pid --fork --kill-child=TERM --mount-proc="$ROOT/proc")
    user=(--userspec="$IMAGE_USER")
  else
    ns=(unshare --user --map-root-user --mount --pid --fork --kill-child=TERM --mount-proc="$ROOT/proc")
  fi
  "${ns[@]}" bash -c 'mount --rbind /dev "$0/dev" && exec "$@"' "$ROOT" \
    env -i "${IMAGE_ENV[@]}" "${IN_IMAGE_ENV[@]}" "$(command -v chroot)" "${user[@]}" "$ROOT" "$JVM" "$@"
}
