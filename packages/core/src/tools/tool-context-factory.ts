import type { Principal } from '@bastion-mcp/auth';
import type { AuditLog, Logger } from '@bastion-mcp/logging';
import { CLIENT_CAPABILITIES_META_KEY, acceptedContent, inputRequired, inputResponse } from '@modelcontextprotocol/server';
import type {
  ClientCapabilities,
  InputRequest,
  InputRequiredResult,
  ServerContext,
  StandardSchemaV1,
} from '@modelcontextprotocol/server';
import type { ChangeNotifier, CoreToolContext, InputContext, PeerInfo, ResponseBudget, ToolContext } from './tool-context.js';

/** What a sealed requestState carries: the tool that minted it and that tool's payload. */
export interface SealedState {
  tool: string;
  payload: unknown;
}

/** Everything about one call that does not come from the SDK request itself. */
export interface CallScope<Ctx> {
  readonly connectorName: string;
  readonly connectorContext: Ctx;
  readonly logger: Logger;
  readonly audit: AuditLog;
  readonly budget: ResponseBudget;
  readonly principal: Principal;
  readonly transport: 'stdio' | 'http' | 'memory';
  readonly era: 'legacy' | 'modern';
  readonly notify: ChangeNotifier;
  /** Aborted when the server gives up waiting for in-flight calls at shutdown. */
  readonly stopSignal: AbortSignal;
  readonly clientCapabilities: () => ClientCapabilities | undefined;
  sealState(state: SealedState, sdkContext: ServerContext): Promise<string>;
}

function inputContext<Ctx>(name: string, sdkContext: ServerContext, scope: CallScope<Ctx>): InputContext {
  const responses = sdkContext.mcpReq.inputResponses;
  return {
    accepted: ((key: string, schema?: StandardSchemaV1) =>
      schema ? acceptedContent(responses, key, schema) : acceptedContent(responses, key)) as InputContext['accepted'],
    response: (key) => inputResponse(responses, key),
    state<T>(): T | undefined {
      const sealed = sdkContext.mcpReq.requestState<SealedState>();
      return typeof sealed === 'object' && sealed !== null && sealed.tool === name ? (sealed.payload as T) : undefined;
    },
    async request(requests: Record<string, InputRequest>, state?: unknown): Promise<InputRequiredResult> {
      const requestState = state === undefined ? undefined : await scope.sealState({ tool: name, payload: state }, sdkContext);
      return inputRequired({ inputRequests: requests, ...(requestState === undefined ? {} : { requestState }) });
    },
  };
}

function peerInfo<Ctx>(sdkContext: ServerContext, scope: CallScope<Ctx>): PeerInfo {
  return {
    get capabilities() {
      const envelope = sdkContext.mcpReq.envelope as Record<string, unknown> | undefined;
      const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
      return declared ?? scope.clientCapabilities();
    },
    era: scope.era,
    log: (level, data) => sdkContext.mcpReq.log(level, data),
  };
}

/** Builds a handler's context; the logger and the combined abort signal are made on first use. */
export function createToolContext<Ctx>(
  name: string,
  sdkContext: ServerContext,
  scope: CallScope<Ctx>,
): ToolContext<Ctx> {
  let log: Logger | undefined;
  let signal: AbortSignal | undefined;
  const core: Omit<CoreToolContext, 'log' | 'signal'> = {
    principal: scope.principal,
    budget: scope.budget,
    requestId: sdkContext.mcpReq.id,
    async progress(progress, total, message) {
      const progressToken = sdkContext.mcpReq._meta?.progressToken;
      if (progressToken === undefined) return;
      await sdkContext.mcpReq.notify({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress,
          ...(total === undefined ? {} : { total }),
          ...(message === undefined ? {} : { message }),
        },
      });
    },
    input: inputContext(name, sdkContext, scope),
    peer: peerInfo(sdkContext, scope),
    notify: scope.notify,
  };
  const context = Object.assign({}, scope.connectorContext, core);
  Object.defineProperties(context, {
    log: {
      enumerable: true,
      get: () => (log ??= scope.logger.child({ tool: name, requestId: sdkContext.mcpReq.id })),
    },
    signal: {
      enumerable: true,
      get: () => (signal ??= AbortSignal.any([sdkContext.mcpReq.signal, scope.stopSignal])),
    },
  });
  return context as ToolContext<Ctx>;
}
