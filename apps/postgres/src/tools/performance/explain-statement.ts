// How the explain tool turns the caller's query into the EXPLAIN it sends: the statement's own
// text (without a trailing semicolon or comment), the options written by the server, and what the
// parse tree says about parameters and the tables it names.
import { ToolError } from '@bastion-mcp/core';
import { parseSql } from '../../sql/index.js';
import type { CheckedQuery } from '../../sql/index.js';

export interface ExplainOptions {
  readonly analyze: boolean;
  readonly buffers: boolean;
  readonly verbose: boolean;
  readonly settings: boolean;
  readonly costs: boolean;
  /** Plan without parameter values (PostgreSQL 16+). */
  readonly genericPlan: boolean;
}

/**
 * The option list, every boolean spelled out so no server default (BUFFERS is on with ANALYZE
 * from PostgreSQL 18) decides for the caller. FORMAT JSON always: the summary and the text
 * rendering are both made from it, so an EXPLAIN ANALYZE runs the query once.
 */
export function explainPrefix(options: ExplainOptions): string {
  const words = [
    'FORMAT JSON',
    `ANALYZE ${options.analyze}`,
    `VERBOSE ${options.verbose}`,
    `COSTS ${options.costs}`,
    `SETTINGS ${options.settings}`,
    `BUFFERS ${options.buffers}`,
    ...(options.genericPlan ? ['GENERIC_PLAN true'] : []),
  ];
  return `EXPLAIN (${words.join(', ')}) `;
}

/** The option names explainPrefix writes, as the query policy reports them. */
export function explainOptionNames(options: ExplainOptions): string[] {
  return ['format', 'analyze', 'verbose', 'costs', 'settings', 'buffers', ...(options.genericPlan ? ['generic_plan'] : [])];
}

/**
 * The caller's statement from its first character to its end as the parser saw it: a trailing
 * semicolon and whatever follows it (whitespace, comments) are dropped, so nothing can follow the
 * statement once it sits behind EXPLAIN. It starts at offset 0, so positions in it are positions
 * in the caller's text.
 */
export function statementText(sql: string): string {
  const [statement] = parseSql(sql).stmts;
  if (!statement?.stmt_len) return sql.trimEnd();
  const end = (statement.stmt_location ?? 0) + statement.stmt_len;
  return Buffer.from(sql, 'utf8').subarray(0, end).toString('utf8').trimEnd();
}

export interface StatementFacts {
  /** The highest $n the statement uses; 0 without parameters. */
  readonly highestParam: number;
  /** Tables the statement names, as written (`schema` when qualified). */
  readonly relations: readonly { schema: string | undefined; name: string }[];
}

/** Walks the parse tree (iteratively: a deep tree must not overflow the stack). */
export function statementFacts(checked: CheckedQuery): StatementFacts {
  let highestParam = 0;
  const relations: { schema: string | undefined; name: string }[] = [];
  const stack: unknown[] = [checked.statement];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    const node = value as Record<string, unknown>;
    const param = node.ParamRef as { number?: unknown } | undefined;
    if (param && typeof param.number === 'number') highestParam = Math.max(highestParam, param.number);
    const range = node.RangeVar as { schemaname?: unknown; relname?: unknown } | undefined;
    if (range && typeof range.relname === 'string') {
      relations.push({ schema: typeof range.schemaname === 'string' ? range.schemaname : undefined, name: range.relname });
    }
    stack.push(...Object.values(node));
  }
  return { highestParam, relations };
}

/**
 * Whether to ask for a generic plan, or a refusal when the parameters do not fit the statement.
 * PostgreSQL needs exactly as many values as the highest $n (or, from 16, GENERIC_PLAN).
 */
export function planParameters(highestParam: number, given: number, analyze: boolean, serverVersion: number): { genericPlan: boolean } {
  if (highestParam === 0) {
    if (given > 0) {
      throw new ToolError(`\`params\` has ${given} value${given === 1 ? '' : 's'} but \`sql\` uses no $1-style parameters; remove \`params\` or use $1, $2... in the query.`);
    }
    return { genericPlan: false };
  }
  if (given === highestParam) return { genericPlan: false };
  if (given === 0) {
    if (analyze) {
      throw new ToolError(
        `\`params\`: \`sql\` uses parameters up to $${highestParam}, and EXPLAIN ANALYZE runs the query, so it needs their values: pass ${highestParam} value${highestParam === 1 ? '' : 's'} in \`params\`.`,
      );
    }
    if (serverVersion >= 160000) return { genericPlan: true };
    throw new ToolError(
      `\`params\`: \`sql\` uses parameters up to $${highestParam}; pass ${highestParam} value${highestParam === 1 ? '' : 's'} in \`params\` (PostgreSQL before 16 cannot plan a query without its parameter values).`,
    );
  }
  throw new ToolError(
    `\`params\` has ${given} value${given === 1 ? '' : 's'} but \`sql\` uses parameters up to $${highestParam}; pass exactly ${highestParam}, one for each of $1..$${highestParam}.`,
  );
}
