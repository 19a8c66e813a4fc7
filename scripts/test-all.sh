#!/usr/bin/env bash
# Every test of the repository, from a fresh clone with only Node 20+ and git: installs the pinned
# pnpm if needed, installs dependencies from the lockfile, builds, runs every package's tests (the
# PostgreSQL connector's on the system server and again on embedded-postgres) and both official MCP
# conformance suites, and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

. scripts/lib-pnpm.sh

# The shared rate-limit tests run against a real redis-server (Debian's package).
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-all: installing redis-server from Debian's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null || exit 1
  else
    echo "test-all: redis-server is missing; install it (apt-get install -y --no-install-recommends redis-server) and run again" >&2
    exit 1
  fi
fi

# The PostgreSQL tests run on the system server (Debian's package) and again on embedded-postgres.
has_system_postgres() {
  command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
if ! has_system_postgres; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-all: installing PostgreSQL from Debian's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null || exit 1
  else
    echo "test-all: PostgreSQL's server binaries are missing; install them (apt-get install -y --no-install-recommends postgresql) and run again" >&2
    exit 1
  fi
fi

pnpm install --frozen-lockfile || exit 1
pnpm build || exit 1
find packages apps -maxdepth 2 -name '.vitest-report*.json' -delete
rc=0
# Every package; apps/postgres on the system PostgreSQL (the auto engine's choice when it is installed).
pnpm test || rc=1
# apps/postgres once more on embedded-postgres, into a report of its own that test-summary.mjs adds.
BASTION_TEST_PG_ENGINE=embedded pnpm --filter @bastion-mcp/postgres exec \
  vitest run --reporter=default --reporter=json --outputFile.json=.vitest-report.embedded.json || rc=1
pnpm conformance || rc=1
bash scripts/image/test-images.sh || rc=1
node scripts/test-summary.mjs || rc=1
exit $rc
