import type { Session } from '../../../db/session.js';

/** Every check, in the order db_health runs and reports them. */
export const CHECK_NAMES = [
  'invalid_indexes',
  'duplicate_indexes',
  'unused_indexes',
  'bloat',
  'vacuum',
  'wraparound',
  'sequences',
  'cache_hit',
  'connections',
  'replication',
  'constraints',
] as const;

export type CheckName = (typeof CHECK_NAMES)[number];

export type Severity = 'warning' | 'critical';
export type CheckStatus = 'ok' | Severity | 'unavailable';

/** A value behind a finding: sizes in bytes, ratios from 0 to 1, ages in transactions, names. */
export type DetailValue = string | number | boolean | null;

export interface Finding {
  readonly severity: Severity;
  /** The object concerned, e.g. `schema.table`; text from the database. */
  readonly object: string;
  /** What is wrong, in the server's words (no text from the database). */
  readonly issue: string;
  readonly details: Readonly<Record<string, DetailValue>>;
}

export interface CheckOutcome {
  /** One line in the server's words: counts and numbers, never names or text from the database. */
  readonly summary: string;
  /** Most serious first, so the first one carries the check's status; at most `limit` of them. */
  readonly findings: readonly Finding[];
  /** How many findings there are in all, when the check's query returned only the first `limit`. */
  readonly total?: number;
  /** Numbers the check measured, whatever its status (plain numbers and server-made values). */
  readonly metrics?: Readonly<Record<string, number | boolean | string | null>>;
}

export interface CheckOptions {
  /** Most findings to return. */
  readonly limit: number;
}

/** One health check: a few catalog or statistics queries and the judgement of what they return. */
export interface HealthCheck {
  readonly name: CheckName;
  /** What it looks at and its thresholds, for the tool's argument description. */
  readonly description: string;
  run(session: Session, options: CheckOptions): Promise<CheckOutcome>;
}

/** SQL: `column` names no system schema (pg_catalog, information_schema, TOAST or temporary ones). */
export const notSystemSchema = (column: string) => `${column} not in ('pg_catalog', 'information_schema') and ${column} !~ '^pg_(toast|temp_|toast_temp_)'`;

const RANK: Record<CheckStatus, number> = { unavailable: -1, ok: 0, warning: 1, critical: 2 };

/** The more serious of two statuses (unavailable counts below ok). */
export function worse(a: CheckStatus, b: CheckStatus): CheckStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/** Orders findings most serious first, keeping the given order among equals. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}

/** Rows of a query that selects `count(*) over () as total` next to a LIMIT. */
export function totalOf(rows: readonly { total: number | string }[]): number {
  return rows.length === 0 ? 0 : Number(rows[0]!.total);
}
