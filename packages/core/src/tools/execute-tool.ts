import { randomBytes } from 'node:crypto';
import type { AuditVerdict, Logger } from '@bastion-mcp/logging';
import { InvalidCursorError, checkInputHygiene, fenceUntrusted, sanitizeText } from '@bastion-mcp/schema';
import { isInputRequiredResult } from '@modelcontextprotocol/server';
import type { CallToolResult, InputRequiredResult, ServerContext } from '@modelcontextprotocol/server';
import { ToolError, UpstreamError } from '../errors.js';
import { takeCallLimits } from '../limits/call-limits.js';
import type { PolicyTool } from '../policy/types.js';
import { callAuditIdentity, failureVerdict } from './audit-call.js';
import { applyBudget, readContinuation } from './budget.js';
import { isToolContent } from './content.js';
import { parseSyncFirst } from './prepare-tool.js';
import type { PreparedTool } from './prepare-tool.js';
import { createToolContext } from './tool-context-factory.js';
import type { CallScope } from './tool-context-factory.js';

export type ToolCallResult = CallToolResult | InputRequiredResult;

interface Failure {
  verdict: AuditVerdict;
  message: string;
  upstreamRequestId?: string;
}

/**
 * Error messages often quote what came from outside (a value that failed a cast, a name from the
 * upstream), so they are cleaned of invisible and control characters like any external text.
 */
function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: sanitizeText(message) }], isError: true };
}

function reference(): string {
  return randomBytes(4).toString('hex');
}

function classify(error: unknown, toolName: string, signal: AbortSignal, log: Logger): Failure {
  const verdict = failureVerdict(error, signal.aborted);
  if (verdict.outcome === 'cancelled') return { verdict, message: `${toolName} was cancelled before it finished.` };
  if (ToolError.isInstance(error)) return { verdict, message: error.message };
  if (error instanceof InvalidCursorError) return { verdict, message: `\`cursor\`: ${error.message}` };
  if (UpstreamError.isInstance(error)) {
    log.warn({ err: error, status: error.status, upstreamRequestId: error.requestId }, 'upstream error');
    return {
      verdict,
      message: error.describe(),
      ...(error.requestId === undefined ? {} : { upstreamRequestId: error.requestId }),
    };
  }
  const ref = reference();
  log.error({ err: error, reference: ref }, 'tool failed');
  return {
    verdict,
    message: `${toolName} failed unexpectedly. The details were logged on the server (reference ${ref}).`,
  };
}

/**
 * Runs one tool call from raw arguments to the wire result. Every failure becomes an `isError`
 * result whose text says what to fix; stacks and secrets stay in the server log. Exactly one
 * audit event is recorded per call.
 */
export async function executeTool<Ctx>(
  prepared: PreparedTool<Ctx>,
  rawArgs: unknown,
  sdkContext: ServerContext,
  scope: CallScope<Ctx>,
): Promise<ToolCallResult> {
  const started = performance.now();
  const { tool } = prepared;
  let verdict: AuditVerdict = { outcome: 'ok' };
  let errorMessage: string | undefined;
  let resultBytes: number | undefined;
  let truncated: boolean | undefined;
  let upstreamRequestId: string | undefined;
  let policyDecision: string | undefined;
  let release: (() => void) | undefined;
  const context = createToolContext(tool.name, sdkContext, scope);
  try {
    const hygiene = checkInputHygiene(rawArgs ?? {});
    const parsed = hygiene.length === 0 ? await prepared.parseInput(rawArgs) : undefined;
    const problems = parsed === undefined
      ? hygiene.map((problem) => `${problem.path ? `\`${problem.path}\`` : 'arguments'}: ${problem.message}`)
      : parsed.ok ? [] : parsed.problems;
    if (parsed === undefined || !parsed.ok) {
      verdict = { outcome: 'refused', reason: 'invalid_input' };
      errorMessage = `Invalid arguments for ${tool.name}:\n- ${problems.join('\n- ')}`;
      return errorResult(errorMessage);
    }

    let args = parsed.value as Record<string, unknown>;
    const decision = scope.policy.checkCall(policyToolOf(prepared), args);
    if (!decision.allowed) {
      policyDecision = `denied by ${decision.rule}`;
      verdict = { outcome: 'denied', decision: policyDecision };
      errorMessage = decision.hidden ? `Tool ${tool.name} not found` : `${tool.name} is not allowed here: ${decision.reason}`;
      return errorResult(errorMessage);
    }
    policyDecision = decision.rules.length > 0 ? `allowed by ${decision.rules.join(', ')}` : 'allowed';
    // Over HTTP the limits are checked before the request is handled, to answer 429.
    if (scope.transport !== 'http') {
      const limited = await takeCallLimits(scope.limits, scope.principal.id, tool.name);
      if (!limited.allowed) {
        policyDecision = `denied by ${limited.rule}`;
        verdict = { outcome: 'denied', decision: policyDecision };
        errorMessage = limited.message;
        return errorResult(errorMessage);
      }
      release = limited.release;
    }
    const continuation = tool.list === undefined ? undefined : readContinuation(args.cursor);
    if (continuation) args = { ...args, cursor: continuation.cursor };

    const returned = await tool.handler(args, context);
    if (isInputRequiredResult(returned)) return returned;

    let structured: unknown = returned;
    let content: CallToolResult['content'] | undefined;
    if (isToolContent(returned)) {
      content = [...returned.content];
      structured = returned.structured;
    }
    if (!tool.output) {
      if (content) return { content };
      const text = typeof structured === 'string' ? structured : JSON.stringify(structured ?? null);
      resultBytes = Buffer.byteLength(text);
      return { content: [{ type: 'text', text }] };
    }
    if (structured === undefined && content) return { content };

    const checked = await parseSyncFirst(tool.output, structured);
    if (!checked.success) {
      const ref = reference();
      context.log.error({ issues: checked.error.issues, reference: ref }, 'tool output does not match its schema');
      verdict = { outcome: 'error', reason: 'invalid_output' };
      errorMessage = `${tool.name} produced a result that does not match its declared output schema. This is a bug in the connector; it was logged on the server (reference ${ref}).`;
      return errorResult(errorMessage);
    }
    const budgeted = applyBudget(
      checked.data as Record<string, unknown>,
      tool.list,
      { pageCursor: continuation?.cursor ?? (args.cursor as string | undefined), skip: continuation?.skip ?? 0 },
      scope.budget,
    );
    if (!budgeted.ok) {
      verdict = { outcome: 'refused', reason: 'result_too_large' };
      errorMessage =
        `The result of ${tool.name} is ${budgeted.bytes} bytes, over the response budget of ${scope.budget.maxBytes} bytes. ` +
        'Ask for less (a narrower range, filter or limit), or raise --max-result-bytes.';
      return errorResult(errorMessage);
    }
    resultBytes = budgeted.bytes;
    truncated = budgeted.truncated || undefined;
    const rendered = tool.text ? tool.text(budgeted.data as never) : budgeted.json;
    const { note, data } = typeof rendered === 'string' ? { note: undefined, data: rendered } : rendered;
    const body = prepared.untrustedOutput ? fenceUntrusted(data, `${scope.connectorName}/${tool.name}`) : data;
    const text = note ? `${note}\n${body}` : body;
    return {
      content: content ?? [{ type: 'text', text }],
      structuredContent: budgeted.data,
    };
  } catch (error) {
    const failure = classify(error, tool.name, context.signal, context.log);
    verdict = failure.verdict;
    errorMessage = failure.message;
    upstreamRequestId = failure.upstreamRequestId;
    return errorResult(failure.message);
  } finally {
    release?.();
    scope.audit.record({
      ...callAuditIdentity(scope, sdkContext),
      tool: tool.name,
      args: rawArgs ?? {},
      durationMs: performance.now() - started,
      error: errorMessage,
      decision: policyDecision,
      resultBytes,
      truncated,
      upstreamRequestId,
      ...verdict,
    });
  }
}

const policyTools = new WeakMap<object, PolicyTool>();

/** The tool as the policy sees it, with the argument names its input declares (computed once). */
function policyToolOf<Ctx>(prepared: PreparedTool<Ctx>): PolicyTool {
  let found = policyTools.get(prepared);
  if (!found) {
    found = { ...prepared.tool, inputProperties: Object.keys(prepared.definition.inputSchema.properties ?? {}) };
    policyTools.set(prepared, found);
  }
  return found;
}
