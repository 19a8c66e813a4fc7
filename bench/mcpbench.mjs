#!/usr/bin/env node
// mcpbench.mjs - latency / throughput / memory benchmark for ONE MCP server (stdio or Streamable HTTP).
// Plain Node ESM on the v2 MCP client (@modelcontextprotocol/client, a dependency of this package), speaking
// either protocol era. Writes one JSON line per measurement to stdout. See README.md beside this file.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const HELP = `usage: node mcpbench.mjs [options] [-- SERVER_CMD ARG...]
target (one of):
  -- CMD ARG...           stdio server spawned by the harness (run 'node .../dist/index.js', not npx,
                          so that the measured pid is the server itself)
  --url URL               Streamable HTTP endpoint; with "-- CMD" the harness also spawns CMD as the
                          HTTP server and times spawn -> first successful initialize
options:
  --era legacy|modern     protocol era of the client: legacy = 2025-11-25 initialize handshake (default),
                          modern = 2026-07-28 (pinned; stateless requests with a _meta envelope)
  --label NAME            written into every line (default: the command or the URL)
  --cold N                cold starts per run, default 5 (external URL: connect+initialize of a new session)
  --list N                tools/list calls, default 20
  --tool NAME             tool for tools/call; --args JSON its arguments (default {})
  --calls N               sequential tools/call count, default 200, after --warmup W (default 100) unrecorded
  --concurrency 1,8,32    throughput levels: HTTP = C clients, one session each; stdio = C requests in
                          flight on the one connection. --duration S per level (default 10) after
                          --tp-warmup S (default 1)
  --repeat R              repeat the whole sequence R times (fresh server each time), default 1
  --pid PID               pid of an external (--url, no CMD) server, to read its VmHWM and CPU time
  --timeout MS            per-request timeout, default 300000
  --header NAME:VALUE     HTTP request header sent with every request of the SDK and the raw client
                          (repeatable), e.g. --header 'authorization:Bearer TOKEN'
  --raw-client            HTTP throughput via a minimal keep-alive node:http JSON-RPC client instead of the
                          SDK Client (whose fetch-based transport costs far more CPU than the server on a small box)
  --max-buffer-mb M       stdio client's largest accepted message (SDK default 10 MiB: bigger replies close
                          the connection with "Connection closed")
  --stderr                pass the server's stderr through (default: discarded)
  --expect REGEX          count the distinct matches of REGEX in the first timed tools/call result
                          (JSON text) as expect_unique, to check that a fast answer is also a right one
lines: {"metric":"cold_start"|"tools_list"|"tools_call"|"throughput"|"peak_rss", label, run, ...}
latencies in ms: n, min, p50, p95, p99, max, mean (nearest-rank percentiles)`;

const { values: o, positionals: cmd } = parseArgs({
  allowPositionals: true,
  options: {
    era: { type: 'string', default: 'legacy' }, label: { type: 'string' }, url: { type: 'string' },
    cold: { type: 'string', default: '5' }, list: { type: 'string', default: '20' },
    tool: { type: 'string' }, args: { type: 'string', default: '{}' },
    calls: { type: 'string', default: '200' }, warmup: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '' }, duration: { type: 'string', default: '10' },
    'tp-warmup': { type: 'string', default: '1' }, repeat: { type: 'string', default: '1' },
    pid: { type: 'string' }, timeout: { type: 'string', default: '300000' },
    'max-buffer-mb': { type: 'string' }, stderr: { type: 'boolean', default: false }, 'raw-client': { type: 'boolean', default: false }, header: { type: 'string', multiple: true, default: [] }, expect: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
  },
});
if (o.help || (!o.url && !cmd.length)) { console.log(HELP); process.exit(o.help ? 0 : 2); }
const num = (k) => Number(o[k]);
const timeout = num('timeout');
const toolArgs = JSON.parse(o.args);
const label = o.label ?? (o.url ?? cmd.join(' '));
const transportKind = o.url ? 'http' : 'stdio';
const extraHeaders = {};
for (const h of o.header) {
  const at = h.indexOf(':');
  if (at < 1) { console.error(`--header ${JSON.stringify(h.slice(0, 40))}: write NAME:VALUE`); process.exit(2); }
  extraHeaders[h.slice(0, at).trim().toLowerCase()] = h.slice(at + 1).trim();
}
const hasExtraHeaders = Object.keys(extraHeaders).length > 0;

if (!['legacy', 'modern'].includes(o.era)) { console.error('--era must be legacy or modern'); process.exit(2); }
const MODERN = '2026-07-28';
const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
const sdkVersion = (() => { // walk up from the client's entry to its package.json (not exported)
  for (let d = path.dirname(new URL(import.meta.resolve('@modelcontextprotocol/client')).pathname); d !== path.dirname(d); d = path.dirname(d)) {
    try { const p = JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')); if (p.name === '@modelcontextprotocol/client') return p.version; } catch { /* up */ }
  }
})();

// ---- helpers ----
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r3 = (x) => (x == null || Number.isNaN(x) ? null : Math.round(x * 1000) / 1000);
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  if (!n) return { n: 0 };
  const q = (p) => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  return { n, min: r3(s[0]), p50: r3(q(0.5)), p95: r3(q(0.95)), p99: r3(q(0.99)), max: r3(s[n - 1]), mean: r3(s.reduce((a, b) => a + b, 0) / n) };
}
let run = 0;
const emit = (metric, fields) => console.log(JSON.stringify({ metric, label, transport: transportKind, era: o.era, run, ...fields, sdk: sdkVersion, ts: new Date().toISOString() }));

// Peak RSS (VmHWM, kB) of pid and the largest among its descendants; CPU ms (utime+stime) of pid.
function procTree(pid) {
  const out = []; const stack = [pid];
  while (stack.length) {
    const p = stack.pop(); out.push(p);
    try { for (const t of readdirSync(`/proc/${p}/task`)) { const c = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim(); if (c) stack.push(...c.split(/\s+/).map(Number)); } } catch { /* gone */ }
  }
  return out;
}
function memKb(pid) {
  const field = (p, k) => { try { return Number(new RegExp(`${k}:\\s+(\\d+)`).exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? NaN); } catch { return NaN; } };
  if (!pid) return {};
  const tree = procTree(pid).map((p) => field(p, 'VmHWM')).filter((v) => !Number.isNaN(v));
  return { hwm_kb: field(pid, 'VmHWM'), rss_kb: field(pid, 'VmRSS'), hwm_kb_max_in_tree: tree.length ? Math.max(...tree) : null, procs: tree.length };
}
const CLK_TCK = 100; // Linux USER_HZ
function cpuMs(pid) {
  try { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return ((+f[11]) + (+f[12])) * 1000 / CLK_TCK; } catch { return NaN; }
}

// ---- connecting ----
const newClient = () => new Client({ name: 'mcpbench', version: '0.1.0' }, {
  capabilities: {},
  ...(o.era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN } } } : {}),
});
async function connectHttp() {
  const c = newClient();
  await c.connect(new StreamableHTTPClientTransport(new URL(o.url), hasExtraHeaders ? { requestInit: { headers: extraHeaders } } : undefined), { timeout });
  return c;
}
async function closeHttp(c) {
  try { await c.transport?.terminateSession?.(); } catch { /* stateless servers answer 405 */ }
  await c.close();
}
async function stopProc(p) {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  if (await Promise.race([gone.then(() => true), sleep(3000).then(() => false)])) return;
  p.kill('SIGKILL'); await gone;
}
const children = new Set(); // HTTP servers we spawned: never leave one behind
process.on('exit', () => { for (const p of children) p.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));
process.stdout.on('error', () => process.exit(1)); // e.g. EPIPE when piped into head
// Starts (or, for an external URL, just connects to) the server. Returns {client, coldMs, pid, close}.
async function startTarget() {
  const t0 = now();
  if (!o.url) {
    const transport = new StdioClientTransport({ command: cmd[0], args: cmd.slice(1), env: process.env, stderr: o.stderr ? 'inherit' : 'ignore',
      ...(o['max-buffer-mb'] ? { maxBufferSize: Number(o['max-buffer-mb']) * 1048576 } : {}) });
    const client = newClient();
    await client.connect(transport, { timeout });
    return { client, coldMs: now() - t0, pid: transport.pid, close: () => client.close() };
  }
  const proc = cmd.length ? spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', o.stderr ? 'inherit' : 'ignore'] }) : null;
  if (proc) { children.add(proc); proc.once('exit', () => children.delete(proc)); }
  for (;;) {
    try {
      const client = await connectHttp();
      return { client, coldMs: now() - t0, pid: proc?.pid ?? (o.pid ? Number(o.pid) : null), close: async () => { await closeHttp(client); if (proc) await stopProc(proc); } };
    } catch (e) {
      if (!proc || proc.exitCode !== null || now() - t0 > 30000) { if (proc) await stopProc(proc); throw e; }
      await sleep(5); // server not listening yet
    }
  }
}

// Minimal Streamable HTTP client (no SDK): initialize, notifications/initialized, then tools/call.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
function rawPost(u, body, hdrs) {
  return new Promise((resolve, reject) => {
    const rq = http.request(u, { method: body ? 'POST' : 'DELETE', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extraHeaders, ...hdrs } }, (res) => {
      let b = ''; res.setEncoding('utf8'); res.on('data', (c) => (b += c));
      res.on('end', () => {
        if (res.statusCode >= 400) return reject(new Error(`HTTP ${res.statusCode}: ${b.slice(0, 200)}`));
        const msgs = /event-stream/.test(res.headers['content-type'] ?? '') ? b.split('\n').filter((l) => l.startsWith('data:') && l.length > 6).map((l) => JSON.parse(l.slice(5))) : b ? [JSON.parse(b)] : [];
        resolve({ headers: res.headers, msg: msgs.find((m) => 'result' in m || 'error' in m) });
      });
    });
    rq.on('error', reject); rq.end(body ? JSON.stringify(body) : undefined);
  });
}
// 2026-07-28 has no handshake: every request carries the protocol version in a header and in _meta.
async function rawConnectModern() {
  const u = new URL(o.url); let id = 0;
  const hdrs = { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': o.tool };
  const meta = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };
  return {
    call: async () => { const r = await rawPost(u, { jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: o.tool, arguments: toolArgs, _meta: meta } }, hdrs); if (r.msg?.error) throw new Error(r.msg.error.message); return r.msg.result; },
    close: async () => {},
  };
}
async function rawConnect() {
  if (o.era === 'modern') return rawConnectModern();
  const u = new URL(o.url); let id = 0;
  const init = await rawPost(u, { jsonrpc: '2.0', id: ++id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcpbench-raw', version: '0.1.0' } } });
  const hdrs = { 'mcp-protocol-version': init.msg.result.protocolVersion };
  if (init.headers['mcp-session-id']) hdrs['mcp-session-id'] = init.headers['mcp-session-id'];
  await rawPost(u, { jsonrpc: '2.0', method: 'notifications/initialized' }, hdrs);
  return {
    call: async () => { const r = await rawPost(u, { jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: o.tool, arguments: toolArgs } }, hdrs); if (r.msg?.error) throw new Error(r.msg.error.message); return r.msg.result; },
    close: async () => { if (hdrs['mcp-session-id']) await rawPost(u, null, hdrs).catch(() => {}); },
  };
}

// ---- measurements ----
const callOnce = (client) => client.callTool({ name: o.tool, arguments: toolArgs }, { timeout });

async function measureCalls(t) {
  for (let i = 0; i < num('warmup'); i++) await callOnce(t.client).catch(() => {});
  const lat = []; let errors = 0; let firstError; let respBytes = null; let expectUnique;
  const cpu0 = cpuMs(t.pid);
  for (let i = 0; i < num('calls'); i++) {
    const s = now(); let r = null;
    try { r = await callOnce(t.client); if (r.isError) { errors++; firstError ??= JSON.stringify(r.content).slice(0, 200); } } catch (e) { errors++; firstError ??= String(e?.message ?? e); }
    lat.push(now() - s);
    if (i === 0 && r) { // outside the timed span
      const j = JSON.stringify(r); respBytes = j.length;
      if (o.expect) expectUnique = new Set(j.match(new RegExp(o.expect, 'g')) ?? []).size;
    }
  }
  const srvCpu = cpuMs(t.pid) - cpu0;
  emit('tools_call', { tool: o.tool, ...stats(lat), errors, first_error: firstError, resp_bytes: respBytes, expect_unique: expectUnique, srv_cpu_ms_per_call: r3(srvCpu / num('calls')) });
}

async function measureThroughput(t, c) {
  const raw = o.url && o['raw-client'];
  const clients = raw ? await Promise.all(Array.from({ length: c }, rawConnect))
    : o.url ? await Promise.all(Array.from({ length: c }, connectHttp)) : Array(c).fill(t.client);
  const callVia = raw ? (cl) => cl.call() : callOnce;
  const drive = async (secs, lat) => {
    const end = now() + secs * 1000; let errors = 0;
    await Promise.all(clients.map(async (cl) => {
      while (now() < end) {
        const s = now();
        try { const r = await callVia(cl); if (r?.isError) errors++; } catch { errors++; }
        lat?.push(now() - s);
      }
    }));
    return errors;
  };
  await drive(num('tp-warmup'));
  const lat = []; const cpu0 = process.cpuUsage(); const s0 = cpuMs(t.pid); const t0 = now();
  const errors = await drive(num('duration'), lat);
  const wall = now() - t0; const cpu = process.cpuUsage(cpu0); const srv = cpuMs(t.pid) - s0;
  if (o.url) await Promise.all(clients.map((cl) => (raw ? cl.close() : closeHttp(cl)).catch(() => {})));
  emit('throughput', {
    tool: o.tool, client: raw ? 'raw-node-http' : 'sdk', concurrency: c, duration_s: r3(wall / 1000), calls: lat.length, errors, rps: r3(lat.length / (wall / 1000)),
    ...stats(lat), client_cpu_pct: r3((cpu.user + cpu.system) / 10 / wall), server_cpu_pct: r3(srv * 100 / wall),
  });
}

for (run = 0; run < num('repeat'); run++) {
  let t; const cold = []; const idle = [];
  const starts = Math.max(1, num('cold'));
  for (let i = 0; i < starts; i++) {
    t = await startTarget();
    cold.push(t.coldMs); if (t.pid) idle.push(memKb(t.pid).hwm_kb);
    if (i < starts - 1) await t.close();
  }
  if (num('cold') > 0) {
    emit('cold_start', { what: o.url && !cmd.length ? 'connect+initialize (external server)' : 'spawn -> initialize result', ...stats(cold), samples: cold.map(r3), idle_hwm_kb: stats(idle).p50 ?? null, server: t.client.getServerVersion?.(), protocol: t.client.getNegotiatedProtocolVersion() ?? null });
  }
  if (num('list') > 0) {
    const lat = []; let tools = 0;
    for (let i = 0; i < num('list'); i++) { const s = now(); tools = (await t.client.listTools(undefined, { timeout })).tools.length; lat.push(now() - s); }
    emit('tools_list', { ...stats(lat), tools });
  }
  if (o.tool && num('calls') > 0) await measureCalls(t);
  if (o.tool) for (const c of o.concurrency.split(',').filter(Boolean).map(Number)) await measureThroughput(t, c);
  emit('peak_rss', { pid: t.pid, ...memKb(t.pid) });
  await t.close();
}
process.exit(0);
