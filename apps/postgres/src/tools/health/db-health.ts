import type { RenderedText } from '@bastion-mcp/core';
import { readOnly } from '@bastion-mcp/core';
import { untrustedJson, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { healthChecks } from './checks/index.js';
import { CHECK_NAMES } from './checks/health-check.js';
import type { CheckResult } from './checks/run-checks.js';
import { overallStatus, runChecks } from './checks/run-checks.js';

const MAX_FINDINGS = 50;
const DEFAULT_FINDINGS = 10;
/** Index and constraint definitions, names: long ones are cut. */
const MAX_DETAIL_LENGTH = 1000;
const TRUNCATED = '… [truncated]';

const STATUSES = ['ok', 'warning', 'critical', 'unavailable'] as const;

const detailValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const findingSchema = z.object({
  severity: z.enum(['warning', 'critical']).describe('critical: act soon (an outage or data loss is coming); warning: worth fixing'),
  object: untrustedText({
    description: 'What it is about: schema.name of a table, index or sequence (pass it as `table` to the other tools), a replication slot or replica, the database, or a server setting.',
    maxLength: 400,
  }),
  issue: z.string().describe("What is wrong and what to do about it, in the server's words"),
  details: untrustedJson(z.record(z.string(), detailValue), {
    description: 'The numbers behind it (sizes in bytes, ratios from 0 to 1, ages in transactions, seconds) and related names and definitions.',
  }),
});

const checkSchema = z.object({
  check: z.enum(CHECK_NAMES).describe('Which check'),
  status: z.enum(STATUSES).describe('ok: nothing found; warning or critical: its worst finding; unavailable: it could not run (see reason)'),
  summary: z.string().describe("One line with the check's numbers, in the server's words"),
  reason: untrustedText({ description: "Why the check could not run (PostgreSQL's error, e.g. a privilege the role lacks).", maxLength: 2000 }).optional(),
  metrics: z
    .record(z.string(), detailValue)
    .optional()
    .describe('What the check measured, also when ok: counts, ratios from 0 to 1, bytes, ages, the thresholds applied'),
  findings: z.array(findingSchema).describe('The problems found, most serious first, at most max_findings'),
  moreFindings: z.number().int().describe('Findings beyond max_findings, not listed'),
});

type CheckOutput = z.input<typeof checkSchema>;

const cut = (text: string) => (text.length <= MAX_DETAIL_LENGTH ? text : text.slice(0, MAX_DETAIL_LENGTH - TRUNCATED.length) + TRUNCATED);

function toOutput(result: CheckResult): CheckOutput {
  return {
    ...result,
    findings: result.findings.map((finding) => ({
      ...finding,
      details: Object.fromEntries(Object.entries(finding.details).map(([key, value]) => [key, typeof value === 'string' ? cut(value) : value])),
    })),
  };
}

function countsOf(checks: readonly { status: (typeof STATUSES)[number] }[]): string {
  const order = ['critical', 'warning', 'ok', 'unavailable'] as const;
  const parts = order.flatMap((status) => {
    const count = checks.filter((check) => check.status === status).length;
    return count === 0 ? [] : [`${count} ${status}`];
  });
  return `${parts.join(', ')} of ${checks.length} check${checks.length === 1 ? '' : 's'}`;
}

const output = z.object({
  database: z.string().describe('The database that answered'),
  status: z.enum(STATUSES).describe('The worst status of the checks that ran (unavailable only when none could run)'),
  summary: z.string().describe('How many checks came out critical, warning, ok and unavailable'),
  checks: z.array(checkSchema).describe('One entry per check run, in a fixed order'),
});

function renderHealth(result: z.output<typeof output>): RenderedText {
  const lines = result.checks.map((check) => `- ${check.check}: ${check.status}. ${check.summary}`);
  const data = result.checks.flatMap((check) => [
    ...(check.reason === undefined ? [] : [`[${check.check}] unavailable: ${check.reason}`]),
    ...check.findings.map((finding) => `[${check.check}] ${finding.severity} ${finding.object}: ${finding.issue} ${JSON.stringify(finding.details)}`),
    ...(check.moreFindings > 0 ? [`[${check.check}] ${check.moreFindings} more not listed`] : []),
  ]);
  return {
    note:
      `Health of database "${result.database}": ${result.status} (${result.summary}).\n${lines.join('\n')}\n` +
      'Findings follow, one per line: [check] severity object: issue {numbers}. Raise max_findings to list more, or run fewer checks with `checks`.',
    data: data.length === 0 ? '(no findings)' : data.join('\n'),
  };
}

export const dbHealth = defineTool({
  name: 'db_health',
  toolset: 'health',
  title: 'Check the health of the database',
  description:
    'Run health checks on one database (after PgHero and postgres-mcp): invalid, duplicate and unused indexes, table and index bloat, vacuum backlog, transaction ID wraparound, ' +
    'sequences running out, cache hit ratio, connection use, replication lag and slots, NOT VALID constraints. Each check reports ok, warning, critical or unavailable ' +
    '(with the reason, e.g. a privilege the role lacks; the other checks still run), a one-line summary, its metrics, and its findings with the numbers behind them, most serious first. ' +
    'Thresholds are listed under `checks`. Reads only catalogs and statistics views, never table data; counters are those since the statistics were last reset. ' +
    'Follow up with the schema tools for a table, list_settings for the server configuration, or the performance tools for queries and locks.',
  scopes: ['postgres:health'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    checks: z
      .array(z.enum(CHECK_NAMES))
      .min(1)
      .max(CHECK_NAMES.length)
      .optional()
      .describe(`Which checks to run; all by default. ${healthChecks().map((check) => check.description).join(' ')}`),
    max_findings: z
      .number()
      .int()
      .min(1)
      .max(MAX_FINDINGS)
      .default(DEFAULT_FINDINGS)
      .describe(`Most findings listed per check (1-${MAX_FINDINGS}, default ${DEFAULT_FINDINGS}); moreFindings counts the rest`),
    database: databaseArg,
  }),
  output,
  text: renderHealth,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const results = await runChecks(healthChecks(args.checks), {
      limit: args.max_findings,
      read: (work) => database.read(ctx.signal, work),
      signal: ctx.signal,
      log: ctx.log,
    });
    const checks = results.map(toOutput);
    return { database: database.name, status: overallStatus(results), summary: countsOf(checks), checks };
  },
});
