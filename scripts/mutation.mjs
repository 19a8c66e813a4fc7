// Runs Stryker over the security modules, one package at a time (each package's stryker.config.mjs
// names its modules), then prints the score of every module as a Markdown table.
//   node scripts/mutation.mjs                      every package
//   node scripts/mutation.mjs packages/auth ...    only these
//   node scripts/mutation.mjs --report-only        print the table from the last reports
//   node scripts/mutation.mjs apps/postgres -- --ignoreStatic   pass options on to Stryker
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strykerTempDir } from './stryker-base.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['packages/schema', 'packages/logging', 'packages/auth', 'packages/core', 'apps/filesystem', 'apps/postgres'];
const REPORT = 'reports/mutation/mutation.json';

const separator = process.argv.indexOf('--');
const args = separator === -1 ? process.argv.slice(2) : process.argv.slice(2, separator);
const strykerArgs = separator === -1 ? [] : process.argv.slice(separator + 1);
const reportOnly = args.includes('--report-only');
const chosen = args.filter((arg) => !arg.startsWith('--'));
for (const name of chosen) {
  if (!PACKAGES.includes(name)) {
    console.error(`Unknown package "${name}". Choose from: ${PACKAGES.join(', ')}.`);
    process.exit(2);
  }
}
const packages = chosen.length > 0 ? chosen : PACKAGES;

let failed = false;
if (!reportOnly) {
  for (const pkg of packages) {
    console.log(`\n=== Mutation testing ${pkg}`);
    const dir = join(root, pkg);
    const temp = strykerTempDir(dir);
    linkSiblings(dir, temp);
    const stryker = join(root, 'node_modules/.bin/stryker');
    const run = spawnSync(stryker, ['run', 'stryker.config.mjs', ...strykerArgs], { cwd: dir, stdio: 'inherit' });
    rmSync(temp, { recursive: true, force: true });
    if (run.status !== 0) {
      console.error(`Stryker failed in ${pkg} (exit ${run.status ?? run.signal}).`);
      failed = true;
    }
  }
}
console.log(`\n${scoreTable(packages)}`);
process.exit(failed ? 1 : 0);

/**
 * Stryker runs the tests in a copy of the package at <temp>/sandbox-*, where a test's
 * `../../testing/src/...` import would point into <temp>. Linking the package's siblings there
 * makes such paths resolve as they do in the real tree.
 */
function linkSiblings(dir, temp) {
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const parent = dirname(dir);
  for (const sibling of readdirSync(parent, { withFileTypes: true })) {
    if (sibling.isDirectory() && sibling.name !== basename(dir)) {
      symlinkSync(join(parent, sibling.name), join(temp, sibling.name), 'dir');
    }
  }
}

function scoreTable(pkgs) {
  const rows = ['| Module | Mutants | Killed | Survived | Timeout | No coverage | Score |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const pkg of pkgs) {
    const report = join(root, pkg, REPORT);
    if (!existsSync(report)) {
      rows.push(`| ${pkg} | no report: run it first | | | | | |`);
      continue;
    }
    const { files } = JSON.parse(readFileSync(report, 'utf8'));
    for (const [file, { mutants }] of Object.entries(files)) {
      const count = (status) => mutants.filter((mutant) => mutant.status === status).length;
      const killed = count('Killed');
      const survived = count('Survived');
      const timeout = count('Timeout');
      const noCoverage = count('NoCoverage');
      const valid = killed + survived + timeout + noCoverage;
      const score = valid === 0 ? 'n/a' : `${((100 * (killed + timeout)) / valid).toFixed(1)}%`;
      rows.push(`| ${pkg}/${file} | ${valid} | ${killed} | ${survived} | ${timeout} | ${noCoverage} | ${score} |`);
    }
  }
  return rows.join('\n');
}
