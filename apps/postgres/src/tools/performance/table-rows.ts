import type { Session } from '../../db/session.js';
import { textAt } from './plan-tree.js';
import type { PlanNode } from './plan-tree.js';

interface TableRow {
  schema: string;
  name: string;
  reltuples: number;
  visible: boolean;
}

// reltuples is the planner's own row estimate; -1 (PostgreSQL 14+) or 0 before the first ANALYZE.
const TABLES_SQL = `
select n.nspname as schema, c.relname as name, c.reltuples::float8 as reltuples, pg_catalog.pg_table_is_visible(c.oid) as visible
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relname = any($1::text[]) and c.relkind in ('r', 'm')`;

/**
 * The catalog's row estimate of the table each Seq Scan reads. Without VERBOSE the plan names a
 * table without its schema, so a name found in several schemas is settled by how the query wrote
 * it (qualified, or unqualified and so found on the search path); otherwise it stays unknown.
 */
export async function tableRowsFor(
  session: Session,
  scans: readonly PlanNode[],
  written: readonly { schema: string | undefined; name: string }[],
): Promise<(node: PlanNode) => number | undefined> {
  const names = [...new Set(scans.map((node) => textAt(node, 'Relation Name')).filter((name): name is string => name !== undefined))];
  if (names.length === 0) return () => undefined;
  const tables = await session.query<TableRow>(TABLES_SQL, [names]);
  return (node) => {
    const name = textAt(node, 'Relation Name');
    const candidates = tables.filter((table) => table.name === name);
    const schema = textAt(node, 'Schema') ?? schemaAsWritten(name, written);
    const table =
      schema === undefined
        ? candidates.length === 1
          ? candidates[0]
          : undefined
        : schema === ''
          ? candidates.find((candidate) => candidate.visible)
          : candidates.find((candidate) => candidate.schema === schema);
    return table && table.reltuples > 0 ? table.reltuples : undefined;
  };
}

/** The one schema the query wrote before this name ('' when it wrote it unqualified), if it is one. */
function schemaAsWritten(name: string | undefined, written: readonly { schema: string | undefined; name: string }[]): string | undefined {
  const schemas = new Set(written.filter((relation) => relation.name === name).map((relation) => relation.schema ?? ''));
  return schemas.size === 1 ? [...schemas][0] : undefined;
}
