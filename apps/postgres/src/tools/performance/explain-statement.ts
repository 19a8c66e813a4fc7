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
  ];
  return `EXPLAIN (${words.join(', ')}) `;
}

/** The option names explainPrefix writes, as the query policy reports them. */
export const EXPLAIN_OPTION_NAMES: readonly string[] = ['format', 'analyze', 'verbose', 'costs', 'settings', 'buffers'];

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
 * Whether to make a generic plan, or a refusal when the parameters do not fit the statement:
 * exactly as many values as the highest $n, or none for a plan without values (not with ANALYZE,
 * which runs the query).
 */
export function planParameters(highestParam: number, given: number, analyze: boolean): { genericPlan: boolean } {
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
    return { genericPlan: true };
  }
  throw new ToolError(
    `\`params\` has ${given} value${given === 1 ? '' : 's'} but \`sql\` uses parameters up to $${highestParam}; pass exactly ${highestParam}, one for each of $1..$${highestParam}.`,
  );
}

/** The prepared statement behind a generic plan; DEALLOCATE ALL at the end of every call removes it. */
const GENERIC_STATEMENT = 'bastion_generic';

/**
 * A plan without parameter values, on every PostgreSQL version (GENERIC_PLAN, from 16, cannot be
 * used through the extended protocol, which binds a value per $n): the statement is prepared, and
 * EXPLAIN EXECUTE shows its generic plan under plan_cache_mode = force_generic_plan. The PREPARE
 * must parse to exactly the statement that was checked, with nothing added.
 */
export function genericPlanCommands(statement: string, checked: CheckedQuery, highestParam: number, options: ExplainOptions): { prepare: string; explain: string } {
  const prepare = `PREPARE ${GENERIC_STATEMENT} AS ${statement}`;
  const parsed = parseSql(prepare).stmts;
  const body = parsed.length === 1 ? (parsed[0]?.stmt as { PrepareStmt?: { name?: string; argtypes?: unknown[]; query?: unknown } }).PrepareStmt : undefined;
  if (!body || body.name !== GENERIC_STATEMENT || (body.argtypes?.length ?? 0) > 0 || !sameTree(body.query, checked.statement)) {
    throw new ToolError('`sql` could not be prepared as one query for a generic plan; pass `params` for a plan of specific values.');
  }
  const nulls = Array.from({ length: highestParam }, () => 'NULL').join(', ');
  return { prepare, explain: `${explainPrefix(options)}EXECUTE ${GENERIC_STATEMENT}(${nulls})` };
}

/** Two parse trees alike but for where their nodes sit in the text. */
function sameTree(a: unknown, b: unknown): boolean {
  const withoutPlaces = (key: string, value: unknown) => (key === 'location' || key === 'stmt_location' || key === 'stmt_len' ? undefined : value);
  return JSON.stringify(a, withoutPlaces) === JSON.stringify(b, withoutPlaces);
}
