// The query policy (layer 3 of the read-only defence): one statement, of an allowed kind, made
// only of allowed nodes, with every function and operator collected for the catalog checks
// (functions.ts). Synchronous once ensureParser() has resolved.
import { ToolError } from '@bastion-mcp/core';
import { forArgument } from './argument.js';
import { checkExplain } from './explain.js';
import { wrappedNodeType } from './node-types.js';
import { parseSql, type ParsedSql } from './parser.js';
import { ALLOWED_SUMMARY, refuseStatement, statementName } from './statement-messages.js';
import type { CheckedQuery } from './types.js';
import { walkQuery } from './walk.js';

export interface CheckQueryOptions {
  /** Allow EXPLAIN ANALYZE (which executes the query). Default true. */
  readonly allowExplainAnalyze?: boolean;
  /** The tool argument that holds the SQL, named in every message. Default `sql`. */
  readonly argument?: string;
}

type Body = Record<string, unknown>;

/**
 * Checked statements by their exact text and options, most recently used last. The check is a
 * pure function of both, and agents repeat their queries; the parse trees are shared, so callers
 * only read them. Long texts are not kept.
 */
const checked = new Map<string, CheckedQuery>();
const CACHE_ENTRIES = 256;
const CACHE_MAX_LENGTH = 4096;

/** Parses and checks `sql`; throws a ToolError naming what is refused and what would be allowed. */
export function checkQuery(sql: string, options: CheckQueryOptions = {}): CheckedQuery {
  const key = `${options.allowExplainAnalyze ?? true}\u0000${sql}`;
  const hit = checked.get(key);
  if (hit) {
    checked.delete(key);
    checked.set(key, hit);
    return hit;
  }
  let result: CheckedQuery;
  try {
    result = check(sql, options);
  } catch (error) {
    throw forArgument(error, options.argument);
  }
  if (sql.length <= CACHE_MAX_LENGTH) {
    checked.set(key, result);
    if (checked.size > CACHE_ENTRIES) checked.delete(checked.keys().next().value as string);
  }
  return result;
}

function check(sql: string, options: CheckQueryOptions): CheckedQuery {
  const parsed = parseSql(sql);
  const statement = onlyStatement(parsed);
  const type = wrappedNodeType(statement);
  if (!type) throw new ToolError(`\`sql\` could not be understood as a statement. ${ALLOWED_SUMMARY}`);
  const body = (statement as Record<string, Body>)[type]!;
  switch (type) {
    case 'SelectStmt':
      return { kind: 'select', statement, ...walkQuery(statement, sql) };
    case 'ExplainStmt': {
      const explain = checkExplain(body, options.allowExplainAnalyze ?? true);
      return {
        kind: 'explain',
        statement,
        ...walkQuery(explain.query, sql),
        explain: { analyze: explain.analyze, options: explain.options },
      };
    }
    case 'VariableShowStmt':
      return { kind: 'show', statement, functions: [], operators: [], relations: [], converts: false };
    default:
      throw refuseStatement(type, body);
  }
}

function onlyStatement(parsed: ParsedSql): unknown {
  const statements = parsed.stmts;
  if (statements.length === 0) {
    throw new ToolError(
      '`sql` is empty: it holds no statement, only whitespace, comments or semicolons. Send one SELECT, VALUES, TABLE, EXPLAIN or SHOW statement.',
    );
  }
  if (statements.length > 1) {
    const names = statements.slice(0, 5).map(({ stmt }) => {
      const type = wrappedNodeType(stmt);
      return type ? statementName(type, (stmt as Record<string, Body>)[type]!) : '?';
    });
    const more = statements.length > 5 ? ', …' : '';
    throw new ToolError(
      `\`sql\` holds ${statements.length} statements (${names.join('; ')}${more}); send exactly one statement per call. ` +
        'Each call runs in its own read-only transaction, so transaction control (BEGIN, COMMIT, ROLLBACK, END) is neither available nor needed. ' +
        'Run separate queries as separate calls, or combine them into one SELECT (subqueries, CTEs, UNION ALL). A trailing semicolon is fine.',
    );
  }
  return statements[0]!.stmt;
}
