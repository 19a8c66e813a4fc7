#!/usr/bin/env bash
# Builds the image of every app with a Dockerfile and smoke-tests it over MCP, with the arguments in
# apps/<app>/image-smoke.json ({"args": [...], "call": {"name": ..., "arguments": {...}}}). An app
# with test/deployed.test.ts then runs that deployed suite against its image (podman run, host
# network, audit log on a mounted volume) instead of its bin.
# Prints one "image smoke <name>: N passed, N failed" line per app, and one "image deployed <name>:
# N passed, N failed" per deployed suite; exits 1 if any failed.
# Run after `pnpm install` and `pnpm build`, as root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

rc=0
apps=0
for dockerfile in apps/*/Dockerfile; do
  [ -f "$dockerfile" ] || continue
  app=$(dirname "$dockerfile")
  tag=$(image_tag "$app")
  name=${tag#localhost/bastion-}
  name=${name%:*}
  apps=$((apps + 1))
  if [ ! -f "$app/image-smoke.json" ]; then
    echo "image: $app/image-smoke.json is missing; create it with the app's smoke arguments (docs/containers.md)" >&2
  elif bash scripts/image/build-image.sh "$app" >/dev/null; then
    node scripts/image/smoke.mjs "$tag" --spec "$app/image-smoke.json" || rc=1
    if [ -f "$app/test/deployed.test.ts" ]; then
      bash scripts/image/test-deployed.sh "$app" "$tag" || rc=1
    fi
    continue
  fi
  echo "image smoke $name: 0 passed, 1 failed"
  rc=1
done
[ "$apps" -gt 0 ] || die "no apps/*/Dockerfile found; nothing was tested"
exit $rc
