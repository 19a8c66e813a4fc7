#!/usr/bin/env node
// pnpm --filter @bastion-mcp/bench auth: what HTTP authentication costs. The conformance fixture's
// `echo` tool (apps/conformance-fixture/dist/index.js) over Streamable HTTP, 2026-07-28 clients,
// served with bearer JWT authentication and the audit log written to a file ("on"), against the
// same server with no authentication ("off"; its audit goes to the discarded stderr), interleaved
// off, on, off, on, ... (--runs pairs), each run a fresh server process measured by
// bench/mcpbench.mjs: sequential calls with the SDK client, then throughput of --concurrency raw
// keep-alive clients. The tokens come from a local issuer started here (bench/auth/issuer.mjs: a
// jose RS256 key, its JWKS on 127.0.0.1). Goals: throughput ratio on / off >= 0.85, p99 ratio <= 1.3.
//
// Options: --runs N (default 5); --calls N sequential calls per run (default 2000, after 300
// warm-up); --concurrency C raw clients (default 8); --duration S seconds of throughput (default 10);
// --from FILE.jsonl (only render the table of an earlier run).
// Output: bench/results/auth-<stamp>.jsonl (mcpbench lines plus side/run) and auth-<stamp>.md.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmt, median, r3, spread } from '../table-stats.mjs';
import { startBenchIssuer } from './issuer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bench = resolve(here, '..');
const repo = resolve(bench, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' }, calls: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' }, duration: { type: 'string', default: '10' },
    from: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const FIXTURE = join(repo, 'apps', 'conformance-fixture', 'dist', 'index.js');
const SIDES = ['off', 'on'];
const SUBJECT = 'bench-user';
// The canonical URL clients would reach the server at behind a proxy; tokens name it as audience.
const RESOURCE = 'https://mcp.bench.example/mcp';
const GOALS = { rps: 0.85, p99: 1.3 };
const MESSAGE = 'hello';

let lines = [];
let file;
let failures = 0;

function record(line) {
  lines.push(line);
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** The server's environment for one side: auth and a file audit log when on, nothing when off. */
function serverEnv(side, issuer, auditLog) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('BASTION_')) delete env[name];
  if (side === 'off') return env;
  return {
    ...env,
    BASTION_RESOURCE_URL: RESOURCE,
    BASTION_AUTH_ISSUERS: issuer.issuer,
    BASTION_AUTH_JWKS_URLS: issuer.jwksUrl,
    BASTION_AUDIT_LOG: auditLog,
  };
}

// Asynchronous on purpose: the issuer serving the JWKS lives in this process and must keep answering.
function runChild(args, env) {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60 * 1000);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, stdout, stderr });
    });
  });
}

async function mcpbench(side, run, issuer, token, auditLog) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const label = `auth-${side}`;
  const args = [
    join(bench, 'mcpbench.mjs'), '--label', label, '--era', 'modern', '--url', url,
    '--cold', '1', '--list', '20', '--tool', 'echo', '--args', JSON.stringify({ message: MESSAGE }), '--expect', MESSAGE,
    '--calls', values.calls, '--warmup', '300',
    '--concurrency', values.concurrency, '--duration', values.duration, '--raw-client',
    ...(side === 'on' ? ['--header', `authorization:Bearer ${token}`] : []),
    '--', process.execPath, FIXTURE, '--transport', 'http', '--port', String(port), '--log-level', 'warn',
  ];
  const result = await runChild(args, serverEnv(side, issuer, auditLog));
  if (result.status !== 0) {
    failures++;
    const stderr = result.stderr.replaceAll(token, '<token>').slice(-1000);
    process.stderr.write(`auth bench: ${label} run ${run + 1} failed (exit ${result.status ?? result.signal}):\n${stderr}\n`);
    record({ metric: 'failed', label, side, run, exit: result.status ?? result.signal, stderr: stderr.slice(-300) });
    return;
  }
  for (const text of result.stdout.split('\n').filter((l) => l.startsWith('{'))) record({ ...JSON.parse(text), side, run });
}

/** Audit events of one "on" run: how many, and whether they name the token's subject. */
function auditOf(auditLog, run) {
  const events = existsSync(auditLog) ? readFileSync(auditLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const ok = events.filter((e) => e.outcome === 'ok' && e.principal === SUBJECT).length;
  record({ metric: 'audit', side: 'on', run, events: events.length, ok_for_subject: ok, bytes: existsSync(auditLog) ? readFileSync(auditLog).length : 0 });
  rmSync(auditLog, { force: true });
}

/**
 * Before measuring: the "on" server must really refuse a request without a token and answer the
 * benchmark's token; the "off" server must answer without one. Otherwise the comparison is void.
 */
async function preflight(issuer, token, dir) {
  const call = (url, headers) => fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: MESSAGE }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } } }),
  }).then(async (r) => ({ status: r.status, body: await r.text() }));
  const checks = {};
  for (const side of SIDES) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const server = spawn(process.execPath, [FIXTURE, '--transport', 'http', '--port', String(port), '--log-level', 'warn'], { env: serverEnv(side, issuer, join(dir, 'preflight.jsonl')), stdio: 'ignore' });
    try {
      for (let tries = 0; ; tries++) {
        try { await fetch(`http://127.0.0.1:${port}/healthz`); break; } catch (error) { if (tries > 300) throw error; await new Promise((r) => setTimeout(r, 20)); }
      }
      const without = await call(url, {});
      const withToken = await call(url, { authorization: `Bearer ${token}` });
      checks[side] = { without_token: without.status, with_token: withToken.status, echoed: withToken.body.includes(`"message":"${MESSAGE}"`) };
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  }
  rmSync(join(dir, 'preflight.jsonl'), { force: true });
  const ok = checks.on.without_token === 401 && checks.on.with_token === 200 && checks.on.echoed && checks.off.without_token === 200 && checks.off.echoed;
  return { ok, checks };
}

async function runAll() {
  if (!existsSync(FIXTURE)) {
    process.stderr.write(`auth bench: ${relative(repo, FIXTURE)} is missing; run pnpm build first.\n`);
    process.exit(1);
  }
  const runs = Number(values.runs);
  const issuer = await startBenchIssuer();
  const dir = mkdtempSync(join(tmpdir(), 'bastion-auth-bench-'));
  try {
    const token = await issuer.mint({ sub: SUBJECT, audience: RESOURCE });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    mkdirSync(join(bench, 'results'), { recursive: true });
    file = join(bench, 'results', `auth-${stamp}.jsonl`);
    writeFileSync(file, '');
    const fixture = JSON.parse(readFileSync(join(repo, 'apps', 'conformance-fixture', 'package.json'), 'utf8'));
    record({
      metric: 'meta', fixture: `${fixture.name} ${fixture.version}`, runs, calls: Number(values.calls), concurrency: Number(values.concurrency),
      duration_s: Number(values.duration), node: process.version, loadavg_start: loadavg().map(r3), started: new Date().toISOString(),
    });
    const checked = await preflight(issuer, token, dir);
    record({ metric: 'preflight', ...checked });
    if (!checked.ok) {
      process.stderr.write(`auth bench: preflight failed, the two sides are not what they claim: ${JSON.stringify(checked.checks)}\n`);
      process.exit(1);
    }
    for (let run = 0; run < runs; run++) {
      for (const side of SIDES) {
        const auditLog = join(dir, `audit-${run}.jsonl`);
        await mcpbench(side, run, issuer, token, auditLog);
        if (side === 'on') auditOf(auditLog, run);
      }
      process.stderr.write(`auth bench: run ${run + 1}/${runs} done\n`);
    }
    record({ metric: 'meta', loadavg_end: loadavg().map(r3), jwks_fetches: issuer.jwksFetches() });
  } finally {
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function render() {
  const info = lines.filter((l) => l.metric === 'meta').reduce((m, l) => ({ ...m, ...l }), {});
  const pick = (side, metric, f) => lines.filter((l) => l.side === side && l.metric === metric).sort((a, b) => a.run - b.run).map(f);
  // Pairs the k-th "on" run with the k-th "off" run.
  const paired = (metric, f) => {
    const off = new Map(lines.filter((l) => l.side === 'off' && l.metric === metric).map((l) => [l.run, f(l)]));
    return lines.filter((l) => l.side === 'on' && l.metric === metric && off.has(l.run)).sort((a, b) => a.run - b.run).map((l) => f(l) / off.get(l.run));
  };
  const failed = lines.some((l) => l.metric === 'failed' || (l.errors ?? 0) > 0 || (l.metric === 'tools_call' && l.expect_unique !== 1));
  const cpuPerCall = (l) => (l.server_cpu_pct / 100) * l.duration_s * 1000 / l.calls;
  const c = info.concurrency;
  const out = [
    `# HTTP authentication cost: ${info.fixture} \`echo\`, JWT auth + file audit on / auth off`, '',
    `${info.started}; ${info.runs} interleaved run pair(s) (off, on, ...), each a fresh server; 2026-07-28 clients; node ${info.node}; ` +
    `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; load average at start ${info.loadavg_start?.join(' ')}, at end ${info.loadavg_end?.join(' ')}.`,
    `Sequential: 300 warm-up + ${info.calls} calls with the SDK client. Throughput: ${c} raw keep-alive clients for ${info.duration_s} s after 1 s warm-up. ` +
    'Latencies in ms; each cell is min / median / max across runs of that run\'s own statistic; ratios pair the k-th "on" run with the k-th "off" run.', '',
    '| measurement | auth off (min / median / max) | auth on (min / median / max) | ratio on / off (min / median / max) | goal | verdict |',
    '|---|---|---|---|---|---|',
  ];
  const row = (what, metric, f, goal) => {
    const ratios = paired(metric, f);
    let verdict = '';
    if (goal && ratios.length) {
      const m = median(ratios);
      const met = goal.atLeast !== undefined ? m >= goal.atLeast : m <= goal.atMost;
      verdict = failed ? '**invalid** (errors)' : met ? `met (${fmt(m)})` : `**not met** (${fmt(m)})`;
    }
    const goalText = goal ? (goal.atLeast !== undefined ? `>= ${goal.atLeast}` : `<= ${goal.atMost}`) : '';
    out.push(`| ${what} | ${spread(pick('off', metric, f))} | ${spread(pick('on', metric, f))} | ${ratios.length ? spread(ratios) : '–'} | ${goalText} | ${verdict} |`);
  };
  row(`throughput, ${c} clients (calls/s)`, 'throughput', (l) => l.rps, { atLeast: GOALS.rps });
  row(`p50 under load, ${c} clients`, 'throughput', (l) => l.p50);
  row(`p99 under load, ${c} clients`, 'throughput', (l) => l.p99, { atMost: GOALS.p99 });
  row('server CPU per call under load (ms)', 'throughput', cpuPerCall);
  row('sequential tools/call p50', 'tools_call', (l) => l.p50);
  row('sequential tools/call p99', 'tools_call', (l) => l.p99, { atMost: GOALS.p99 });
  row('server CPU per sequential call (ms)', 'tools_call', (l) => l.srv_cpu_ms_per_call);
  row('tools/list p50', 'tools_list', (l) => l.p50);
  row('spawn -> first initialize (ms)', 'cold_start', (l) => l.p50);
  row('peak RSS at end (MiB)', 'peak_rss', (l) => l.hwm_kb / 1024);
  const notes = [];
  const preflightLine = lines.find((l) => l.metric === 'preflight');
  if (preflightLine) notes.push(`- preflight: on without token ${preflightLine.checks.on.without_token}, with token ${preflightLine.checks.on.with_token}; off without token ${preflightLine.checks.off.without_token}`);
  const audits = lines.filter((l) => l.metric === 'audit');
  if (audits.length) notes.push(`- audit (on): ${audits.map((a) => `${a.ok_for_subject} events for ${SUBJECT}, ${fmt(a.bytes / 1e6)} MB`).join('; ')} per run; JWKS fetched ${info.jwks_fetches} time(s) in all`);
  const errors = lines.filter((l) => (l.errors ?? 0) > 0).map((l) => `${l.side} run ${l.run + 1} ${l.metric}: ${l.errors} errors${l.first_error ? ` (first: ${String(l.first_error).slice(0, 160)})` : ''}`);
  for (const f of lines.filter((l) => l.metric === 'failed')) errors.push(`${f.side} run ${f.run + 1} failed (exit ${f.exit}): ${String(f.stderr).split('\n').filter(Boolean).slice(-2).join(' / ')}`);
  for (const l of lines.filter((x) => x.metric === 'tools_call' && x.expect_unique !== 1)) errors.push(`${l.side} run ${l.run + 1}: the echo answer did not hold the message`);
  notes.push(errors.length ? `- errors: ${errors.join('; ')}` : '- errors: none (every call answered, the sequential answers checked)');
  out.push('', ...notes);
  if (file) out.push('', `Raw lines: ${relative(repo, file)}`);
  return { text: out.join('\n'), failed };
}

if (values.from) {
  lines = readFileSync(values.from, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  file = resolve(values.from);
  process.stdout.write(`${render().text}\n`);
} else {
  await runAll();
  const { text, failed } = render();
  writeFileSync(file.replace(/\.jsonl$/, '.md'), `${text}\n`);
  process.stdout.write(`${text}\n`);
  if (failed || failures) { process.stderr.write('auth bench: some runs failed or erred; see the table\n'); process.exit(1); }
}
