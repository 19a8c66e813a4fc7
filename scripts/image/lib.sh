# Sourced by the image scripts: the repository root, the work dir, the container storage flags and
# die(). Images, layers, run state and temp files all live under the work dir, so nothing in
# /var/lib/containers or /run/containers is touched and deleting the work dir resets everything.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${BASTION_IMAGE_WORK:-$ROOT/.image-work}
STORE=(--root "$WORK/storage" --runroot "$WORK/run" --storage-driver vfs)
PODMAN=(podman "${STORE[@]}" --tmpdir "$WORK/run/libpod" --events-backend none)
# For `podman run` on the CI machines: crun 1.8 refuses their hybrid cgroup layout (a v2 hierarchy
# holding a controller), which runc accepts; and setting podman's default ulimits there fails with
# "setrlimit: operation not permitted" (root lacks CAP_SYS_RESOURCE), while these lower ones pass.
RUN_FLAGS=(--runtime runc --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
export TMPDIR="$WORK/tmp"

die() {
  echo "image: $*" >&2
  exit 1
}

# localhost/bastion-<package name without its scope>:<package version>
image_tag() {
  node -e 'const p = require(require("path").resolve(process.argv[1], "package.json"));
console.log(`localhost/bastion-${p.name.replace(/^@[^/]+\//, "")}:${p.version}`)' "$1"
}
