#!/usr/bin/env bash
# The main job from a fresh clone with only Node 20+ and git: install, build, serve both connectors on sample data, self-check.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
. scripts/lib-pnpm.sh
pnpm install --frozen-lockfile
pnpm build
exec node scripts/demo.mjs
