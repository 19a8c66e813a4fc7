import type { Principal } from '@bastion-mcp/auth';
import type { CallLimits } from '../limits/call-limits.js';
import type { PrincipalPolicy } from '../policy/types.js';
import type { AuditLog, Logger } from '@bastion-mcp/logging';
import { CLIENT_CAPABILITIES_META_KEY, acceptedContent, inputRequired, inputResponse } from '@modelcontextprotocol/server';
import type {
  ClientCapabilities,
  Implementation,
  InputRequest,
  Root,
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
  /** What the principal may call, with which arguments. */
  readonly policy: PrincipalPolicy;
  /** Its call budgets, checked here for stdio and in-memory calls (HTTP checks them per request). */
  readonly limits: CallLimits;
  readonly transport: 'stdio' | 'http' | 'memory';
  readonly era: 'legacy' | 'modern';
  readonly notify: ChangeNotifier;
  /** Aborted when the server gives up waiting for in-flight calls at shutdown. */
  readonly stopSignal: AbortSignal;
  readonly clientCapabilities: () => ClientCapabilities | undefined;
  /** The client name and version declared in initialize (2025-11-25 connections and sessions). */
  readonly clientInfo: () => Implementation | undefined;
  /** The client's roots, asked through this request when the connection can carry the question. */
  readonly roots: (sdkContext: ServerContext) => Promise<readonly Root[] | undefined>;
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

/**
 * The core half of a handler's context. Everything a handler may not use (the child logger, the
 * combined abort signal, input and peer views) is built on first access, so a call pays only for
 * what its handler touches.
 */
class CallContext<Ctx> implements CoreToolContext {
  #log: Logger | undefined;
  #signal: AbortSignal | undefined;
  #input: InputContext | undefined;
  #peer: PeerInfo | undefined;
  readonly #name: string;
  readonly #sdk: ServerContext;
  readonly #scope: CallScope<Ctx>;

  constructor(name: string, sdkContext: ServerContext, scope: CallScope<Ctx>) {
    this.#name = name;
    this.#sdk = sdkContext;
    this.#scope = scope;
  }

  get log(): Logger {
    return (this.#log ??= this.#scope.logger.child({ tool: this.#name, requestId: this.#sdk.mcpReq.id }));
  }

  get signal(): AbortSignal {
    return (this.#signal ??= AbortSignal.any([this.#sdk.mcpReq.signal, this.#scope.stopSignal]));
  }

  get principal() {
    return this.#scope.principal;
  }

  get budget(): ResponseBudget {
    return this.#scope.budget;
  }

  get requestId(): string | number {
    return this.#sdk.mcpReq.id;
  }

  get notify(): ChangeNotifier {
    return this.#scope.notify;
  }

  get input(): InputContext {
    return (this.#input ??= inputContext(this.#name, this.#sdk, this.#scope));
  }

  get peer(): PeerInfo {
    if (this.#peer) return this.#peer;
    const sdkContext = this.#sdk;
    const scope = this.#scope;
    this.#peer = {
      get capabilities() {
        const envelope = sdkContext.mcpReq.envelope as Record<string, unknown> | undefined;
        const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
        return declared ?? scope.clientCapabilities();
      },
      era: scope.era,
      roots: () => scope.roots(sdkContext),
      log: (level, data) => sdkContext.mcpReq.log(level, data),
    };
    return this.#peer;
  }

  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const progressToken = this.#sdk.mcpReq._meta?.progressToken;
    if (progressToken === undefined) return;
    await this.#sdk.mcpReq.notify({
      method: 'notifications/progress',
      params: {
        progressToken,
        progress,
        ...(total === undefined ? {} : { total }),
        ...(message === undefined ? {} : { message }),
      },
    });
  }
}

/** A handler's context: the connector's own context (API clients, pools) on top of the core's. */
export function createToolContext<Ctx>(
  name: string,
  sdkContext: ServerContext,
  scope: CallScope<Ctx>,
): ToolContext<Ctx> {
  return Object.assign(new CallContext(name, sdkContext, scope), scope.connectorContext) as ToolContext<Ctx>;
}
