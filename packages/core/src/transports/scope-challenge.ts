import type { IncomingHttpHeaders } from 'node:http';
import { hasScopes } from '@bastion-mcp/auth';
import type { Principal, Scope } from '@bastion-mcp/auth';
import type { PolicyTool, PrincipalPolicy } from '../policy/types.js';

/**
 * The scopes to name in a 403 insufficient_scope challenge for a call to `tool`, or undefined when
 * no new token would help. A step-up is due only when the principal's scopes are the one thing
 * keeping it from the tool: its policy (rules, lockout, narrowing headers) would show the tool to
 * a token carrying them. The challenge names every scope the tool needs, not only the missing
 * ones (the client adds them to what it already holds).
 */
export function stepUpScopes(tool: PolicyTool, principal: Principal, policy: PrincipalPolicy): readonly Scope[] | undefined {
  if (hasScopes(principal.scopes, tool.scopes)) return undefined;
  return policy.toolVisible({ ...tool, scopes: [] }) ? tool.scopes : undefined;
}

/**
 * Whether the 2026-07-28 routing headers, where sent, name the same call as the body. When they do
 * not, the SDK refuses the request (HeaderMismatch) and no challenge is due.
 */
export function headersNameCall(headers: IncomingHttpHeaders, toolName: string): boolean {
  const method = headers['mcp-method'];
  const name = headers['mcp-name'];
  return (method === undefined || method === 'tools/call') && (name === undefined || name === toolName);
}
