#!/usr/bin/env node
// Sums the vitest JSON reports of every package and app into the plain closing line CI reads:
// "N passed, N failed". A package's .vitest-report.json comes from `pnpm test`; a further run of its
// tests (apps/postgres on a second PostgreSQL engine) writes .vitest-report.<run>.json beside it and
// is counted too. Exits 1 when any test failed, a package's main report is missing, or none ran.
// Skipped tests are listed by name: their titles carry the reason (see requires() in packages/testing).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let passed = 0;
let failed = 0;
const skipped = [];
const missing = [];
for (const group of ['packages', 'apps']) {
  for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, group, entry.name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!manifest.scripts?.test) continue;
    if (!existsSync(join(dir, '.vitest-report.json'))) missing.push(`${group}/${entry.name}`);
    const reports = readdirSync(dir).filter((name) => /^\.vitest-report(\.[\w-]+)?\.json$/.test(name));
    for (const name of reports.sort()) {
      const report = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      passed += report.numPassedTests ?? 0;
      // A file that fails to load fails its suite without failing a test; count it once.
      const failedTests = report.numFailedTests ?? 0;
      failed += failedTests > 0 ? failedTests : report.success === false ? Math.max(1, report.numFailedTestSuites ?? 0) : 0;
      const run = /^\.vitest-report\.([\w-]+)\.json$/.exec(name)?.[1];
      for (const file of report.testResults ?? []) {
        for (const test of file.assertionResults ?? []) {
          if (!['skipped', 'pending', 'todo'].includes(test.status)) continue;
          skipped.push(`${relative(root, file.name)}${run ? ` (${run} run)` : ''}: ${test.fullName}`);
        }
      }
    }
  }
}
for (const name of missing) process.stderr.write(`test-summary: no test report from ${name}\n`);
if (skipped.length > 0) {
  process.stderr.write(`test-summary: ${skipped.length} skipped\n${skipped.map((line) => `  ${line}\n`).join('')}`);
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
