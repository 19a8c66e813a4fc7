#!/usr/bin/env node
// pnpm bench: the per-call and start-up overhead of a core-defined echo tool (servers/core-echo.mjs)
// against a bare MCP SDK server doing the same (servers/bare-echo.mjs), over stdio (2025-11-25
// client, as desktop hosts connect) and Streamable HTTP (2026-07-28 client: both servers stateless
// per request). Runs are interleaved bare, core, bare, core so that machine noise hits both alike;
// the tables report min / median / max across runs and paired ratios core / bare.
// Options: --runs N (default 5), --calls N (default 2000), --throughput (adds raw-client HTTP
// throughput at 8 concurrent clients).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, calls: { type: 'string', default: '2000' }, throughput: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
const calls = String(values.calls);

const common = ['--tool', 'echo', '--args', '{"message":"hello"}', '--calls', calls, '--warmup', '300', '--list', '20'];
const CASES = [
  { label: 'bare-stdio', args: ['--era', 'legacy', '--cold', '5', ...common, '--', process.execPath, join(here, 'servers/bare-echo.mjs'), 'stdio'] },
  { label: 'core-stdio', args: ['--era', 'legacy', '--cold', '5', ...common, '--', process.execPath, join(here, 'servers/core-echo.mjs')] },
  {
    label: 'bare-http',
    port: 39_301,
    args: (port) => ['--era', 'modern', '--url', `http://127.0.0.1:${port}/mcp`, '--cold', '3', ...common, ...(values.throughput ? ['--concurrency', '8', '--duration', '5', '--raw-client'] : []), '--', process.execPath, join(here, 'servers/bare-echo.mjs'), 'http', String(port)],
  },
  {
    label: 'core-http',
    port: 39_302,
    args: (port) => ['--era', 'modern', '--url', `http://127.0.0.1:${port}/mcp`, '--cold', '3', ...common, ...(values.throughput ? ['--concurrency', '8', '--duration', '5', '--raw-client'] : []), '--', process.execPath, join(here, 'servers/core-echo.mjs'), '--transport', 'http', '--port', String(port)],
  },
];

const lines = [];
for (let run = 0; run < runs; run += 1) {
  for (const testCase of CASES) {
    const args = typeof testCase.args === 'function' ? testCase.args(testCase.port) : testCase.args;
    const result = spawnSync(process.execPath, [join(here, 'mcpbench.mjs'), '--label', testCase.label, ...args], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (result.status !== 0) {
      process.stderr.write(`bench: ${testCase.label} failed:\n${result.stderr}\n`);
      process.exit(1);
    }
    for (const line of result.stdout.split('\n').filter((text) => text.startsWith('{'))) {
      lines.push({ ...JSON.parse(line), run });
    }
    process.stderr.write(`bench: run ${run + 1}/${runs} ${testCase.label} done\n`);
  }
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `overhead-${stamp}.jsonl`);
writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));
const pick = (label, metric, field) => lines.filter((l) => l.label === label && l.metric === metric).map((l) => l[field]);
const spread = (xs) => `${fmt(Math.min(...xs))} / ${fmt(median(xs))} / ${fmt(Math.max(...xs))}`;

const ROWS = [
  ['cold start, spawn -> initialize result (ms, p50 of each run)', 'cold_start', 'p50'],
  ['tools/list p50 (ms)', 'tools_list', 'p50'],
  ['echo tools/call p50 (ms)', 'tools_call', 'p50'],
  ['echo tools/call p99 (ms)', 'tools_call', 'p99'],
  ['server CPU per call (ms)', 'tools_call', 'srv_cpu_ms_per_call'],
  ['peak RSS (MiB)', 'peak_rss', 'hwm_kb'],
  ...(values.throughput ? [['HTTP throughput, 8 raw clients (calls/s)', 'throughput', 'rps']] : []),
];
const out = [`Results: ${file}`, '', `| measurement | transport | bare SDK (min / median / max) | core (min / median / max) | ratio core / bare (min / median / max of paired runs) |`, '|---|---|---|---|---|'];
for (const transport of ['stdio', 'http']) {
  for (const [name, metric, field] of ROWS) {
    const bare = pick(`bare-${transport}`, metric, field).map((x) => (field === 'hwm_kb' ? x / 1024 : x));
    const core = pick(`core-${transport}`, metric, field).map((x) => (field === 'hwm_kb' ? x / 1024 : x));
    if (bare.length === 0 || core.length === 0) continue;
    const ratios = core.slice(0, bare.length).map((value, index) => value / bare[index]);
    out.push(`| ${name} | ${transport} | ${spread(bare)} | ${spread(core)} | ${spread(ratios)} |`);
  }
}
const errors = lines.reduce((sum, line) => sum + (line.errors ?? 0), 0);
out.push('', `errors: ${errors}; runs: ${runs}; calls per run: ${calls}; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; ${Math.round(totalmem() / 2 ** 30)} GiB`);
process.stdout.write(`${out.join('\n')}\n`);
