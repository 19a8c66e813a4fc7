# Sourced by the scripts that run on a fresh machine: defines `pnpm` as the pinned version,
# using a global install when it matches and npx otherwise. Run from the repository root.
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if command -v pnpm >/dev/null 2>&1 && [ "$(command pnpm --version)" = "$PNPM_VERSION" ]; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx --yes "pnpm@${PNPM_VERSION}" "$@"; }
fi
