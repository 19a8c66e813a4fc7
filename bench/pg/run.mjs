#!/usr/bin/env node
// pnpm --filter @bastion-mcp/bench pg: our PostgreSQL server (apps/postgres) against the reference
// @modelcontextprotocol/server-postgres 0.6.2, side by side on the same database (bench/pg/fixtures.mjs:
// a local cluster with a 1,000,000-row table, a 200-column table and 2,000 small tables), both
// connected as the same least-privilege reader and measured by bench/mcpbench.mjs over stdio. Cases
// with a reference run interleaved (reference, ours, reference, ours, ...: --runs pairs) and report
// paired ratios ours / reference; describe and search have no counterpart in the reference and are
// held to an absolute goal.
//
// Options: --runs N (default 5); --rows N (rows of public.items, default 1000000);
// --cases big,select1,cold,describe,search (default all); --from FILE.jsonl (only render the
// table of an earlier run).
// Output: bench/results/pg-<stamp>.jsonl (mcpbench lines plus case/side/run) and pg-<stamp>.md.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmt, median, r3, spread } from '../table-stats.mjs';
import { startBenchDatabase } from './fixtures.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bench = resolve(here, '..');
const repo = resolve(bench, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' }, rows: { type: 'string', default: '1000000' },
    cases: { type: 'string', default: 'big,select1,cold,describe,search' }, from: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 14).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const runs = Number(values.runs);
const rows = Number(values.rows);
const REFERENCE = createRequire(join(bench, 'package.json')).resolve('@modelcontextprotocol/server-postgres/package.json').replace(/package\.json$/, 'dist/index.js');
const OURS = join(repo, 'apps', 'postgres', 'dist', 'index.js');
const MIB = 1024;

// Each case: the call of each side (a side without one is not run), calls per run, and the goal:
// `ratio` for ours / reference, `ms` for an absolute p50, `rssMiB` for our peak RSS growth.
const CASES = [
  {
    id: 'big', title: `\`select * from items\` (${rows.toLocaleString('en')} rows)`, calls: 3, warmup: 0, rssMiB: 50,
    reference: { tool: 'query', args: { sql: 'select * from items' } },
    ours: { tool: 'query', args: { sql: 'select * from items' } },
  },
  {
    id: 'select1', title: '`select 1`', calls: 2000, warmup: 200, ratio: 1.2,
    reference: { tool: 'query', args: { sql: 'select 1' } },
    ours: { tool: 'query', args: { sql: 'select 1' } },
  },
  { id: 'cold', title: 'cold start, spawn -> initialize result', cold: 10, list: 20, ratio: 1.5 },
  {
    id: 'describe', title: 'describe_table of a 200-column table', calls: 50, warmup: 5, ms: 50,
    ours: { tool: 'describe_table', args: { table: 'public.wide200' } },
  },
  {
    id: 'search', title: 'search_schema over 2,000 tables', calls: 50, warmup: 5, ms: 50,
    ours: { tool: 'search_schema', args: { query: 't19' } },
  },
];
const selected = values.cases.split(',').map((s) => s.trim()).filter(Boolean);
for (const id of selected) if (!CASES.some((c) => c.id === id)) { console.error(`pg bench: unknown case ${id} (have ${CASES.map((c) => c.id).join(', ')})`); process.exit(2); }

let lines = [];
let file;
let failures = 0;

function record(line) {
  lines.push(line);
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

function mcpbench(testCase, side, run, url) {
  const server = side === 'ours' ? [OURS, '--log-level', 'warn'] : [REFERENCE, url];
  const label = `pg-${testCase.id}-${side}`;
  const args = testCase.cold
    ? ['--cold', String(testCase.cold), '--list', String(testCase.list)]
    : ['--cold', '1', '--list', '0', '--tool', testCase[side].tool, '--args', JSON.stringify(testCase[side].args),
      '--calls', String(testCase.calls), '--warmup', String(testCase.warmup), '--max-buffer-mb', '2048'];
  const result = spawnSync(process.execPath, [join(bench, 'mcpbench.mjs'), '--label', label, ...args, '--', process.execPath, ...server], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60 * 1000, env: { ...process.env, POSTGRES_URL: url },
  });
  if (result.status !== 0) {
    failures++;
    const stderr = (result.stderr || result.error?.message || '').slice(-1000);
    process.stderr.write(`pg bench: ${label} run ${run + 1} failed (exit ${result.status ?? result.signal}):\n${stderr}\n`);
    record({ metric: 'failed', label, case: testCase.id, side, run, exit: result.status ?? result.signal, stderr: stderr.slice(-300) });
    return;
  }
  for (const text of result.stdout.split('\n').filter((l) => l.startsWith('{'))) record({ ...JSON.parse(text), case: testCase.id, side, run });
}

async function runAll() {
  if (!existsSync(OURS)) {
    process.stderr.write(`pg bench: ${relative(repo, OURS)} is missing; run pnpm build first.\n`);
    process.exit(1);
  }
  const database = await startBenchDatabase({ rows, log: (line) => process.stderr.write(`pg bench: ${line}\n`) });
  try {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    mkdirSync(join(bench, 'results'), { recursive: true });
    file = join(bench, 'results', `pg-${stamp}.jsonl`);
    writeFileSync(file, '');
    const pkg = (entry) => { const p = JSON.parse(readFileSync(resolve(dirname(entry), '..', 'package.json'), 'utf8')); return `${p.name} ${p.version}`; };
    record({ metric: 'meta', reference: pkg(REFERENCE), ours: pkg(OURS), postgres: `${database.version} (${database.engine})`, rows, runs, node: process.version, loadavg_start: loadavg().map(r3), started: new Date().toISOString() });
    for (const testCase of CASES.filter((c) => selected.includes(c.id))) {
      for (let run = 0; run < runs; run++) {
        if (testCase.cold || testCase.reference) mcpbench(testCase, 'reference', run, database.url);
        mcpbench(testCase, 'ours', run, database.url);
        process.stderr.write(`pg bench: ${testCase.id} run ${run + 1}/${runs} done\n`);
      }
    }
    record({ metric: 'meta', loadavg_end: loadavg().map(r3) });
  } finally {
    await database.stop();
  }
}

function render() {
  const pick = (id, side, metric, f) => lines.filter((l) => l.case === id && l.side === side && l.metric === metric).sort((a, b) => a.run - b.run).map(f);
  const paired = (id, metric, f) => {
    const ours = new Map(lines.filter((l) => l.case === id && l.side === 'ours' && l.metric === metric).map((l) => [l.run, f(l)]));
    return lines.filter((l) => l.case === id && l.side === 'reference' && l.metric === metric && ours.has(l.run)).map((l) => ours.get(l.run) / f(l));
  };
  const growth = (id, side) => pick(id, side, 'peak_rss', (l) => l).map((peak) => {
    const idle = lines.find((l) => l.case === id && l.side === side && l.run === peak.run && l.metric === 'cold_start');
    return idle ? (peak.hwm_kb - idle.idle_hwm_kb) / MIB : NaN;
  });
  const info = lines.filter((l) => l.metric === 'meta').reduce((m, l) => ({ ...m, ...l }), {});
  const out = [
    `# PostgreSQL servers side by side: ${info.ours} vs ${info.reference}`, '',
    `${info.started}; PostgreSQL ${info.postgres}; ${info.runs} interleaved run(s) per case; node ${info.node}; ` +
    `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; load average at start ${info.loadavg_start?.join(' ')}, at end ${info.loadavg_end?.join(' ')}.`,
    'Latencies in ms; each cell is min / median / max across runs of that run\'s own statistic; ratios pair the k-th run of ours with the k-th run of the reference.', '',
    '| case | measurement | reference (min / median / max) | ours (min / median / max) | ratio ours / reference | goal | verdict |',
    '|---|---|---|---|---|---|---|',
  ];
  const notes = [];
  for (const c of CASES) {
    if (!lines.some((l) => l.case === c.id)) continue;
    for (const f of lines.filter((l) => l.case === c.id && l.metric === 'failed')) notes.push(`- ${c.id}: ${f.side} run ${f.run + 1} failed (exit ${f.exit}): ${String(f.stderr).split('\n').filter(Boolean).slice(-2).join(' / ')}`);
    for (const l of lines.filter((x) => x.case === c.id && x.metric === 'tools_call' && x.errors > 0)) notes.push(`- ${c.id}: ${l.side} run ${l.run + 1}: ${l.errors}/${l.n} calls failed; first: ${String(l.first_error).slice(0, 200)}`);
    const oursFailed = lines.some((l) => l.case === c.id && l.side === 'ours' && (l.metric === 'failed' || l.errors > 0));
    const row = (what, metric, f, goal) => {
      const ref = pick(c.id, 'reference', metric, f);
      const ours = pick(c.id, 'ours', metric, f);
      const ratios = paired(c.id, metric, f);
      let verdict = '';
      if (goal?.ratio !== undefined) verdict = oursFailed ? '**invalid** (ours failed)' : ratios.length ? (median(ratios) <= goal.ratio ? `met (${fmt(median(ratios))})` : `**not met** (${fmt(median(ratios))})`) : '–';
      if (goal?.ms !== undefined) verdict = oursFailed ? '**invalid** (ours failed)' : median(ours) < goal.ms ? `met (${fmt(median(ours))} ms)` : `**not met** (${fmt(median(ours))} ms)`;
      const goalText = goal?.ratio !== undefined ? `<= ${goal.ratio}` : goal?.ms !== undefined ? `p50 < ${goal.ms} ms` : '';
      out.push(`| ${c.id} | ${what} | ${spread(ref)} | ${spread(ours)} | ${ratios.length ? spread(ratios) : ''} | ${goalText} | ${verdict} |`);
    };
    if (c.cold) {
      row(`${c.title}, p50 of ${c.cold} spawns`, 'cold_start', (l) => l.p50, { ratio: c.ratio });
      row('tools/list p50', 'tools_list', (l) => l.p50);
      row('idle peak RSS after initialize (MiB)', 'cold_start', (l) => l.idle_hwm_kb / MIB);
      continue;
    }
    row(`${c.title}: p50 of ${c.calls} calls`, 'tools_call', (l) => l.p50, c.ratio !== undefined ? { ratio: c.ratio } : c.ms !== undefined ? { ms: c.ms } : undefined);
    row('p99 of the calls', 'tools_call', (l) => l.p99);
    row('server CPU per call (ms)', 'tools_call', (l) => l.srv_cpu_ms_per_call);
    row('reply size (kB)', 'tools_call', (l) => l.resp_bytes / 1000);
    row('peak RSS at end (MiB)', 'peak_rss', (l) => l.hwm_kb / MIB);
    const ours = growth(c.id, 'ours');
    const verdict = c.rssMiB === undefined ? '' : oursFailed ? '**invalid** (ours failed)' : Math.max(...ours) <= c.rssMiB ? `met (max ${fmt(Math.max(...ours))})` : `**not met** (max ${fmt(Math.max(...ours))})`;
    out.push(`| ${c.id} | peak RSS growth over idle (MiB) | ${spread(growth(c.id, 'reference'))} | ${spread(ours)} | | ${c.rssMiB === undefined ? '' : `ours <= ${c.rssMiB} MiB`} | ${verdict} |`);
  }
  if (notes.length) out.push('', 'Failures:', ...notes);
  out.push('', 'Calls:');
  for (const c of CASES) {
    if (!lines.some((l) => l.case === c.id) || c.cold) continue;
    const show = (side) => (c[side] ? `\`${c[side].tool} ${JSON.stringify(c[side].args)}\`` : 'none');
    out.push(`- ${c.id}: reference ${show('reference')}; ours ${show('ours')}; ${c.warmup} warm-up + ${c.calls} timed calls per run`);
  }
  if (file) out.push('', `Raw lines: ${relative(repo, file)}`);
  return out.join('\n');
}

if (values.from) {
  lines = readFileSync(values.from, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  file = resolve(values.from);
  process.stdout.write(`${render()}\n`);
} else {
  await runAll();
  const md = render();
  writeFileSync(file.replace(/\.jsonl$/, '.md'), `${md}\n`);
  process.stdout.write(`${md}\n`);
  const oursFailed = lines.some((l) => l.side === 'ours' && (l.metric === 'failed' || l.errors > 0));
  if (oursFailed) { process.stderr.write(`pg bench: our server failed (${failures} failed runs); see the table\n`); process.exit(1); }
}
