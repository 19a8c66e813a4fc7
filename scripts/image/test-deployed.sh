#!/usr/bin/env bash
# Runs an app's deployed suite (test/deployed.test.ts, see packages/testing/src/deployed-suite.ts)
# against its built image instead of its bin: the same cases, with the server started by
# `podman run` on the host's network. Prints "image deployed <name>: N passed, N failed".
# Usage: scripts/image/test-deployed.sh apps/<name> <image>
set -euo pipefail
# lib.sh points TMPDIR into the work dir for podman; the suite's own temp files (and the test
# cluster's sockets, whose paths must stay short) belong in the caller's.
CALLER_TMPDIR=${TMPDIR:-/tmp}
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 <app-dir> <image>, e.g. $0 apps/filesystem localhost/bastion-filesystem:0.0.0"
APP=$(cd "$1" 2>/dev/null && pwd) || die "$1 is not a directory"
IMAGE=$2
[ -f "$APP/test/deployed.test.ts" ] || die "$APP/test/deployed.test.ts is missing; see docs/containers.md"
NAME=${IMAGE#localhost/bastion-}
NAME=${NAME%:*}
REPORT=$WORK/logs/deployed-$NAME.json
mkdir -p "$WORK/logs"
rm -f "$REPORT"

rc=0
(cd "$APP" && TMPDIR=$CALLER_TMPDIR BASTION_TEST_IMAGE=$IMAGE BASTION_TEST_PODMAN=$ROOT/scripts/image/podman.sh \
  "$APP/node_modules/.bin/vitest" run test/deployed.test.ts --reporter=default --reporter=json --outputFile.json="$REPORT") >&2 || rc=1
node -e 'const fs = require("fs");
const file = process.argv[1];
const report = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
const failed = (report.numFailedTests ?? 0) || (report.success === false || !fs.existsSync(file) ? 1 : 0);
console.log(`image deployed ${process.argv[2]}: ${report.numPassedTests ?? 0} passed, ${failed} failed`);' "$REPORT" "$NAME"
exit $rc
