#!/usr/bin/env node
// Sums the vitest JSON reports of every package and app into the plain closing line CI reads:
// "N passed, N failed". Exits 1 when any test failed, a package's report is missing, or none ran.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const group of ['packages', 'apps']) {
  for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, group, entry.name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!manifest.scripts?.test) continue;
    const file = join(dir, '.vitest-report.json');
    if (!existsSync(file)) {
      missing.push(`${group}/${entry.name}`);
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    // A file that fails to load fails its suite without failing a test; count it once.
    const failedTests = report.numFailedTests ?? 0;
    failed += failedTests > 0 ? failedTests : report.success === false ? Math.max(1, report.numFailedTestSuites ?? 0) : 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  }
}
for (const name of missing) process.stderr.write(`test-summary: no test report from ${name}\n`);
if (skipped > 0) process.stderr.write(`test-summary: ${skipped} skipped\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
