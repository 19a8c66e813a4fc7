import { missingScopes } from '@bastion-mcp/auth';
import type { Restriction } from './restriction.js';
import type { CallDecision, PolicyPrincipal, PolicyTool, PrincipalPolicy } from './types.js';

/** Why a principal may use nothing at all (a policy file in which no rule matches them). */
export interface Lockout {
  readonly rule: string;
  readonly reason: string;
}

/**
 * The principal's scopes must cover the tool, then every restriction must pass: tool-level
 * checks first (a refusal there hides the tool), then argument constraints.
 */
export function createPrincipalPolicy(
  principal: PolicyPrincipal,
  restrictions: readonly Restriction[],
  lockout?: Lockout,
): PrincipalPolicy {
  const rules = Object.freeze(restrictions.map((restriction) => restriction.id));
  const hiddenBecause = (tool: PolicyTool): CallDecision | undefined => {
    const missing = missingScopes(principal.scopes, tool.scopes);
    if (missing.length > 0) {
      return { allowed: false, rule: 'scopes', reason: `tool ${tool.name} needs scope ${missing.join(', ')}, which was not granted`, hidden: true };
    }
    if (lockout) return { allowed: false, rule: lockout.rule, reason: lockout.reason, hidden: true };
    for (const restriction of restrictions) {
      const reason = restriction.refuseTool(tool);
      if (reason !== undefined) return { allowed: false, rule: restriction.id, reason, hidden: true };
    }
    return undefined;
  };
  return Object.freeze({
    principalId: principal.id,
    rules,
    restricted: restrictions.length > 0 || lockout !== undefined,
    toolVisible: (tool: PolicyTool) => hiddenBecause(tool) === undefined,
    checkCall(tool: PolicyTool, args: unknown): CallDecision {
      const hidden = hiddenBecause(tool);
      if (hidden) return hidden;
      for (const restriction of restrictions) {
        const reason = restriction.refuseCall(tool, args);
        if (reason !== undefined) return { allowed: false, rule: restriction.id, reason, hidden: false };
      }
      return { allowed: true, rules };
    },
  });
}
