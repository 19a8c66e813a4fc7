import type { checkCalls, checkReads } from './check-calls.js';
import type { checkQuery, ensureParser } from '../sql/index.js';

export interface QueryPolicy {
  readonly ensureParser: typeof ensureParser;
  readonly checkQuery: typeof checkQuery;
  readonly checkCalls: typeof checkCalls;
  readonly checkReads: typeof checkReads;
}

let loading: Promise<QueryPolicy> | undefined;

/**
 * The query policy (the parser's glue, the statement, function and operator checks), loaded by
 * the first call that runs caller-written SQL rather than when the server starts.
 */
export function loadQueryPolicy(): Promise<QueryPolicy> {
  loading ??= Promise.all([import('../sql/index.js'), import('./check-calls.js')]).then(([sql, calls]) => ({
    ensureParser: sql.ensureParser,
    checkQuery: sql.checkQuery,
    checkCalls: calls.checkCalls,
    checkReads: calls.checkReads,
  }));
  return loading;
}

let warming = false;

/** Starts loading the policy and the parser, once, for a call that will need them soon. */
export function warmQueryPolicy(): void {
  if (warming) return;
  warming = true;
  loadQueryPolicy()
    .then((policy) => policy.ensureParser())
    .catch(() => {
      // The call itself loads them again and reports what failed.
      warming = false;
    });
}
