// EXPLAIN: known options only, ANALYZE only when the server allows it, and only of a query
// that would itself be allowed (EXPLAIN ANALYZE runs the statement).
import { ToolError } from '@bastion-mcp/core';
import { wrappedNodeType } from './node-types.js';
import { ALLOWED_SUMMARY, refuseStatement, statementName } from './statement-messages.js';
import type { ExplainInfo } from './types.js';

type Body = Record<string, unknown>;

/** PostgreSQL 18's EXPLAIN options; older servers reject the newer ones themselves. */
export const EXPLAIN_OPTIONS: ReadonlySet<string> = new Set([
  'analyze', 'verbose', 'costs', 'settings', 'generic_plan', 'buffers', 'serialize', 'wal', 'timing', 'summary', 'memory', 'format',
]);

export interface ExplainCheck extends ExplainInfo {
  /** The wrapped statement being explained: always a SelectStmt. */
  readonly query: unknown;
}

export function checkExplain(body: Body, allowAnalyze: boolean): ExplainCheck {
  const options: string[] = [];
  let analyze = false;
  for (const item of Array.isArray(body.options) ? body.options : []) {
    if (wrappedNodeType(item) !== 'DefElem') throw badOption('an option that is not a name');
    const option = (item as { DefElem: Body }).DefElem;
    const name = typeof option.defname === 'string' ? option.defname : '';
    if (!EXPLAIN_OPTIONS.has(name)) throw badOption(`"${name}"`);
    checkOptionValue(name, option.arg);
    options.push(name);
    if (name === 'analyze') analyze = booleanOption(option.arg);
  }
  if (analyze && !allowAnalyze) {
    throw new ToolError(
      '`sql`: EXPLAIN ANALYZE is not allowed on this server, because it runs the query. Use EXPLAIN without ANALYZE to see the plan and its estimates.',
    );
  }
  const query = body.query;
  const type = wrappedNodeType(query);
  if (type !== 'SelectStmt') {
    const inner = type ? (query as Record<string, Body>)[type]! : {};
    const name = type ? statementName(type, inner) : 'this statement';
    const reason = type ? refuseStatement(type, inner).message.replace(/^`sql`: /, '') : '';
    throw new ToolError(
      `\`sql\`: EXPLAIN of ${name} is not allowed: EXPLAIN is allowed for SELECT, VALUES and TABLE only (EXPLAIN ANALYZE runs the statement). ${reason}`.trim(),
    );
  }
  return { analyze, options, query };
}

function badOption(what: string): ToolError {
  return new ToolError(
    `\`sql\`: EXPLAIN option ${what} is not allowed. Known options: ${[...EXPLAIN_OPTIONS].join(', ').toUpperCase()}. ${ALLOWED_SUMMARY}`,
  );
}

/** Option values are plain words or numbers (`FORMAT JSON`, `COSTS off`, `ANALYZE 1`). */
function checkOptionValue(name: string, arg: unknown): void {
  if (arg === undefined) return;
  const type = wrappedNodeType(arg);
  if (type !== 'String' && type !== 'Integer' && type !== 'Float' && type !== 'Boolean') {
    throw badOption(`${name.toUpperCase()} with a value that is not a word or a number`);
  }
}

/**
 * Whether a boolean option is on, as PostgreSQL's defGetBoolean reads it. A value PostgreSQL
 * would reject counts as on, so the stricter rule applies to it.
 */
function booleanOption(arg: unknown): boolean {
  if (arg === undefined) return true;
  const type = wrappedNodeType(arg);
  const value = type ? (arg as Record<string, Body>)[type]! : {};
  if (type === 'Integer') return value.ival !== undefined && value.ival !== 0;
  if (type === 'Boolean') return value.boolval === true;
  if (type === 'String' && typeof value.sval === 'string') {
    const word = value.sval.toLowerCase();
    if (word === 'false' || word === 'off') return false;
  }
  return true;
}
