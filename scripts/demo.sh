#!/usr/bin/env bash
# The main job from a fresh clone with only Node 20+ and git: install, build, serve, self-check.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version)" = "$PNPM_VERSION" ]; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx --yes "pnpm@${PNPM_VERSION}" "$@"; }
fi
pnpm install --frozen-lockfile
pnpm build
exec node scripts/demo.mjs
