import { ToolError } from '@bastion-mcp/core';
import { z } from 'zod';
import type { Session } from '../db/session.js';
import { quoteIdent } from './schema-arg.js';

/**
 * The `table` and `schema` arguments of the tools that work on one table, view or materialized
 * view, and their resolution against the catalog. Resolution never depends on the session's
 * search_path: an unqualified name that exists in several schemas is refused with the candidates,
 * so a same-named object elsewhere cannot silently take its place.
 */
export const relationArgs = {
  table: z
    .string()
    .min(1)
    .max(300)
    .describe('Table, view or materialized view: `name` or `schema.name`; double-quote a part that holds dots or capitals, e.g. `"Sales"."Q1 totals"`'),
  schema: z.string().min(1).max(128).optional().describe('Its schema, when `table` is not qualified and the name exists in several schemas'),
};

export type RelationKind = 'table' | 'partitioned table' | 'view' | 'materialized view' | 'foreign table';

const KIND_BY_RELKIND: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

export const ALL_RELATION_KINDS: readonly RelationKind[] = Object.values(KIND_BY_RELKIND);

export interface Relation {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly kind: RelationKind;
  /** `"schema"."name"`, safe to put in SQL. */
  readonly quoted: string;
}

interface NamePart {
  readonly text: string;
  /** A double-quoted part matches exactly; a bare one also as PostgreSQL folds it (lower case). */
  readonly quoted: boolean;
}

/** Splits `a.b` / `"a.b"."C"` into its parts; undefined when it is not one or two names. */
export function splitQualifiedName(input: string): NamePart[] | undefined {
  const parts: NamePart[] = [];
  let index = 0;
  const text = input.trim();
  while (index <= text.length) {
    if (text[index] === '"') {
      let value = '';
      index += 1;
      for (;;) {
        if (index >= text.length) return undefined;
        if (text[index] === '"') {
          if (text[index + 1] === '"') {
            value += '"';
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        value += text[index];
        index += 1;
      }
      if (value === '') return undefined;
      parts.push({ text: value, quoted: true });
    } else {
      const end = text.indexOf('.', index);
      const value = (end === -1 ? text.slice(index) : text.slice(index, end)).trim();
      if (value === '' || value.includes('"')) return undefined;
      parts.push({ text: value, quoted: false });
      index = end === -1 ? text.length : end;
    }
    if (index >= text.length) break;
    if (text[index] !== '.') return undefined;
    index += 1;
    if (index >= text.length) return undefined;
  }
  return parts.length >= 1 && parts.length <= 2 ? parts : undefined;
}

/** The names a part may mean: itself, and lower-cased when it was not quoted. */
const spellings = (part: NamePart) => (part.quoted ? [part.text] : [...new Set([part.text, part.text.toLowerCase()])]);

interface CandidateRow {
  oid: number;
  schema: string;
  name: string;
  relkind: string;
}

const CANDIDATES_SQL = `
select c.oid::int8 as oid, n.nspname as schema, c.relname as name, c.relkind::text as relkind
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relname = any($1::text[]) and ($2::text[] is null or n.nspname = any($2::text[]))
  and c.relkind = any($3::"char"[]) and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
order by n.nspname, c.relname`;

const SUGGESTIONS_SQL = `
select n.nspname as schema, c.relname as name
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind = any($2::"char"[]) and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  and n.nspname not in ('pg_catalog', 'information_schema')
  and strpos(lower(c.relname), lower($1)) > 0
order by length(c.relname), n.nspname, c.relname
limit 5`;

/** No relation of the wanted kinds has the name (a resource read answers it as not found). */
export class RelationNotFoundError extends ToolError {}

export interface ResolveOptions {
  /** The kinds of relation the tool works on; all of them by default. */
  readonly kinds?: readonly RelationKind[];
}

/** Finds the one relation `table` (and `schema`) name, or refuses with what to pass instead. */
export async function resolveRelation(
  session: Session,
  args: { table: string; schema?: string | undefined },
  options: ResolveOptions = {},
): Promise<Relation> {
  const parts = splitQualifiedName(args.table);
  if (!parts) {
    throw new ToolError(
      `\`table\` "${args.table}" is not a table name: pass \`name\` or \`schema.name\`, double-quoting a part that holds dots, quotes or capitals (\`"My Schema"."Orders"\`).`,
    );
  }
  const namePart = parts[parts.length - 1]!;
  const schemaPart = parts.length === 2 ? parts[0]! : args.schema === undefined ? undefined : { text: args.schema, quoted: true };
  if (parts.length === 2 && args.schema !== undefined && args.schema !== schemaPart!.text && args.schema !== schemaPart!.text.toLowerCase()) {
    throw new ToolError(`\`table\` "${args.table}" names schema "${schemaPart!.text}" but \`schema\` is "${args.schema}"; pass one of them.`);
  }
  const kinds = options.kinds ?? ALL_RELATION_KINDS;
  const relkinds = Object.entries(KIND_BY_RELKIND)
    .filter(([, kind]) => kinds.includes(kind))
    .map(([relkind]) => relkind);
  const rows = await session.query<CandidateRow>(CANDIDATES_SQL, [spellings(namePart), schemaPart ? spellings(schemaPart) : null, relkinds]);
  // An exact spelling wins over the folded one (a table "Orders" next to orders).
  const exact = rows.filter((row) => row.name === namePart.text && (!schemaPart || row.schema === schemaPart.text));
  const matches = exact.length > 0 ? exact : rows;
  const what = kinds.length === ALL_RELATION_KINDS.length ? 'table, view or materialized view' : kinds.join(' or ');
  if (matches.length === 0) {
    const similar = await session.query<{ schema: string; name: string }>(SUGGESTIONS_SQL, [namePart.text.slice(0, 63), relkinds]);
    const hint = similar.length > 0 ? ` Similar names: ${similar.map((row) => `${row.schema}.${row.name}`).join(', ')}.` : '';
    const where = schemaPart ? ` in schema "${schemaPart.text}"` : '';
    throw new RelationNotFoundError(`\`table\`: no ${what} "${namePart.text}"${where} is visible to this server.${hint} Find names with search_schema or list_objects.`);
  }
  const inSchemas = new Set(matches.map((row) => row.schema));
  if (inSchemas.size > 1) {
    const names = matches.map((row) => `${row.schema}.${row.name}`).join(', ');
    throw new ToolError(`\`table\` "${args.table}" exists in several schemas (${names}); pass it qualified as \`schema.name\` or set \`schema\`.`);
  }
  if (matches.length > 1) {
    const names = matches.map((row) => quoteIdent(row.name)).join(', ');
    throw new ToolError(`\`table\` "${args.table}" matches ${names}, which differ only in case; double-quote the exact name.`);
  }
  const row = matches[0]!;
  return { oid: row.oid, schema: row.schema, name: row.name, kind: KIND_BY_RELKIND[row.relkind]!, quoted: `${quoteIdent(row.schema)}.${quoteIdent(row.name)}` };
}
