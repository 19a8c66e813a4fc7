import { ToolError } from '@bastion-mcp/core';
import { editDistance } from '@bastion-mcp/schema';
import { z } from 'zod';
import type { Session } from '../db/session.js';

// The `schema` argument of the catalog tools, and the small naming helpers they share.

/** The optional `schema` argument of the tools that list or search one schema or all of them. */
export const schemaArg = z
  .string()
  .min(1)
  .max(130)
  .optional()
  .describe('Only this schema (list_schemas names them): its exact name, double-quoted or not (a bare name also matches its lower-case form); omit for every schema except the system ones');

/** The schemas PostgreSQL itself keeps: every pg_* one (pg_catalog, pg_toast*, pg_temp*) and information_schema. */
export const userSchemaSql = (column: string) => `(${column} !~ '^pg_' and ${column} <> 'information_schema')`;

/** A name double-quoted for SQL, its double quotes doubled. */
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A name as SQL would need it written: bare when it is plain lower case, double-quoted otherwise. */
export function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name);
}

/** Comments may span lines; the text renderers keep one entry per line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const FIND_SCHEMA_SQL = `
select n.nspname as name from pg_catalog.pg_namespace n
where n.nspname = $1 or n.nspname = lower($1)`;

const USER_SCHEMAS_SQL = `
select n.nspname as name from pg_catalog.pg_namespace n
where ${userSchemaSql('n.nspname')}
order by n.nspname
limit 1000`;

const MAX_LISTED = 20;

/**
 * The schema a `schema` argument names: the exact spelling (double quotes around it are allowed),
 * else its lower-case folding as PostgreSQL folds a bare name. An unknown name is refused with
 * the similar and the available ones.
 */
export async function resolveSchema(session: Session, input: string, databaseName: string, argument = 'schema'): Promise<string> {
  const quoted = /^"(.+)"$/.exec(input.trim());
  const wanted = quoted ? quoted[1]!.replaceAll('""', '"') : input.trim();
  const rows = await session.query<{ name: string }>(FIND_SCHEMA_SQL, [wanted]);
  const exact = rows.find((row) => row.name === wanted);
  if (exact) return exact.name;
  if (!quoted && rows.length > 0) return rows[0]!.name;
  const available = (await session.query<{ name: string }>(USER_SCHEMAS_SQL)).map((row) => row.name);
  const similar = similarNames(wanted, available);
  const hint = similar.length > 0 ? ` Similar: ${similar.join(', ')}.` : '';
  const listed = available.length > MAX_LISTED ? `${available.slice(0, MAX_LISTED).join(', ')}, ... (${available.length} in all; list_schemas lists them)` : available.join(', ');
  throw new ToolError(`\`${argument}\`: no schema "${wanted}" in database "${databaseName}".${hint} Its schemas: ${listed || 'none besides the system ones'}.`);
}

function similarNames(wanted: string, names: readonly string[]): string[] {
  const target = wanted.toLowerCase();
  return names
    .map((name) => ({ name, distance: editDistance(target, name.toLowerCase()) }))
    .filter(({ name, distance }) => distance <= Math.max(2, Math.floor(target.length / 3)) || name.toLowerCase().includes(target) || target.includes(name.toLowerCase()))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, 5)
    .map(({ name }) => name);
}
