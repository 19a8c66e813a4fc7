import { ToolError, UpstreamError } from '@bastion-mcp/core';
import type { Logger } from '@bastion-mcp/logging';
import type { Session } from '../../../db/session.js';
import type { CheckName, CheckStatus, Finding, HealthCheck } from './health-check.js';
import { bySeverity, worse } from './health-check.js';

export interface CheckResult {
  readonly check: CheckName;
  readonly status: CheckStatus;
  readonly summary: string;
  /** Why the check could not run: PostgreSQL's error, as the server maps it. */
  readonly reason?: string;
  readonly metrics?: Readonly<Record<string, number | boolean | string | null>>;
  readonly findings: readonly Finding[];
  /** Findings left out by the cap. */
  readonly moreFindings: number;
}

export interface RunOptions {
  /** Most findings per check. */
  readonly limit: number;
  /** Runs one check's queries in a read-only transaction of its own (Database.read). */
  read<T>(work: (session: Session) => Promise<T>): Promise<T>;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/**
 * Runs the checks one after another, each in its own read-only transaction, so that one that
 * fails (a privilege the role lacks, a statement timeout) is reported unavailable with the reason
 * while the others still run. A cancelled call, or a database that cannot be reached at all, ends
 * the whole call.
 */
export async function runChecks(checks: readonly HealthCheck[], options: RunOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(await runCheck(check, options));
  return results;
}

async function runCheck(check: HealthCheck, { limit, read, signal, log }: RunOptions): Promise<CheckResult> {
  try {
    const outcome = await read((session) => check.run(session, { limit }));
    const findings = bySeverity(outcome.findings).slice(0, limit);
    const total = Math.max(outcome.total ?? outcome.findings.length, findings.length);
    return {
      check: check.name,
      status: findings.reduce<CheckStatus>((status, finding) => worse(status, finding.severity), 'ok'),
      summary: outcome.summary,
      ...(outcome.metrics === undefined ? {} : { metrics: outcome.metrics }),
      findings,
      moreFindings: total - findings.length,
    };
  } catch (error) {
    if (signal.aborted || UpstreamError.isInstance(error)) throw error;
    let reason: string;
    if (ToolError.isInstance(error)) {
      reason = error.message;
    } else {
      log.error({ err: error, check: check.name }, 'a health check failed');
      reason = 'the check failed inside the server (logged); the other checks are not affected';
    }
    return { check: check.name, status: 'unavailable', summary: 'Not checked: see reason.', reason, findings: [], moreFindings: 0 };
  }
}

/** The worst status among the checks that ran; unavailable only when none did. */
export function overallStatus(results: readonly CheckResult[]): CheckStatus {
  const ran = results.filter((result) => result.status !== 'unavailable');
  return ran.length === 0 ? 'unavailable' : ran.reduce<CheckStatus>((status, result) => worse(status, result.status), 'ok');
}
