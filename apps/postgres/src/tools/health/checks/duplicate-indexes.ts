import type { Finding, HealthCheck } from './health-check.js';
import { notSystemSchema } from './health-check.js';
import { formatBytes, plural } from './format.js';

interface IndexRow {
  oid: number;
  table_oid: number;
  object: string;
  table_name: string;
  method: string;
  is_unique: boolean;
  is_primary: boolean;
  is_exclusion: boolean;
  is_immediate: boolean;
  nulls_not_distinct: boolean;
  /** Each key column as expression, collation, operator class and sort option, comparable as text. */
  keys: string[];
  /** The columns of INCLUDE (...), by expression. */
  included: string[];
  predicate: string;
  backs_constraint: boolean;
  size_bytes: number;
  definition: string;
}

// Every valid index outside the system schemas with what decides whether one can stand in for another.
// indnullsnotdistinct (PostgreSQL 15+) is read through to_jsonb so the query runs on older servers too.
const SQL = `
select i.indexrelid::bigint as oid, i.indrelid::bigint as table_oid,
       format('%I.%I', n.nspname, ci.relname) as object, format('%I.%I', n.nspname, ct.relname) as table_name,
       am.amname as method, i.indisunique as is_unique, i.indisprimary as is_primary, i.indisexclusion as is_exclusion,
       i.indimmediate as is_immediate, coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false) as nulls_not_distinct,
       array(select pg_catalog.pg_get_indexdef(i.indexrelid, k, true) || ' ' || coalesce(i.indcollation[k - 1], 0)::text
                    || ' ' || coalesce(i.indclass[k - 1], 0)::text || ' ' || coalesce(i.indoption[k - 1], 0)::text
             from generate_series(1, i.indnkeyatts) as k order by k) as keys,
       array(select pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
             from generate_series(i.indnkeyatts + 1, i.indnatts) as k order by k) as included,
       coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid, true), '') as predicate,
       exists (select 1 from pg_catalog.pg_constraint c where c.conindid = i.indexrelid) as backs_constraint,
       pg_catalog.pg_relation_size(i.indexrelid)::bigint as size_bytes,
       pg_catalog.pg_get_indexdef(i.indexrelid) as definition
from pg_catalog.pg_index i
join pg_catalog.pg_class ci on ci.oid = i.indexrelid
join pg_catalog.pg_class ct on ct.oid = i.indrelid
join pg_catalog.pg_namespace n on n.oid = ct.relnamespace
join pg_catalog.pg_am am on am.oid = ci.relam
where i.indisvalid and i.indislive
  and ${notSystemSchema('n.nspname')}
order by n.nspname, ct.relname, ci.relname`;

const startsWith = (keys: readonly string[], prefix: readonly string[]) => prefix.length <= keys.length && prefix.every((key, index) => keys[index] === key);
const sameKeys = (a: IndexRow, b: IndexRow) => a.keys.length === b.keys.length && startsWith(a.keys, b.keys);

/** The expression part of a key: what pg_get_indexdef printed, without the three numbers after it. */
const expressionOf = (key: string) => key.split(' ').slice(0, -3).join(' ');

/** Whether `covering` serves every query `index` serves: its keys start with index's, and it stores what index includes. */
function covers(covering: IndexRow, index: IndexRow): boolean {
  if (covering.oid === index.oid || covering.method !== index.method || covering.predicate !== index.predicate) return false;
  if (!startsWith(covering.keys, index.keys)) return false;
  const stored = new Set([...covering.keys.map(expressionOf), ...covering.included]);
  return index.included.every((column) => stored.has(column));
}

/**
 * Whether dropping `index` loses nothing that `covering` does not provide. A primary key or an
 * exclusion index never goes; a unique index only for a unique one with the same keys, NULL
 * handling and deferral. Of two indexes that cover each other, the one no constraint depends on
 * goes, else the one whose name sorts last, so each pair is reported once.
 */
function isRedundant(index: IndexRow, covering: IndexRow): boolean {
  if (index.is_primary || index.is_exclusion || !covers(covering, index)) return false;
  const mutual = covers(index, covering);
  if (index.is_unique) {
    if (!covering.is_unique || !sameKeys(index, covering)) return false;
    if (covering.nulls_not_distinct !== index.nulls_not_distinct || covering.is_immediate !== index.is_immediate) return false;
    if (covering.is_primary || !mutual) return true;
    if (index.backs_constraint !== covering.backs_constraint) return covering.backs_constraint;
    return index.object > covering.object;
  }
  if (!mutual || covering.is_unique || covering.is_exclusion) return true;
  return index.object > covering.object;
}

function groupByTable(rows: readonly IndexRow[]): Map<number, IndexRow[]> {
  const groups = new Map<number, IndexRow[]>();
  for (const row of rows) {
    const group = groups.get(row.table_oid);
    if (group) group.push(row);
    else groups.set(row.table_oid, [row]);
  }
  return groups;
}

export const duplicateIndexes: HealthCheck = {
  name: 'duplicate_indexes',
  description:
    'duplicate_indexes: an index made redundant by another on the same table with the same method and predicate whose key columns or expressions (with collation, operator class and order) ' +
    'are the same or start with its own, e.g. (a) next to (a, b). Unique indexes count only when a unique twin with the same keys exists. Each is a warning, largest first.',
  async run(session, { limit }) {
    const rows = await session.query<IndexRow>(SQL);
    const byTable = groupByTable(rows);
    const findings: Finding[] = [];
    for (const index of rows) {
      const covering = byTable.get(index.table_oid)!.find((other) => isRedundant(index, other));
      if (!covering) continue;
      findings.push({
        severity: 'warning',
        object: index.object,
        issue: sameKeys(index, covering) ? 'duplicate index: another index has the same definition' : 'redundant index: another index starts with the same columns',
        details: {
          table: index.table_name,
          coveredBy: covering.object,
          sizeBytes: index.size_bytes,
          definition: index.definition,
          coveringDefinition: covering.definition,
          backsConstraint: index.backs_constraint,
        },
      });
    }
    findings.sort((a, b) => Number(b.details.sizeBytes) - Number(a.details.sizeBytes));
    const bytes = findings.reduce((sum, finding) => sum + Number(finding.details.sizeBytes), 0);
    return {
      summary:
        findings.length === 0
          ? `No duplicate or redundant indexes among ${plural(rows.length, 'index', 'indexes')}.`
          : `${plural(findings.length, 'index is', 'indexes are')} covered by another index (${formatBytes(bytes)} in all) and can be dropped; one with backsConstraint true goes only with its constraint.`,
      findings: findings.slice(0, limit),
      total: findings.length,
      metrics: { indexesCompared: rows.length, redundantIndexes: findings.length, redundantBytes: bytes },
    };
  },
};
