import { readOnly, ToolError } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { untrustedJson, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { isDatabaseError } from '../../db/pg-errors.js';
import { loadQueryPolicy } from '../../query/load-policy.js';
import type { CheckedQuery } from '../../sql/index.js';
import { databaseArg } from '../database-arg.js';
import type { ExplainOptions } from './explain-statement.js';
import { MAX_WARNINGS, planWarnings, seqScans, summarizePlan } from './plan-summary.js';
import { renderPlanText } from './plan-text.js';
import { isExplainedStatement } from './plan-tree.js';
import type { ExplainedStatement } from './plan-tree.js';
import { tableRowsFor } from './table-rows.js';

const MAX_SQL_LENGTH = 100_000;
const MAX_PLAN_TEXT = 200_000;
/** Room in the response for everything but the plan. */
const RESPONSE_OVERHEAD_BYTES = 16 * 1024;
const CUT_MARKER = '\n… [plan cut to fit the response; ask for less: fewer joins or subqueries, or verbose off]';

const summarySchema = z.object({
  topNode: untrustedText({ description: 'The top plan node as EXPLAIN names it, e.g. "Sort" or "Seq Scan on orders".', maxLength: 1000 }),
  estimatedTotalCost: z.number().optional().describe("Planner's estimated total cost of the top node (arbitrary units; absent with costs off)"),
  estimatedRows: z.number().optional().describe('Rows the planner expects the query to return'),
  actualTotalTimeMs: z.number().optional().describe('With analyze: time until the top node returned its last row, ms'),
  actualRows: z.number().optional().describe('With analyze: rows the query really returned'),
  actualLoops: z.number().optional().describe('With analyze: times the top node ran (1 for the top node)'),
  planningTimeMs: z.number().optional().describe('With analyze: time spent planning, ms'),
  executionTimeMs: z.number().optional().describe('With analyze: time spent executing, ms'),
});

const explainOutput = z.object({
  database: z.string().describe('The database that planned the query'),
  format: z.enum(['text', 'json']).describe('Which of plan / planText is set'),
  analyzed: z.boolean().describe('True when the query was run (EXPLAIN ANALYZE), then rolled back'),
  genericPlan: z.boolean().describe('True when the plan was made without parameter values (a generic plan), so $n conditions use default estimates'),
  summary: summarySchema.describe('The top of the plan at a glance'),
  warnings: z
    .array(
      z.object({
        kind: z
          .enum(['seq_scan_large_table', 'row_estimate_off', 'disk_spill'])
          .describe('seq_scan_large_table: a Seq Scan reads a big table; row_estimate_off: estimated and actual rows differ 10x or more; disk_spill: a sort, hash or aggregate ran out of work_mem'),
        message: untrustedText({ description: 'What was found, on which node, and what may help.', maxLength: 1000 }),
      }),
    )
    .describe(`Findings worth attention, at most ${MAX_WARNINGS}; row estimates and spills need analyze`),
  plan: untrustedJson(z.record(z.string(), z.unknown()), {
    description: 'format json: the plan as EXPLAIN (FORMAT JSON) returns it: Plan (nodes nested under Plans) and, with analyze, Planning Time and Execution Time.',
  }).optional(),
  planText: untrustedText({
    description: 'format text: the plan as an indented tree in the style of EXPLAIN text output, children marked ->.',
    maxLength: MAX_PLAN_TEXT,
  }).optional(),
  notes: z.array(z.string()).optional().describe("The server's remarks on how the plan was made or shortened"),
});

type ExplainResult = z.output<typeof explainOutput>;

const valueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const explain = defineTool({
  name: 'explain',
  toolset: 'performance',
  title: 'Explain a query plan',
  description:
    "Show how PostgreSQL plans (or, with analyze, actually runs) ONE read-only query: SELECT, VALUES or TABLE, written without EXPLAIN, its options set as arguments. " +
    'Returns a summary (top node, estimated cost and rows; with analyze the actual time, rows, planning and execution time), warnings computed from the plan ' +
    '(sequential scans of large tables, row estimates off by 10x or more, sorts/hashes spilling to disk), and the plan as compact text (default) or as the full JSON. ' +
    'analyze runs the query inside a read-only transaction that is rolled back and stopped at the statement timeout; the query policy of the query tool applies. ' +
    'Pass values as params ($1, $2...); without them PostgreSQL makes a generic plan (not with analyze). Use query for the rows themselves.',
  scopes: ['postgres:performance'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    sql: z
      .string()
      .max(MAX_SQL_LENGTH)
      .describe('The query to plan: one SELECT, VALUES or TABLE statement, without EXPLAIN (set the options below instead); a trailing semicolon is fine'),
    params: z
      .array(valueSchema)
      .max(100)
      .default([])
      .describe('Values for $1, $2, ... in order (strings for dates, numerics and other types); omit them for a generic plan'),
    format: z
      .enum(['text', 'json'])
      .default('text')
      .describe('text (default): a compact indented tree, easiest to read; json: the full EXPLAIN (FORMAT JSON) document, for exact fields'),
    analyze: z
      .boolean()
      .default(false)
      .describe('Run the query to measure actual rows and times (EXPLAIN ANALYZE); it is rolled back and bounded by the statement timeout. Default false: plan only, nothing runs'),
    buffers: z
      .boolean()
      .optional()
      .describe('Report buffer use: shared blocks hit (cache) and read, temp blocks (BUFFERS). Default: on with analyze; without analyze it covers planning only'),
    verbose: z.boolean().default(false).describe('Add output columns, schema-qualified names and per-worker details (VERBOSE)'),
    settings: z.boolean().default(false).describe('List planner settings that differ from the built-in defaults (SETTINGS)'),
    costs: z.boolean().default(true).describe('Show estimated costs and rows per node (COSTS); default true'),
    database: databaseArg,
  }),
  output: explainOutput,
  text: renderExplain,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const [{ ensureParser, checkQuery, checkCalls }, { EXPLAIN_OPTION_NAMES, explainPrefix, genericPlanCommands, planParameters, statementFacts, statementText }] =
      await Promise.all([loadQueryPolicy(), import('./explain-statement.js')]);
    await ensureParser();
    const checked = checkQuery(args.sql, { argument: 'sql' });
    if (checked.kind !== 'select') throw notAQuery(checked);
    const statement = statementText(args.sql);
    const facts = statementFacts(checked);
    return database.read(
      ctx.signal,
      async (session): Promise<ExplainResult> => {
        const { genericPlan } = planParameters(facts.highestParam, args.params.length, args.analyze);
        const options: ExplainOptions = {
          analyze: args.analyze,
          buffers: args.buffers ?? args.analyze,
          verbose: args.verbose,
          settings: args.settings,
          costs: args.costs,
        };
        const prefix = explainPrefix(options);
        const text = prefix + statement;
        // What runs is what was checked: the exact text, with the server's options and no others.
        await ensureParser();
        const sent = checkQuery(text, { argument: 'sql' });
        if (!sent.explain || sent.explain.analyze !== options.analyze || sent.explain.options.join() !== EXPLAIN_OPTION_NAMES.join()) {
          throw new ToolError('`sql` could not be placed behind EXPLAIN as one query; send one SELECT, VALUES or TABLE statement without EXPLAIN.');
        }
        await checkCalls(database, session, sent, 'sql');
        let rows: { 'QUERY PLAN'?: unknown }[];
        if (genericPlan) {
          const generic = genericPlanCommands(statement, checked, facts.highestParam, options);
          try {
            await session.query(generic.prepare);
          } catch (error) {
            throw withoutPrefix(error, generic.prepare.length - statement.length);
          }
          await session.query('SET LOCAL plan_cache_mode = force_generic_plan');
          rows = await session.query(generic.explain);
        } else {
          try {
            rows = await session.query(text, args.params);
          } catch (error) {
            throw withoutPrefix(error, prefix.length);
          }
        }
        const explained = firstStatement(rows[0]?.['QUERY PLAN']);
        const tableRows = await tableRowsFor(session, seqScans(explained), facts.relations);
        return {
          database: database.name,
          analyzed: options.analyze,
          genericPlan,
          summary: summarizePlan(explained),
          warnings: planWarnings(explained, tableRows),
          ...planBody(explained, args.format, Math.max(1024, ctx.budget.maxBytes - RESPONSE_OVERHEAD_BYTES), genericPlan),
        };
      },
      args.sql,
    );
  },
});

function notAQuery(checked: CheckedQuery): ToolError {
  if (checked.kind === 'explain') {
    return new ToolError(
      '`sql` is already an EXPLAIN: pass the query itself (the SELECT, VALUES or TABLE) and set analyze, buffers, verbose, settings, costs and format as arguments.',
    );
  }
  return new ToolError('`sql` is a SHOW statement, which has no plan: pass a SELECT, VALUES or TABLE query. Read settings with the query tool (SHOW name).');
}

/** PostgreSQL's error positions count from the start of the EXPLAIN; the caller wrote what follows the prefix. */
function withoutPrefix(error: unknown, prefixLength: number): unknown {
  if (isDatabaseError(error) && error.position !== undefined) {
    const position = Number(error.position) - prefixLength;
    error.position = position > 0 ? String(position) : undefined;
  }
  return error;
}

function firstStatement(value: unknown): ExplainedStatement {
  const first = Array.isArray(value) ? value[0] : undefined;
  if (!isExplainedStatement(first)) throw new Error('EXPLAIN (FORMAT JSON) returned no plan');
  return first;
}

/** The plan in the asked format, within the response budget: a JSON plan too big to send comes as (cut) text. */
function planBody(
  explained: ExplainedStatement,
  format: 'text' | 'json',
  room: number,
  genericPlan: boolean,
): Pick<ExplainResult, 'format' | 'plan' | 'planText' | 'notes'> {
  const notes: string[] = [];
  if (genericPlan) notes.push('No params were given, so PostgreSQL made a generic plan: conditions on $n use default selectivity estimates. Pass params for the plan of specific values.');
  if (format === 'json') {
    const size = Buffer.byteLength(JSON.stringify(explained));
    if (size <= room) return { format, plan: explained, ...(notes.length > 0 ? { notes } : {}) };
    notes.push(`The JSON plan is ${size} bytes, over the ${room} bytes left in the response, so it is given as text instead.`);
  }
  let planText = renderPlanText(explained);
  const limit = Math.min(MAX_PLAN_TEXT, room) - CUT_MARKER.length;
  if (Buffer.byteLength(planText) > limit) {
    planText = Buffer.from(planText, 'utf8').subarray(0, limit).toString('utf8').replace(/\uFFFD$/, '') + CUT_MARKER;
    notes.push('The plan text was cut to fit the response.');
  }
  return { format: 'text', planText, ...(notes.length > 0 ? { notes } : {}) };
}

function renderExplain(result: ExplainResult): RenderedText {
  const { summary } = result;
  const numbers: string[] = [];
  if (summary.estimatedTotalCost !== undefined) numbers.push(`estimated cost ${summary.estimatedTotalCost}`);
  if (summary.estimatedRows !== undefined) numbers.push(`${summary.estimatedRows} rows estimated`);
  if (summary.actualRows !== undefined) numbers.push(`${summary.actualRows} rows returned`);
  if (summary.planningTimeMs !== undefined) numbers.push(`planning ${summary.planningTimeMs} ms`);
  if (summary.executionTimeMs !== undefined) numbers.push(`execution ${summary.executionTimeMs} ms`);
  const how = result.analyzed ? 'EXPLAIN ANALYZE (the query ran and was rolled back)' : result.genericPlan ? 'generic plan (no parameter values)' : 'plan only (nothing ran)';
  const warned = result.warnings.length === 0 ? 'no warnings' : `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}`;
  const note = [`${how} in database "${result.database}": ${[...numbers, warned].join(', ')}.`, ...(result.notes ?? [])].join(' ');
  const data = [
    `Top node: ${summary.topNode}`,
    ...(result.warnings.length > 0 ? ['Warnings:', ...result.warnings.map((warning) => `- [${warning.kind}] ${warning.message}`)] : []),
    '',
    result.planText ?? JSON.stringify(result.plan),
  ];
  return { note, data: data.join('\n') };
}
