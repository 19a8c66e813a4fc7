import { randomBytes } from 'node:crypto';
import { hasScopes } from '@bastion-mcp/auth';
import type { Principal } from '@bastion-mcp/auth';
import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError as SdkResourceNotFoundError, ResourceTemplate, completable, isInputRequiredResult } from '@modelcontextprotocol/server';
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import type { AuditVerdict } from '@bastion-mcp/logging';
import { sanitizeText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { ResourceNotFoundError, ToolError, UpstreamError } from '../errors.js';
import type { Prompt } from '../prompts/define-prompt.js';
import type { Resource } from '../resources/define-resource.js';
import { callAuditIdentity, failureVerdict } from '../tools/audit-call.js';
import type { FailureVerdict } from '../tools/audit-call.js';
import { createToolContext } from '../tools/tool-context-factory.js';
import type { CallScope } from '../tools/tool-context-factory.js';

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

async function audited<T>(
  scope: CallScope<unknown>,
  name: string,
  sdkContext: ServerContext,
  args: unknown,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let verdict: AuditVerdict = { outcome: 'ok' };
  let error: string | undefined;
  let upstreamRequestId: string | undefined;
  try {
    return await run();
  } catch (thrown) {
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
      ...verdict,
    });
  }
}

function completer(complete: (value: string) => readonly string[] | Promise<readonly string[]>) {
  return async (value: unknown) => [...(await complete(String(value ?? '')))];
}

export function registerResources<Ctx>(
  server: McpServer,
  resources: readonly Resource<Ctx>[],
  principal: Principal,
  scope: CallScope<Ctx>,
): void {
  const anyScope = scope as CallScope<unknown>;
  for (const resource of resources) {
    if (!hasScopes(principal.scopes, resource.scopes)) continue;
    const metadata = {
      ...(resource.title === undefined ? {} : { title: resource.title }),
      description: resource.description,
      ...(resource.mimeType === undefined ? {} : { mimeType: resource.mimeType }),
    };
    const label = `resource:${resource.name}`;
    if (resource.kind === 'static') {
      server.registerResource(resource.name, resource.uri, metadata, (uri, sdkContext) =>
        audited(anyScope, label, sdkContext, { uri: uri.href }, async () => {
          const result = await resource.read(uri, createToolContext(label, sdkContext, scope));
          return isInputRequiredResult(result) ? result : { contents: result };
        }),
      );
      continue;
    }
    const template = new ResourceTemplate(resource.uriTemplate, {
      list: resource.list
        ? (sdkContext) =>
            audited(anyScope, `${label}:list`, sdkContext, {}, async () => ({
              resources: [...(await resource.list!(createToolContext(label, sdkContext, scope)))],
            }))
        : undefined,
      complete: Object.fromEntries(
        Object.entries(resource.complete ?? {}).map(([variable, complete]) => [variable, completer(complete)]),
      ),
    });
    server.registerResource(resource.name, template, metadata, (uri, variables, sdkContext) =>
      audited(anyScope, label, sdkContext, { uri: uri.href }, async () => {
        const result = await resource.read(uri, variables, createToolContext(label, sdkContext, scope));
        return isInputRequiredResult(result) ? result : { contents: result };
      }),
    );
  }
}

const preparedArgs = new WeakMap<Prompt<never>, z.ZodObject | undefined>();

/** Prompt arguments with their completers attached; built once, since completable() marks the schema. */
function argsSchemaOf<Ctx>(prompt: Prompt<Ctx>): z.ZodObject | undefined {
  const key = prompt as unknown as Prompt<never>;
  if (preparedArgs.has(key)) return preparedArgs.get(key);
  let schema = prompt.args;
  if (schema && prompt.complete) {
    const shape: Record<string, z.ZodType> = { ...schema.shape };
    for (const [name, complete] of Object.entries(prompt.complete)) {
      const field = shape[name];
      if (field) shape[name] = completable(field, completer(complete)) as unknown as z.ZodType;
    }
    schema = z.object(shape);
  }
  preparedArgs.set(key, schema);
  return schema;
}

export function registerPrompts<Ctx>(
  server: McpServer,
  prompts: readonly Prompt<Ctx>[],
  principal: Principal,
  scope: CallScope<Ctx>,
): void {
  const anyScope = scope as CallScope<unknown>;
  for (const prompt of prompts) {
    if (!hasScopes(principal.scopes, prompt.scopes)) continue;
    const label = `prompt:${prompt.name}`;
    const argsSchema = argsSchemaOf(prompt);
    const config = {
      ...(prompt.title === undefined ? {} : { title: prompt.title }),
      description: prompt.description,
    };
    if (argsSchema) {
      server.registerPrompt(prompt.name, { ...config, argsSchema }, (args, sdkContext) =>
        audited(anyScope, label, sdkContext, args, async () =>
          prompt.get(args, createToolContext(label, sdkContext, scope)),
        ),
      );
    } else {
      server.registerPrompt(prompt.name, config, (sdkContext) =>
        audited(anyScope, label, sdkContext, {}, async () => prompt.get({}, createToolContext(label, sdkContext, scope))),
      );
    }
  }
}
