// The JSON plan as an indented tree in the style of EXPLAIN's text format, made from the JSON so
// that a text plan needs no second EXPLAIN (and an EXPLAIN ANALYZE runs the query once). Every
// property of the JSON is kept: buffer counters are folded into one `Buffers:` line as PostgreSQL
// does, false flags are left out.
import { childrenOf, nodeName, nodeTarget, numberAt, textAt } from './plan-tree.js';
import type { ExplainedStatement, PlanNode } from './plan-tree.js';

/** Shown in a node's header line, not as properties. */
const HEADER_KEYS = new Set([
  'Node Type', 'Strategy', 'Partial Mode', 'Parallel Aware', 'Async Capable', 'Join Type', 'Scan Direction', 'Command',
  'Index Name', 'Relation Name', 'Schema', 'Alias', 'Function Name', 'CTE Name', 'Tuplestore Name', 'Table Function Name',
  'Startup Cost', 'Total Cost', 'Plan Rows', 'Plan Width',
  'Actual Startup Time', 'Actual Total Time', 'Actual Rows', 'Actual Loops',
  'Plans', 'Parent Relationship', 'Subplan Name',
]);

const BUFFER_KEY = /^(Shared|Local|Temp) (Hit|Read|Dirtied|Written) Blocks$/;
const IO_TIME_KEY = /^(?:(Shared|Local|Temp) )?I\/O (Read|Write) Time$/;

const fixed = (value: number | undefined, digits: number) => (value === undefined ? '?' : value.toFixed(digits));
const rows = (value: number | undefined) => (value === undefined ? '?' : Number.isInteger(value) ? String(value) : value.toFixed(2));

function header(node: PlanNode): string {
  let line = `${nodeName(node)}${nodeTarget(node)}`;
  if (numberAt(node, 'Total Cost') !== undefined) {
    line += `  (cost=${fixed(numberAt(node, 'Startup Cost'), 2)}..${fixed(numberAt(node, 'Total Cost'), 2)} rows=${rows(numberAt(node, 'Plan Rows'))} width=${rows(numberAt(node, 'Plan Width'))})`;
  }
  const loops = numberAt(node, 'Actual Loops');
  if (loops === 0) {
    line += ' (never executed)';
  } else if (loops !== undefined) {
    const time = numberAt(node, 'Actual Total Time') === undefined ? '' : `time=${fixed(numberAt(node, 'Actual Startup Time'), 3)}..${fixed(numberAt(node, 'Actual Total Time'), 3)} `;
    line += ` (actual ${time}rows=${rows(numberAt(node, 'Actual Rows'))} loops=${loops})`;
  }
  return line;
}

function scalar(key: string, value: unknown): string {
  if (typeof value === 'number' && / Time$/.test(key)) return `${value} ms`;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `shared hit=3 read=1, temp written=5`: the non-zero counters, or undefined when there are none. */
function counters(entries: [string, unknown][], pattern: RegExp, scope: (match: RegExpExecArray) => string, label: (match: RegExpExecArray) => string): string | undefined {
  const groups = new Map<string, string[]>();
  for (const [key, value] of entries) {
    const match = pattern.exec(key);
    if (!match || typeof value !== 'number' || value === 0) continue;
    const name = scope(match);
    groups.set(name, [...(groups.get(name) ?? []), `${label(match)}=${value}`]);
  }
  if (groups.size === 0) return undefined;
  return [...groups].map(([name, values]) => `${name}${name ? ' ' : ''}${values.join(' ')}`).join(', ');
}

/** The lines of an object's properties (a node's, or the statement's totals), indented. */
function propertyLines(properties: Record<string, unknown>, indent: string, skip: ReadonlySet<string>, beforeCounters: readonly string[] = []): string[] {
  const lines: string[] = [];
  const entries = Object.entries(properties).filter(([key]) => !skip.has(key));
  const buffers = counters(entries, BUFFER_KEY, (m) => m[1]!.toLowerCase(), (m) => m[2]!.toLowerCase());
  const io = counters(entries, IO_TIME_KEY, (m) => (m[1] ?? 'shared').toLowerCase(), (m) => m[2]!.toLowerCase());
  let countersShown = false;
  for (const [key, value] of entries) {
    if (BUFFER_KEY.test(key) || IO_TIME_KEY.test(key)) {
      if (!countersShown) {
        lines.push(...beforeCounters);
        if (buffers) lines.push(`${indent}Buffers: ${buffers}`);
        if (io) lines.push(`${indent}I/O Timings: ${io}`);
        countersShown = true;
      }
      continue;
    }
    if (value === null || value === false || value === undefined) continue;
    // As in the text format: a filter that removed nothing is not worth a line.
    if (value === 0 && key.startsWith('Rows Removed by ')) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      if (key === 'Workers') {
        lines.push(...workerLines(value, indent));
        continue;
      }
      if (value.every((item) => item === null || typeof item !== 'object')) {
        lines.push(`${indent}${key}: ${value.map((item) => scalar(key, item)).join(', ')}`);
        continue;
      }
      lines.push(`${indent}${key}:`);
      value.forEach((item, index) => {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
          lines.push(`${indent}  ${index + 1}.`);
          lines.push(...propertyLines(item as Record<string, unknown>, `${indent}    `, new Set()));
        } else {
          lines.push(`${indent}  ${index + 1}. ${scalar(key, item)}`);
        }
      });
      continue;
    }
    if (typeof value === 'object') {
      const inner = propertyLines(value as Record<string, unknown>, `${indent}  `, new Set());
      if (key === 'Settings') {
        const pairs = Object.entries(value as Record<string, unknown>).map(([name, setting]) => `${name} = '${String(setting)}'`);
        if (pairs.length > 0) lines.push(`${indent}Settings: ${pairs.join(', ')}`);
      } else if (inner.length > 0) {
        lines.push(`${indent}${key}:`, ...inner);
      }
      continue;
    }
    lines.push(`${indent}${key}: ${scalar(key, value)}`);
  }
  if (!countersShown) lines.push(...beforeCounters);
  return lines;
}

const kilobytes = (value: number | undefined) => `${value ?? '?'}kB`;

/**
 * Sort and hash statistics on one line each, as the text format writes them: `Sort Method:
 * quicksort  Memory: 25kB`, `Buckets: 1024  Batches: 1  Memory Usage: 9kB`.
 */
function foldedLines(node: PlanNode, indent: string): { lines: string[]; folded: Set<string> } {
  const lines: string[] = [];
  const folded = new Set<string>();
  const method = textAt(node, 'Sort Method');
  if (method !== undefined) {
    const space = textAt(node, 'Sort Space Type') ?? 'Memory';
    lines.push(`${indent}Sort Method: ${method}  ${space}: ${kilobytes(numberAt(node, 'Sort Space Used'))}`);
    for (const key of ['Sort Method', 'Sort Space Type', 'Sort Space Used']) folded.add(key);
  }
  const buckets = numberAt(node, 'Hash Buckets');
  if (buckets !== undefined) {
    const originally = (key: string, now: number | undefined) => {
      const before = numberAt(node, key);
      return before !== undefined && before !== now ? ` (originally ${before})` : '';
    };
    const batches = numberAt(node, 'Hash Batches');
    lines.push(
      `${indent}Buckets: ${buckets}${originally('Original Hash Buckets', buckets)}  Batches: ${batches ?? '?'}${originally('Original Hash Batches', batches)}  ` +
        `Memory Usage: ${kilobytes(numberAt(node, 'Peak Memory Usage'))}`,
    );
    for (const key of ['Hash Buckets', 'Original Hash Buckets', 'Hash Batches', 'Original Hash Batches', 'Peak Memory Usage']) folded.add(key);
  }
  const aggBatches = numberAt(node, 'HashAgg Batches');
  if (aggBatches !== undefined) {
    const disk = numberAt(node, 'Disk Usage');
    lines.push(`${indent}Batches: ${aggBatches}  Memory Usage: ${kilobytes(numberAt(node, 'Peak Memory Usage'))}${disk ? `  Disk Usage: ${kilobytes(disk)}` : ''}`);
    for (const key of ['HashAgg Batches', 'Peak Memory Usage', 'Disk Usage']) folded.add(key);
  }
  return { lines, folded };
}

const WORKER_KEYS = new Set(['Worker Number', 'Actual Startup Time', 'Actual Total Time', 'Actual Rows', 'Actual Loops']);

/** `Worker 0:  actual time=0.1..2.3 rows=5 loops=1`, then the worker's own statistics. */
function workerLines(workers: readonly unknown[], indent: string): string[] {
  const lines: string[] = [];
  for (const worker of workers) {
    if (worker === null || typeof worker !== 'object' || Array.isArray(worker)) continue;
    const entry = worker as PlanNode;
    const time = numberAt(entry, 'Actual Total Time') === undefined ? '' : ` time=${fixed(numberAt(entry, 'Actual Startup Time'), 3)}..${fixed(numberAt(entry, 'Actual Total Time'), 3)}`;
    const actual = numberAt(entry, 'Actual Loops') === undefined ? '' : `  actual${time} rows=${rows(numberAt(entry, 'Actual Rows'))} loops=${numberAt(entry, 'Actual Loops')}`;
    lines.push(`${indent}Worker ${numberAt(entry, 'Worker Number') ?? '?'}:${actual}`);
    const { lines: stats, folded } = foldedLines(entry, `${indent}  `);
    lines.push(...propertyLines(entry, `${indent}  `, new Set([...WORKER_KEYS, ...folded]), stats));
  }
  return lines;
}

/** The plan tree: each node's header, its properties below it, then its children marked `->`. */
export function renderPlanText(statement: ExplainedStatement): string {
  const lines: string[] = [];
  const stack: { node: PlanNode; indent: number; child: boolean }[] = [{ node: statement.Plan, indent: 0, child: false }];
  while (stack.length > 0) {
    const { node, indent, child } = stack.pop()!;
    const pad = ' '.repeat(indent);
    const subplan = textAt(node, 'Subplan Name');
    if (subplan) lines.push(`${pad}${subplan}`);
    lines.push(`${pad}${child ? '->  ' : ''}${header(node)}`);
    const inner = indent + (child ? 6 : 2);
    const { lines: stats, folded } = foldedLines(node, ' '.repeat(inner));
    lines.push(...propertyLines(node, ' '.repeat(inner), new Set([...HEADER_KEYS, ...folded]), stats));
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, indent: inner, child: true });
  }
  lines.push(...propertyLines(statement, '', new Set(['Plan'])));
  return lines.join('\n');
}
