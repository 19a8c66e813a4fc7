import type { Finding, HealthCheck, Severity } from './health-check.js';
import { bySeverity } from './health-check.js';
import { formatCount, formatPercent, roundRatio } from './format.js';

/** Below this share of block reads served from shared buffers, a warning; below the next, critical. */
export const CACHE_HIT_WARNING_RATIO = 0.99;
export const CACHE_HIT_CRITICAL_RATIO = 0.9;
/** With fewer block reads than this since the statistics were reset, a ratio says nothing. */
export const CACHE_MIN_BLOCKS = 10_000;

interface Row {
  heap_hit: number;
  heap_read: number;
  index_hit: number;
  index_read: number;
  database_hit: number;
  database_read: number;
}

// pg_statio counts shared-buffer hits and reads that went to the kernel (which may still have
// served them from its own page cache), since the statistics were last reset.
const SQL = `
select coalesce(sum(t.heap_blks_hit), 0)::float8 as heap_hit, coalesce(sum(t.heap_blks_read), 0)::float8 as heap_read,
       coalesce(sum(t.idx_blks_hit), 0)::float8 as index_hit, coalesce(sum(t.idx_blks_read), 0)::float8 as index_read,
       coalesce((select d.blks_hit from pg_catalog.pg_stat_database d where d.datname = pg_catalog.current_database()), 0)::float8 as database_hit,
       coalesce((select d.blks_read from pg_catalog.pg_stat_database d where d.datname = pg_catalog.current_database()), 0)::float8 as database_read
from pg_catalog.pg_statio_user_tables t`;

const ratioOf = (hit: number, read: number) => (hit + read === 0 ? null : hit / (hit + read));

function severityOf(ratio: number | null, blocks: number): Severity | undefined {
  if (ratio === null || blocks < CACHE_MIN_BLOCKS) return undefined;
  if (ratio < CACHE_HIT_CRITICAL_RATIO) return 'critical';
  return ratio < CACHE_HIT_WARNING_RATIO ? 'warning' : undefined;
}

export const cacheHit: HealthCheck = {
  name: 'cache_hit',
  description:
    `cache_hit: the share of table (heap) and index block reads served from shared buffers, from pg_statio_user_tables since the statistics were reset: ` +
    `a warning below ${formatPercent(CACHE_HIT_WARNING_RATIO)}, critical below ${formatPercent(CACHE_HIT_CRITICAL_RATIO)}, judged only after ${formatCount(CACHE_MIN_BLOCKS)} block reads. ` +
    'A low ratio means the working set does not fit shared_buffers (or queries scan more than they need).',
  async run(session) {
    const [row] = await session.query<Row>(SQL);
    if (!row) throw new Error('pg_statio_user_tables returned no row');
    const kinds = [
      { object: 'tables (heap)', what: 'table', hit: row.heap_hit, read: row.heap_read },
      { object: 'indexes', what: 'index', hit: row.index_hit, read: row.index_read },
    ].map((kind) => ({ ...kind, blocks: kind.hit + kind.read, ratio: ratioOf(kind.hit, kind.read) }));
    const findings: Finding[] = [];
    for (const kind of kinds) {
      const severity = severityOf(kind.ratio, kind.blocks);
      if (!severity || kind.ratio === null) continue;
      findings.push({
        severity,
        object: kind.object,
        issue: `${formatPercent(kind.ratio)} of ${kind.what} block reads hit shared buffers: the working set may not fit shared_buffers`,
        details: { hitRatio: roundRatio(kind.ratio), blocksHit: kind.hit, blocksRead: kind.read },
      });
    }
    const [heap, index] = kinds as [(typeof kinds)[number], (typeof kinds)[number]];
    const describe = (kind: typeof heap) =>
      kind.ratio === null ? 'no block reads yet' : `${formatPercent(kind.ratio)} of ${formatCount(kind.blocks)} block reads${kind.blocks < CACHE_MIN_BLOCKS ? ' (too few to judge)' : ''}`;
    const database = ratioOf(row.database_hit, row.database_read);
    return {
      summary: `Served from shared buffers: tables ${describe(heap)}; indexes ${describe(index)}.`,
      findings: bySeverity(findings),
      metrics: {
        heapHitRatio: heap.ratio === null ? null : roundRatio(heap.ratio),
        heapBlocksHit: heap.hit,
        heapBlocksRead: heap.read,
        indexHitRatio: index.ratio === null ? null : roundRatio(index.ratio),
        indexBlocksHit: index.hit,
        indexBlocksRead: index.read,
        databaseHitRatio: database === null ? null : roundRatio(database),
        minBlocks: CACHE_MIN_BLOCKS,
      },
    };
  },
};
