// What an agent should see first in a plan: the top node, estimates and (with ANALYZE) actuals,
// and the warnings worth acting on, found by walking the JSON plan.
import { nodeLabel, numberAt, textAt, walkPlan } from './plan-tree.js';
import type { ExplainedStatement, PlanNode, VisitedNode } from './plan-tree.js';
import { thousands } from '../thousands.js';

/** A sequential scan of at least this many rows is worth a look. */
export const LARGE_SCAN_ROWS = 100_000;
/** An estimate at least this many times off the actual rows... */
const ESTIMATE_FACTOR = 10;
/** ...and about at least this many rows (1 estimated, 12 actual is noise). */
const ESTIMATE_MIN_ROWS = 100;
const MAX_ESTIMATE_WARNINGS = 5;
export const MAX_WARNINGS = 20;

export interface PlanSummary {
  topNode: string;
  estimatedTotalCost?: number;
  estimatedRows?: number;
  actualTotalTimeMs?: number;
  actualRows?: number;
  actualLoops?: number;
  planningTimeMs?: number;
  executionTimeMs?: number;
}

export type PlanWarningKind = 'seq_scan_large_table' | 'row_estimate_off' | 'disk_spill';

export interface PlanWarning {
  kind: PlanWarningKind;
  message: string;
}

export function summarizePlan(statement: ExplainedStatement): PlanSummary {
  const root = statement.Plan;
  const summary: PlanSummary = { topNode: nodeLabel(root) };
  const set = (key: keyof Omit<PlanSummary, 'topNode'>, value: number | undefined) => {
    if (value !== undefined) summary[key] = value;
  };
  set('estimatedTotalCost', numberAt(root, 'Total Cost'));
  set('estimatedRows', numberAt(root, 'Plan Rows'));
  set('actualTotalTimeMs', numberAt(root, 'Actual Total Time'));
  set('actualRows', numberAt(root, 'Actual Rows'));
  set('actualLoops', numberAt(root, 'Actual Loops'));
  set('planningTimeMs', numberAt(statement, 'Planning Time'));
  set('executionTimeMs', numberAt(statement, 'Execution Time'));
  return summary;
}

const count = (value: number) => thousands(Math.round(value));

/** The Seq Scan nodes, for looking up the size of the tables they read. */
export function seqScans(statement: ExplainedStatement): PlanNode[] {
  return walkPlan(statement.Plan)
    .map((visited) => visited.node)
    .filter((node) => textAt(node, 'Node Type') === 'Seq Scan' && textAt(node, 'Relation Name') !== undefined);
}

/**
 * The warnings of a plan. `tableRows` gives the catalog's row estimate (reltuples) of the table a
 * Seq Scan node reads, when it could be told which table that is.
 */
export function planWarnings(statement: ExplainedStatement, tableRows: (node: PlanNode) => number | undefined): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const visited = walkPlan(statement.Plan);
  for (const { node } of visited) {
    if (textAt(node, 'Node Type') === 'Seq Scan') {
      const warning = seqScanWarning(node, tableRows(node));
      if (warning) warnings.push(warning);
    }
    warnings.push(...spillWarnings(node));
  }
  warnings.push(...estimateWarnings(visited));
  return warnings.slice(0, MAX_WARNINGS);
}

/**
 * A wrong estimate propagates up the tree, so a node is reported only when it is off by much
 * more than the worst node below it: where the error starts, or where it grows again.
 */
function estimateWarnings(visited: readonly VisitedNode[]): PlanWarning[] {
  const found = visited.map((entry) => estimateWarning(entry.node, entry.ancestors));
  const worstBelow = new Array<number>(visited.length).fill(0);
  const kept: { ratio: number; warning: PlanWarning }[] = [];
  // walkPlan lists parents before children, so backwards every child is done before its parent.
  for (let i = visited.length - 1; i >= 0; i--) {
    const own = found[i];
    if (own && own.ratio > worstBelow[i]! * ESTIMATE_FACTOR) kept.push(own);
    const parent = visited[i]!.parent;
    if (parent !== undefined) worstBelow[parent] = Math.max(worstBelow[parent]!, worstBelow[i]!, own?.ratio ?? 0);
  }
  kept.sort((a, b) => b.ratio - a.ratio);
  return kept.slice(0, MAX_ESTIMATE_WARNINGS).map((entry) => entry.warning);
}

function seqScanWarning(node: PlanNode, catalogRows: number | undefined): PlanWarning | undefined {
  const loops = numberAt(node, 'Actual Loops');
  const actual = numberAt(node, 'Actual Rows');
  const removed = numberAt(node, 'Rows Removed by Filter') ?? 0;
  const parallel = node['Parallel Aware'] === true;
  // Rows read per loop; a parallel scan's loops share one pass over the table, a plain one's repeat it.
  const readPerLoop = loops !== undefined && loops > 0 && actual !== undefined ? actual + removed : undefined;
  const tableFromRun = readPerLoop === undefined ? undefined : parallel ? readPerLoop * loops! : readPerLoop;
  const tableSize = Math.max(catalogRows ?? 0, tableFromRun ?? 0);
  const readInAll = readPerLoop === undefined ? tableSize : readPerLoop * loops!;
  if (tableSize < LARGE_SCAN_ROWS && readInAll < LARGE_SCAN_ROWS) return undefined;
  const parts = [`${nodeLabel(node)} reads every row of a table of about ${count(tableSize)} rows`];
  if (textAt(node, 'Filter') !== undefined) {
    const kept = actual === undefined ? `an estimated ${count(numberAt(node, 'Plan Rows') ?? 0)}` : count(actual * (parallel ? loops! : 1));
    parts.push(`keeping ${kept} with its Filter (an index on the filtered columns may help when that is a small share)`);
  }
  if (!parallel && loops !== undefined && loops > 1) parts.push(`it runs ${count(loops)} times (${count(readInAll)} rows read in all)`);
  return { kind: 'seq_scan_large_table', message: `${parts.join(', ')}.` };
}

function estimateWarning(node: PlanNode, ancestors: readonly string[]): { ratio: number; warning: PlanWarning } | undefined {
  const loops = numberAt(node, 'Actual Loops');
  const actual = numberAt(node, 'Actual Rows');
  const estimated = numberAt(node, 'Plan Rows');
  if (loops === undefined || loops === 0 || actual === undefined || estimated === undefined) return undefined;
  const larger = Math.max(actual, estimated);
  const ratio = larger / Math.max(Math.min(actual, estimated), 1);
  if (ratio < ESTIMATE_FACTOR || larger < ESTIMATE_MIN_ROWS) return undefined;
  // Under a Limit a node stops early, so fewer actual rows than estimated says nothing.
  if (actual < estimated && ancestors.includes('Limit')) return undefined;
  const direction = actual > estimated ? 'under' : 'over';
  const perLoop = loops > 1 ? ' per loop' : '';
  return {
    ratio,
    warning: {
      kind: 'row_estimate_off',
      message:
        `${nodeLabel(node)}: estimated ${count(estimated)} rows${perLoop}, actually ${count(actual)} (${direction}estimated ${count(ratio)}x). ` +
        'Stale statistics (ANALYZE the table) or conditions the planner cannot see as correlated (CREATE STATISTICS) can mislead its choice of join and scan.',
    },
  };
}

function spillWarnings(node: PlanNode): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const label = nodeLabel(node);
  const sorts = [node, ...(Array.isArray(node.Workers) ? (node.Workers as PlanNode[]) : [])];
  const onDisk = sorts.filter((entry) => entry && typeof entry === 'object' && textAt(entry, 'Sort Space Type') === 'Disk');
  if (onDisk.length > 0) {
    const used = Math.max(...onDisk.map((entry) => numberAt(entry, 'Sort Space Used') ?? 0));
    const method = textAt(onDisk[0]!, 'Sort Method');
    warnings.push({
      kind: 'disk_spill',
      message: `${label} spilled to disk (${method ? `${method}, ` : ''}${count(used)} kB): sort fewer or narrower rows, or the operator may raise work_mem.`,
    });
  }
  const batches = numberAt(node, 'Hash Batches');
  if (batches !== undefined && batches > 1) {
    warnings.push({
      kind: 'disk_spill',
      message: `${label} split its hash table into ${count(batches)} batches written to disk (peak memory ${count(numberAt(node, 'Peak Memory Usage') ?? 0)} kB): hash fewer rows, or the operator may raise work_mem.`,
    });
  }
  const aggBatches = numberAt(node, 'HashAgg Batches');
  const aggDisk = numberAt(node, 'Disk Usage');
  if ((aggBatches !== undefined && aggBatches > 1) || (aggDisk !== undefined && aggDisk > 0)) {
    warnings.push({
      kind: 'disk_spill',
      message: `${label} spilled to disk (${count(aggBatches ?? 0)} batches, ${count(aggDisk ?? 0)} kB): group fewer rows, or the operator may raise work_mem or hash_mem_multiplier.`,
    });
  }
  return warnings;
}
