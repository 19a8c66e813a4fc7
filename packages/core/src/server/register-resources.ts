import { randomBytes } from 'node:crypto';
import { hasScopes } from '@bastion-mcp/auth';
import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError as SdkResourceNotFoundError, ResourceTemplate, isInputRequiredResult } from '@modelcontextprotocol/server';
import type { McpServer, RegisteredPrompt, RegisteredResource, RegisteredResourceTemplate, ServerContext } from '@modelcontextprotocol/server';
import type { AuditVerdict } from '@bastion-mcp/logging';
import { sanitizeText } from '@bastion-mcp/schema';
import { ResourceNotFoundError, ToolError, UpstreamError } from '../errors.js';
import type { Prompt } from '../prompts/define-prompt.js';
import type { Resource } from '../resources/define-resource.js';
import { callAuditIdentity, failureVerdict } from '../tools/audit-call.js';
import type { FailureVerdict } from '../tools/audit-call.js';
import { createToolContext } from '../tools/tool-context-factory.js';
import type { CallScope } from '../tools/tool-context-factory.js';
import { checkData, dataVisible } from './data-policy.js';
import type { DataDecision, PolicyMapping, PolicyTools } from './data-policy.js';

/** Resource and prompt failures are JSON-RPC errors; they get the same care as tool errors. */
function toProtocolError(error: unknown, what: string, scope: CallScope<unknown>): ProtocolError {
  if (error instanceof ProtocolError) return error;
  // Messages may quote external text, cleaned here as tool errors are.
  if (ResourceNotFoundError.isInstance(error)) return new SdkResourceNotFoundError(error.uri, sanitizeText(error.message));
  if (ToolError.isInstance(error)) return new ProtocolError(ProtocolErrorCode.InvalidParams, sanitizeText(error.message));
  if (UpstreamError.isInstance(error)) return new ProtocolError(ProtocolErrorCode.InternalError, sanitizeText(error.describe()));
  const reference = randomBytes(4).toString('hex');
  scope.logger.error({ err: error, reference, what }, 'request failed');
  return new ProtocolError(
    ProtocolErrorCode.InternalError,
    `${what} failed unexpectedly. The details were logged on the server (reference ${reference}).`,
  );
}

/** A resource or prompt failure as the audit records it; protocol errors are judged by their code. */
function verdictOf(error: unknown, aborted: boolean): FailureVerdict {
  if (aborted || !(error instanceof ProtocolError)) return failureVerdict(error, aborted);
  if (error instanceof SdkResourceNotFoundError || error.code === ProtocolErrorCode.ResourceNotFound) {
    return { outcome: 'refused', reason: 'not_found' };
  }
  return error.code === ProtocolErrorCode.InternalError
    ? { outcome: 'error', reason: 'internal_error' }
    : { outcome: 'refused', reason: 'invalid_input' };
}

/** The policy's answer for one request, and the error a caller gets when it is hidden. */
interface Gate {
  decide(): DataDecision;
  hidden(): ProtocolError;
}

/**
 * Runs a resource or prompt request: the policy decides first, as for a tool call, then exactly
 * one audit event is recorded, `denied` with the deciding rule when the policy refused.
 */
async function audited<T>(
  scope: CallScope<unknown>,
  name: string,
  sdkContext: ServerContext,
  args: unknown,
  gate: Gate,
  run: (decision: DataDecision & { allowed: true }) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let verdict: AuditVerdict = { outcome: 'ok' };
  let decision: string | undefined;
  let error: string | undefined;
  let upstreamRequestId: string | undefined;
  try {
    const decided = gate.decide();
    decision = decided.decision;
    if (!decided.allowed) {
      verdict = { outcome: 'denied', decision: decided.decision };
      const refusal = decided.hidden ? gate.hidden() : new ProtocolError(ProtocolErrorCode.InvalidParams, `${name} is not allowed here: ${decided.reason}`);
      error = refusal.message;
      throw refusal;
    }
    return await run(decided);
  } catch (thrown) {
    if (verdict.outcome === 'denied') throw thrown;
    verdict = verdictOf(thrown, sdkContext.mcpReq.signal.aborted || scope.stopSignal.aborted);
    if (UpstreamError.isInstance(thrown)) upstreamRequestId = thrown.requestId;
    const answered = toProtocolError(thrown, name, scope);
    error = answered.message;
    throw answered;
  } finally {
    scope.audit.record({
      ...callAuditIdentity(scope, sdkContext),
      tool: name,
      args,
      durationMs: performance.now() - started,
      error,
      upstreamRequestId,
      ...(decision === undefined ? {} : { decision }),
      ...verdict,
    });
  }
}

/** Keeps an SDK registration in step with whether the current principal may see the item. */
interface Registration {
  sync(): void;
  readonly shown: boolean;
  /** Registers and removes it at once, so the SDK's request handlers exist before it connects. */
  prime(): void;
}

function registration(visible: () => boolean, register: () => { remove(): void }): Registration {
  let handle: { remove(): void } | undefined;
  return {
    sync() {
      const shown = visible();
      if (shown && !handle) handle = register();
      if (!shown && handle) {
        handle.remove();
        handle = undefined;
      }
    },
    get shown() {
      return handle !== undefined;
    },
    prime() {
      if (!handle) register().remove();
    },
  };
}

/**
 * Brings every registration up to date now and returns the function that does it again. The
 * SDK installs its list and read handlers on the first registration and cannot do so once
 * connected, so when nothing is shown at first one registration is made and removed: an item a
 * session's later principal may see can then still be offered.
 */
function synced(registrations: readonly Registration[]): SyncOffered {
  const sync = () => registrations.forEach((entry) => entry.sync());
  sync();
  if (registrations.length > 0 && !registrations.some((entry) => entry.shown)) registrations[0]!.prime();
  return sync;
}

/** Re-evaluates which resources and prompts the instance offers (after a session's rebind). */
export type SyncOffered = () => void;

/**
 * Registers the resources the principal's scopes and policy allow; the returned function brings
 * the registrations up to date after the principal or policy changed. Every read and listing is
 * decided by the policy as a call to the tool the resource maps to (see PolicyMapping).
 */
export function registerResources<Ctx>(
  server: McpServer,
  resources: readonly Resource<Ctx>[],
  tools: PolicyTools,
  scope: CallScope<Ctx>,
): SyncOffered {
  const anyScope = scope as CallScope<unknown>;
  const registrations = resources.map((resource) => {
    const mapping: PolicyMapping<URL> | undefined = resource.policy;
    const metadata = {
      ...(resource.title === undefined ? {} : { title: resource.title }),
      description: resource.description,
      ...(resource.mimeType === undefined ? {} : { mimeType: resource.mimeType }),
    };
    const label = `resource:${resource.name}`;
    const visible = () => hasScopes(scope.principal.scopes, resource.scopes) && dataVisible(scope.policy, tools, mapping);
    const readGate = (uri: URL): Gate => ({
      decide: () => (visible() ? checkData(scope.policy, tools, mapping, uri, label) : { allowed: false, decision: 'denied by scopes or policy (not visible)', reason: '', hidden: true }),
      hidden: () => new SdkResourceNotFoundError(uri.href),
    });
    if (resource.kind === 'static') {
      return registration(visible, (): RegisteredResource =>
        server.registerResource(resource.name, resource.uri, metadata, (uri, sdkContext) =>
          audited(anyScope, label, sdkContext, { uri: uri.href }, readGate(uri), async () => {
            const result = await resource.read(uri, createToolContext(label, sdkContext, scope));
            return isInputRequiredResult(result) ? result : { contents: result };
          }),
        ),
      );
    }
    const listGate: Gate = {
      decide: () => (visible() ? { allowed: true, decision: scope.policy.restricted ? 'allowed' : undefined } : { allowed: false, decision: 'denied by scopes or policy (not visible)', reason: '', hidden: true }),
      hidden: () => new ProtocolError(ProtocolErrorCode.InvalidParams, `${label} is not offered`),
    };
    return registration(visible, (): RegisteredResourceTemplate => {
      const template = new ResourceTemplate(resource.uriTemplate, {
        list: resource.list
          ? (sdkContext) =>
              audited(anyScope, `${label}:list`, sdkContext, {}, listGate, async () => {
                const listed = await resource.list!(createToolContext(label, sdkContext, scope));
                // Each entry is shown only if reading it would be allowed.
                return { resources: listed.filter((entry) => URL.canParse(entry.uri) && checkData(scope.policy, tools, mapping, new URL(entry.uri), label).allowed) };
              })
          : undefined,
        // Completions are answered by completionHandler, which asks the policy first.
        complete: undefined,
      });
      return server.registerResource(resource.name, template, metadata, (uri, variables, sdkContext) =>
        audited(anyScope, label, sdkContext, { uri: uri.href }, readGate(uri), async () => {
          const result = await resource.read(uri, variables, createToolContext(label, sdkContext, scope));
          return isInputRequiredResult(result) ? result : { contents: result };
        }),
      );
    });
  });
  return synced(registrations);
}

export function registerPrompts<Ctx>(
  server: McpServer,
  prompts: readonly Prompt<Ctx>[],
  tools: PolicyTools,
  scope: CallScope<Ctx>,
): SyncOffered {
  const anyScope = scope as CallScope<unknown>;
  const registrations = prompts.map((prompt) => {
    const label = `prompt:${prompt.name}`;
    const mapping = prompt.policy;
    const visible = () => hasScopes(scope.principal.scopes, prompt.scopes) && dataVisible(scope.policy, tools, mapping);
    const argsSchema = prompt.args;
    const gate = (args: Record<string, unknown>): Gate => ({
      decide: () => (visible() ? checkData(scope.policy, tools, mapping, args, label) : { allowed: false, decision: 'denied by scopes or policy (not visible)', reason: '', hidden: true }),
      hidden: () => new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${prompt.name} not found`),
    });
    const config = {
      ...(prompt.title === undefined ? {} : { title: prompt.title }),
      description: prompt.description,
    };
    return registration(visible, (): RegisteredPrompt =>
      argsSchema
        ? server.registerPrompt(prompt.name, { ...config, argsSchema }, (args, sdkContext) =>
            audited(anyScope, label, sdkContext, args, gate(args as Record<string, unknown>), async () =>
              prompt.get(args, createToolContext(label, sdkContext, scope)),
            ),
          )
        : server.registerPrompt(prompt.name, config, (sdkContext) =>
            audited(anyScope, label, sdkContext, {}, gate({}), async () => prompt.get({}, createToolContext(label, sdkContext, scope))),
          ),
    );
  });
  return synced(registrations);
}
