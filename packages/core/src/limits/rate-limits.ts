import type { RateSpec } from './rate.js';
import { retryAfterSeconds } from './token-bucket.js';
import type { RateDecision } from './types.js';

/** The configured budgets, resolved: one per principal, and one per principal and tool. */
export interface RateLimits {
  readonly perPrincipal: RateSpec | undefined;
  /** The per-tool budget for a tool: its override, else the common one. */
  forTool(tool: string): RateSpec | undefined;
}

/**
 * The "tool" of a request that only spends the principal's budget (opening a session): no tool is
 * named by the empty string, so no per-tool budget applies to it.
 */
export const PRINCIPAL_BUDGET_ONLY = '';

export function rateLimits(
  perPrincipal: RateSpec | undefined,
  perTool: RateSpec | undefined,
  toolRates: Readonly<Record<string, RateSpec>>,
): RateLimits {
  const overrides = new Map(Object.entries(toolRates));
  return { perPrincipal, forTool: (tool) => (tool === PRINCIPAL_BUDGET_ONLY ? undefined : (overrides.get(tool) ?? perTool)) };
}

/** The refusal when either bucket is short; the longer wait is the one worth reporting. */
export function refusal(
  principalWaitMs: number,
  toolWaitMs: number,
  limits: RateLimits,
  tool: string,
): RateDecision | undefined {
  if (principalWaitMs <= 0 && toolWaitMs <= 0) return undefined;
  if (principalWaitMs >= toolWaitMs) {
    const seconds = retryAfterSeconds(principalWaitMs);
    return {
      allowed: false,
      retryAfterSeconds: seconds,
      limit: 'principal',
      // Stryker disable next-line OptionalChaining: only reached with a principal budget, the only source of a wait here
      message: `rate limit reached (${limits.perPrincipal?.text} per caller); retry after ${seconds} s`,
    };
  }
  const seconds = retryAfterSeconds(toolWaitMs);
  return {
    allowed: false,
    retryAfterSeconds: seconds,
    limit: 'tool',
    // Stryker disable next-line OptionalChaining: only reached with a tool budget, the only source of a wait here
    message: `rate limit reached for tool ${tool} (${limits.forTool(tool)?.text} per caller); retry after ${seconds} s`,
  };
}
