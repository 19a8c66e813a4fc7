import { ToolError } from '@bastion-mcp/core';

/**
 * URIs of the table resources: `postgres://{database}/{table}`, where database is a configured
 * database name (never a host; no credentials) and table is the qualified name `schema.name` as
 * the tools' `table` argument takes it: a part that is not a plain lower-case identifier is
 * double-quoted (`"Sales"."Q1 totals"`), and the whole is percent-encoded.
 *
 * Schema and name share one path segment on purpose: URL parsers drop or fold segments that
 * are `.` or `..` (also as %2E), which are valid PostgreSQL names, while `"."."..."` survives.
 */
export const TABLE_URI_TEMPLATE = 'postgres://{database}/{table}';

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/** A name part as it reads in a qualified name: bare when plain, else double-quoted. */
export function namePart(name: string): string {
  return PLAIN_IDENTIFIER.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

export function tableUri(database: string, schema: string, name: string): string {
  return `postgres://${database}/${encodeURIComponent(`${namePart(schema)}.${namePart(name)}`)}`;
}

/** The one value of a template variable (a list only appears for exploded variables). */
function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** The describe_table arguments a table URI stands for, as the policy checks them. */
export function tableArgumentsOf(uri: URL): { database: string; table: string } {
  const path = uri.pathname.startsWith('/') ? uri.pathname.slice(1) : uri.pathname;
  return parseTableUri(uri, { database: uri.host, table: path });
}

/** The database name and the qualified table name a matched URI holds; refuses a malformed one. */
export function parseTableUri(uri: URL, variables: Readonly<Record<string, string | string[]>>): { database: string; table: string } {
  if (uri.search !== '' || uri.hash !== '') {
    throw new ToolError(`Resource not found: ${uri.href} has a query or fragment; percent-encode "?" as %3F and "#" as %23 in names.`);
  }
  const database = single(variables.database);
  let table: string;
  try {
    table = decodeURIComponent(single(variables.table));
  } catch {
    throw new ToolError(`Resource not found: ${uri.href} is not percent-encoded correctly; encode the qualified name with encodeURIComponent.`);
  }
  return { database, table };
}
