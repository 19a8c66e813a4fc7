#!/usr/bin/env node
// pnpm --filter @bastion-mcp/bench fs: our filesystem server (apps/filesystem) against the reference
// @modelcontextprotocol/server-filesystem 2026.8.31, side by side on the same fixtures
// (bench/fs/generate.mjs), each measured by bench/mcpbench.mjs over stdio. For every case the two run
// interleaved (reference, ours, reference, ours, ...: --runs pairs) so that the noise of a shared box
// hits both alike; the table reports min / median / max across runs and the paired ratios
// ours / reference (k-th run of ours over the k-th run of the reference). grep_files, which the
// reference lacks, is compared with `grep -rF` instead. Every tool result is checked with --expect:
// a fast wrong answer is reported as wrong, not as fast.
//
// Options: --runs N (default 5); --dir DIR (fixtures, default bench/.fs-fixtures, generated when
// missing); --ours PATH (our server's entry, default apps/filesystem/dist/index.js, skipped with a
// message while it does not exist; `--ours reference` runs the reference on both sides, an A/A run
// that shows the noise floor); --cases search,tree,list,read,grep,cold (default all);
// --from FILE.jsonl (only render the table of an earlier run).
// Output: bench/results/fs-<stamp>.jsonl (mcpbench lines plus case/side/run) and fs-<stamp>.md.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmt, median, r3, spread } from '../table-stats.mjs';
import { DEFAULT_DIR, NEEDLE, generate } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bench = resolve(here, '..');
const repo = resolve(bench, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' }, dir: { type: 'string' }, ours: { type: 'string' },
    cases: { type: 'string', default: 'search,tree,list,read,grep,cold' }, from: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 16).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const ROOT = resolve(values.dir ?? DEFAULT_DIR);
const runs = Number(values.runs);
const REFERENCE = createRequire(join(bench, 'package.json')).resolve('@modelcontextprotocol/server-filesystem/package.json').replace(/package\.json$/, 'dist/index.js');
const OURS = values.ours === 'reference' ? REFERENCE : resolve(values.ours ?? join(repo, 'apps/filesystem/dist/index.js'));
const pkg = (entry) => { try { const p = JSON.parse(readFileSync(resolve(dirname(entry), '..', 'package.json'), 'utf8')); return `${p.name} ${p.version}`; } catch { return '?'; } };

// ---- the cases ----
const MIB = 1024;
const tree50k = join(ROOT, 'tree50k');
const needles = String.raw`d\d\d/s\d/f\d\d\d_needle\.txt`; // a path, absolute or relative, of a needle file
const CASES = [
  {
    id: 'search', title: 'search_files `**/*_needle.txt` over tree50k (50,000 files, 10 hits)', goal: 0.5,
    calls: 3, warmup: 1, expect: needles, expectN: 10, warm: tree50k,
    reference: { tool: 'search_files', args: { path: tree50k, pattern: '**/*_needle.txt' } },
    ours: { tool: 'search_files', args: { path: tree50k, pattern: '**/*_needle.txt', max_results: 1000 } },
  },
  {
    id: 'tree', title: 'directory_tree of tree5k (5,000 entries)', goal: 0.7,
    calls: 20, warmup: 3, expect: String.raw`t\d\d_f\d\d\.txt|\bt\d\d\b`, expectN: 5000, warm: join(ROOT, 'tree5k'),
    reference: { tool: 'directory_tree', args: { path: join(ROOT, 'tree5k') } },
    ours: { tool: 'directory_tree', args: { path: join(ROOT, 'tree5k'), max_depth: 10, max_entries: 10000, respect_gitignore: false } },
  },
  {
    id: 'list', title: 'list_directory of dir10k (10,000 files)', goal: 0.7,
    calls: 30, warmup: 5, expect: String.raw`e\d{5}\.txt`, expectN: 10000, warm: join(ROOT, 'dir10k'),
    reference: { tool: 'list_directory', args: { path: join(ROOT, 'dir10k') } },
    ours: { tool: 'list_directory', args: { path: join(ROOT, 'dir10k'), limit: 10000 } },
  },
  {
    id: 'read', title: 'read_text_file head 100 of file-20mib.txt', goal: 0.2, rssGoalMiB: 10,
    calls: 50, warmup: 5, expect: String.raw`L\d{7}`, expectN: 100, warm: join(ROOT, 'file-20mib.txt'),
    reference: { tool: 'read_text_file', args: { path: join(ROOT, 'file-20mib.txt'), head: 100 } },
    ours: { tool: 'read_text_file', args: { path: join(ROOT, 'file-20mib.txt'), head: 100 } },
  },
  {
    id: 'grep', title: `grep_files \`${NEEDLE}\` (literal) over tree50k, against grep -rF`, goal: 2, baseline: 'grep',
    calls: 10, warmup: 2, expect: needles, expectN: 10, warm: tree50k,
    grep: ['grep', '-rF', NEEDLE, tree50k],
    ours: { tool: 'grep_files', args: { path: tree50k, pattern: NEEDLE, literal: true, max_matches: 1000 } },
  },
  { id: 'cold', title: 'cold start, spawn -> initialize result (allowed dir: the fixtures root)', goal: 0.7, cold: 10, list: 20 },
];
const selected = values.cases.split(',').map((s) => s.trim()).filter(Boolean);
for (const id of selected) if (!CASES.some((c) => c.id === id)) { console.error(`fs bench: unknown case ${id} (have ${CASES.map((c) => c.id).join(', ')})`); process.exit(2); }

// ---- stats ----
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  const q = (p) => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  return { n, min: r3(s[0]), p50: r3(q(0.5)), p95: r3(q(0.95)), p99: r3(q(0.99)), max: r3(s[n - 1]), mean: r3(s.reduce((a, b) => a + b, 0) / n) };
}

// ---- running ----
let lines = [];
let file;
let failures = 0;
const meta = {};

function record(line) {
  lines.push(line);
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

function mcpbench(testCase, side, run) {
  const server = side === 'ours' ? OURS : REFERENCE;
  const label = `fs-${testCase.id}-${side}`;
  const args = testCase.cold
    ? ['--cold', String(testCase.cold), '--list', String(testCase.list)]
    : ['--cold', '1', '--list', '0', '--tool', testCase[side].tool, '--args', JSON.stringify(testCase[side].args),
      '--calls', String(testCase.calls), '--warmup', String(testCase.warmup), '--max-buffer-mb', '64', '--expect', testCase.expect];
  // Ours pages at 500 items by default (a result sized for a model's context); the list case asks
  // for all 10,000 entries in one page, as the reference returns them, so it needs a larger page.
  const serverArgs = side === 'ours' && values.ours !== 'reference' ? ['--max-result-items', '10000', ROOT] : [ROOT];
  const result = spawnSync(process.execPath, [join(bench, 'mcpbench.mjs'), '--label', label, ...args, '--', process.execPath, server, ...serverArgs], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60 * 1000,
  });
  if (result.status !== 0) {
    failures++;
    process.stderr.write(`fs bench: ${label} run ${run + 1} failed (exit ${result.status ?? result.signal}):\n${(result.stderr || result.error?.message || '').slice(-2000)}\n`);
    record({ metric: 'failed', label, case: testCase.id, side, run, exit: result.status ?? result.signal, stderr: (result.stderr ?? '').slice(-500) });
    return;
  }
  for (const text of result.stdout.split('\n').filter((l) => l.startsWith('{'))) record({ ...JSON.parse(text), case: testCase.id, side, run });
}

function timeGrep(testCase, run) {
  const [cmd, ...args] = testCase.grep;
  const once = () => { const t0 = performance.now(); const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }); return { ms: performance.now() - t0, r }; };
  for (let i = 0; i < testCase.warmup; i++) once();
  const lat = []; let first; let errors = 0;
  for (let i = 0; i < testCase.calls; i++) {
    const { ms, r } = once();
    lat.push(ms); first ??= r;
    if (r.status !== 0) errors++;
  }
  record({
    metric: 'tools_call', label: `fs-${testCase.id}-grep`, tool: testCase.grep.slice(0, 2).join(' '), ...stats(lat), errors,
    resp_bytes: first.stdout.length, expect_unique: new Set(first.stdout.match(new RegExp(testCase.expect, 'g')) ?? []).size,
    case: testCase.id, side: 'grep', run, ts: new Date().toISOString(),
  });
}

// Reads every file of a fixture once (page cache and dentries warm before either side is timed).
function warmCache(path) {
  spawnSync('grep', ['-rqF', 'NO_SUCH_STRING_4f1c', path], { stdio: 'ignore' });
}

async function runAll() {
  generate(ROOT);
  const oursPresent = existsSync(OURS);
  if (!oursPresent) {
    process.stderr.write(`fs bench: our server is not built (${relative(repo, OURS)} not found): measuring the reference only.\n` +
      '          Build it (pnpm build) and run again for the comparison.\n');
  }
  Object.assign(meta, {
    reference: pkg(REFERENCE),
    ours: oursPresent ? `${pkg(OURS)} (${values.ours === 'reference' ? 'the reference again: an A/A run' : relative(repo, OURS)})` : null,
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(join(bench, 'results'), { recursive: true });
  file = join(bench, 'results', `fs-${stamp}.jsonl`);
  writeFileSync(file, '');
  record({ metric: 'meta', ...meta, root: ROOT, runs, node: process.version, loadavg_start: loadavg().map(r3), started: new Date().toISOString(), ts: new Date().toISOString() });
  for (const testCase of CASES.filter((c) => selected.includes(c.id))) {
    if (testCase.warm) warmCache(testCase.warm);
    for (let run = 0; run < runs; run++) {
      if (testCase.baseline === 'grep') timeGrep(testCase, run);
      else mcpbench(testCase, 'reference', run);
      if (oursPresent) mcpbench(testCase, 'ours', run);
      process.stderr.write(`fs bench: ${testCase.id} run ${run + 1}/${runs} done\n`);
    }
  }
  record({ metric: 'meta', loadavg_end: loadavg().map(r3), ts: new Date().toISOString() });
}

// ---- the table ----
function render() {
  const pick = (id, side, metric, f) => lines.filter((l) => l.case === id && l.side === side && l.metric === metric).sort((a, b) => a.run - b.run).map(f);
  const paired = (id, base, metric, f) => {
    const a = new Map(lines.filter((l) => l.case === id && l.side === 'ours' && l.metric === metric).map((l) => [l.run, f(l)]));
    return lines.filter((l) => l.case === id && l.side === base && l.metric === metric && a.has(l.run)).map((l) => a.get(l.run) / f(l));
  };
  const info = lines.filter((l) => l.metric === 'meta').reduce((m, l) => ({ ...m, ...l }), {});
  const out = [
    `# Filesystem servers side by side: ${info.ours ?? 'ours (not built)'} vs ${info.reference}`, '',
    `${info.started ?? ''}; ${info.runs} interleaved run(s) per case (reference, ours, ...); fixtures ${info.root}; node ${info.node}; ` +
    `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; load average at start ${info.loadavg_start?.join(' ')}, at end ${info.loadavg_end?.join(' ')}.`,
    'Latencies in ms; each cell is min / median / max across runs of that run\'s own statistic; ratios pair the k-th run of ours with the k-th run of the baseline.', '',
    '| case | measurement | baseline (min / median / max) | ours (min / median / max) | ratio ours / baseline (min / median / max) | goal | verdict |',
    '|---|---|---|---|---|---|---|',
  ];
  const checks = [];
  for (const c of CASES) {
    if (!lines.some((l) => l.case === c.id)) continue;
    const base = c.baseline ?? 'reference';
    const baseName = base === 'grep' ? '`grep -rF`' : 'reference';
    const fails = lines.filter((l) => l.case === c.id && l.metric === 'failed');
    for (const f of fails) checks.push(`- ${c.id}: ${f.side} run ${f.run + 1} failed (exit ${f.exit})`);
    const hasOurs = lines.some((l) => l.case === c.id && l.side === 'ours');
    // correctness: every timed first result must hold exactly the expected distinct names, no call
    // may fail, and no run may have failed; a side that is wrong anywhere gets no numbers compared
    const valid = { [base]: true, ours: true };
    for (const side of [base, 'ours']) {
      if (fails.some((f) => f.side === side)) valid[side] = false;
      const got = pick(c.id, side, 'tools_call', (l) => l);
      if (c.cold || !got.length) continue;
      const bad = got.filter((l) => l.expect_unique !== c.expectN || l.errors > 0);
      if (bad.length) {
        valid[side] = false;
        checks.push(`- ${c.id}: ${side} WRONG in ${bad.length}/${got.length} runs: found ${bad.map((l) => l.expect_unique ?? 'nothing').join(', ')} of ${c.expectN} expected (/${c.expect}/), failed calls ${bad.map((l) => `${l.errors}/${l.n}`).join(', ')}${bad[0].first_error ? `; first error: ${bad[0].first_error}` : ''}`);
      } else checks.push(`- ${c.id}: ${side} ok: ${c.expectN} of ${c.expectN} expected in all ${got.length} runs`);
    }
    const both = valid[base] && valid.ours;
    const verdict = (ratios, goal) => (!hasOurs ? 'ours not run' : !valid.ours ? '**invalid** (ours wrong or failed)' : !valid[base] ? '**invalid** (baseline wrong or failed)' : ratios.length ? (median(ratios) <= goal ? `met (${fmt(median(ratios))})` : `**not met** (${fmt(median(ratios))})`) : '–');
    const cell = (side, xs) => (side === 'ours' && !hasOurs ? '–' : valid[side] ? spread(xs) : 'wrong (see checks)');
    const row = (what, metric, f, goal) => {
      const b = pick(c.id, base, metric, f); const o = pick(c.id, 'ours', metric, f); const r = paired(c.id, base, metric, f);
      out.push(`| ${c.id} | ${what} | ${cell(base, b)} | ${cell('ours', o)} | ${both ? spread(r) : '–'} | ${goal == null ? '' : `<= ${goal}`} | ${goal == null ? '' : verdict(r, goal)} |`);
    };
    if (c.cold) {
      row(`${c.title}, p50 of ${c.cold} spawns`, 'cold_start', (l) => l.p50, c.goal);
      row('tools/list p50', 'tools_list', (l) => l.p50);
      row('idle peak RSS after initialize (MiB)', 'cold_start', (l) => l.idle_hwm_kb / MIB);
      continue;
    }
    row(`${c.title}: ${baseName === 'reference' ? '' : `vs ${baseName}, `}p50 of ${c.calls} calls`, 'tools_call', (l) => l.p50, c.goal);
    row('max of the calls', 'tools_call', (l) => l.max);
    if (base !== 'grep') row('server CPU per call (ms)', 'tools_call', (l) => l.srv_cpu_ms_per_call);
    row('reply size (kB; grep: its stdout)', 'tools_call', (l) => l.resp_bytes / 1000);
    if (base !== 'grep') {
      row('peak RSS at end (MiB)', 'peak_rss', (l) => l.hwm_kb / MIB);
      // growth: peak at the end minus the peak right after initialize, same process (--cold 1)
      const growth = (side) => pick(c.id, side, 'peak_rss', (l) => l).map((p) => {
        const idle = lines.find((l) => l.case === c.id && l.side === side && l.run === p.run && l.metric === 'cold_start');
        return idle ? (p.hwm_kb - idle.idle_hwm_kb) / MIB : NaN;
      });
      const gb = growth(base); const go = growth('ours');
      const rssVerdict = c.rssGoalMiB == null ? '' : !hasOurs ? 'ours not run' : !valid.ours ? '**invalid** (ours wrong or failed)' : Math.max(...go) <= c.rssGoalMiB ? `met (max ${fmt(Math.max(...go))})` : `**not met** (max ${fmt(Math.max(...go))})`;
      out.push(`| ${c.id} | peak RSS growth over idle (MiB) | ${cell(base, gb)} | ${cell('ours', go)} | | ${c.rssGoalMiB == null ? '' : `ours <= ${c.rssGoalMiB} MiB`} | ${rssVerdict} |`);
    }
  }
  out.push('', 'Result checks (distinct expected names in the first timed result of each run):', ...checks);
  out.push('', 'Calls (ROOT = the fixtures root, also each server\'s allowed directory):');
  const showArgs = (a) => JSON.stringify(a).replaceAll(JSON.stringify(info.root ?? ROOT).slice(1, -1), 'ROOT');
  for (const c of CASES) {
    if (!lines.some((l) => l.case === c.id) || c.cold) continue;
    const base = c.grep ? `\`${c.grep.join(' ').replaceAll(info.root ?? ROOT, 'ROOT')}\`` : `\`${c.reference.tool} ${showArgs(c.reference.args)}\``;
    out.push(`- ${c.id}: baseline ${base}; ours \`${c.ours.tool} ${showArgs(c.ours.args)}\`; ${c.warmup} warm-up + ${c.calls} timed calls per run`);
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
  const wrong = lines.some((l) => l.metric === 'tools_call' && (l.expect_unique !== CASES.find((c) => c.id === l.case).expectN || l.errors > 0));
  if (failures || wrong) { process.stderr.write(`fs bench: ${failures} failed runs${wrong ? ', wrong results (see the checks)' : ''}\n`); process.exit(1); }
}
