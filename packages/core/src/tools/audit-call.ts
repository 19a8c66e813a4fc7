import type { AuditInput, AuditVerdict } from '@bastion-mcp/logging';
import { InvalidCursorError } from '@bastion-mcp/schema';
import { CLIENT_INFO_META_KEY } from '@modelcontextprotocol/server';
import type { ServerContext } from '@modelcontextprotocol/server';
import { ResourceNotFoundError, ToolError, UpstreamError } from '../errors.js';
import type { CallScope } from './tool-context-factory.js';

/** Who made a call, as every audit event of a tool, resource or prompt records it. */
export function callAuditIdentity<Ctx>(
  scope: CallScope<Ctx>,
  sdkContext: ServerContext,
): Pick<AuditInput, 'principal' | 'clientId' | 'client' | 'requestId' | 'transport'> {
  return {
    principal: scope.principal.id,
    clientId: scope.principal.clientId,
    client: declaredClient(scope, sdkContext),
    requestId: sdkContext.mcpReq.id,
    transport: scope.transport,
  };
}

/**
 * A 2026-07-28 request declares its client in its own `_meta`; a 2025-11-25 connection (stdio, an
 * HTTP session) declared it once, in initialize.
 */
function declaredClient<Ctx>(scope: CallScope<Ctx>, sdkContext: ServerContext): unknown {
  const envelope = sdkContext.mcpReq.envelope as Record<string, unknown> | undefined;
  return envelope?.[CLIENT_INFO_META_KEY] ?? scope.clientInfo();
}

export type FailureVerdict = Exclude<AuditVerdict, { outcome: 'ok' | 'denied' }>;

/**
 * How a call that threw ended: refused as the caller's fault (the errors a connector raises for
 * what the caller can fix), failed (the upstream, or anything unexpected), or cancelled.
 */
export function failureVerdict(error: unknown, aborted: boolean): FailureVerdict {
  if (aborted) return { outcome: 'cancelled' };
  if (ResourceNotFoundError.isInstance(error)) return { outcome: 'refused', reason: 'not_found' };
  if (ToolError.isInstance(error)) return { outcome: 'refused', reason: 'tool_error' };
  if (error instanceof InvalidCursorError) return { outcome: 'refused', reason: 'invalid_input' };
  if (UpstreamError.isInstance(error)) return { outcome: 'error', reason: 'upstream_error' };
  return { outcome: 'error', reason: 'internal_error' };
}
