#!/usr/bin/env bash
# podman on the image scripts' storage (lib.sh), for tests that run the images: the deployed suite
# runs `podman.sh run ...` (BASTION_TEST_PODMAN) and `podman.sh rm ...`. `run` gets RUN_FLAGS, which
# make containers start on the CI machines (see lib.sh). Needs root, like build-image.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMPDIR"
if [ "${1:-}" = run ]; then
  shift
  exec "${PODMAN[@]}" run "${RUN_FLAGS[@]}" "$@"
fi
exec "${PODMAN[@]}" "$@"
