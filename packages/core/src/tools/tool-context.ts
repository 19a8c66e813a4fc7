import type { Principal } from '@bastion-mcp/auth';
import type { Logger } from '@bastion-mcp/logging';
import type {
  ClientCapabilities,
  Root,
  InputRequest,
  InputRequiredResult,
  InputResponseView,
  StandardSchemaV1,
} from '@modelcontextprotocol/server';

/** The response budget of one call; handlers size upstream requests to fit it. */
export interface ResponseBudget {
  readonly maxItems: number;
  readonly maxBytes: number;
}

/** Publishes list and resource changes to connected clients that asked for them. */
export interface ChangeNotifier {
  toolsChanged(): void;
  promptsChanged(): void;
  resourcesChanged(): void;
  resourceUpdated(uri: string): void;
}

/**
 * Multi-round-trip input: a handler that needs a confirmation or a choice returns
 * `ctx.input.request(...)`; the client asks the user and calls again with the answers, which
 * `accepted` / `response` read. State survives the round trip sealed (HMAC, bound to the caller
 * and the tool), so a tampered or replayed state never reaches the handler.
 */
export interface InputContext {
  /** The accepted form content for `key`, validated by `schema` when given. */
  accepted<T extends Record<string, unknown> = Record<string, unknown>>(key: string): T | undefined;
  accepted<S extends StandardSchemaV1>(key: string, schema: S): StandardSchemaV1.InferOutput<S> | undefined;
  /** What the client answered for `key`: elicitation, sampling, roots, or missing. */
  response(key: string): InputResponseView;
  /** The state this tool sealed into the previous round, if the client echoed a valid one. */
  state<T>(): T | undefined;
  /** Asks the client for input; `state` is sealed and comes back through `state()`. */
  request(requests: Record<string, InputRequest>, state?: unknown): Promise<InputRequiredResult>;
}

/** What the connected client declared about itself for this request. */
export interface PeerInfo {
  readonly capabilities: ClientCapabilities | undefined;
  readonly era: 'legacy' | 'modern';
  /**
   * The roots the client offers (directories it wants the server to stay within), or undefined
   * when it offers none or cannot be asked (2026-07-28 requests, one-shot HTTP requests). Asked
   * once per connection and again after the client says they changed.
   */
  roots(): Promise<readonly Root[] | undefined>;
  /** Sends a log notification to the client (deprecated by the 2026-07-28 revision). */
  log(level: 'debug' | 'info' | 'notice' | 'warning' | 'error', data: unknown): Promise<void>;
}

export interface CoreToolContext {
  /** Child logger carrying the connector, tool and request id; writes to stderr. */
  readonly log: Logger;
  /** Aborted when the client cancels the call or the server shuts down. */
  readonly signal: AbortSignal;
  readonly principal: Principal;
  readonly budget: ResponseBudget;
  readonly requestId: string | number;
  /** Reports progress to the client; a no-op when the client sent no progress token. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  readonly input: InputContext;
  readonly peer: PeerInfo;
  readonly notify: ChangeNotifier;
}

export const CORE_CONTEXT_KEYS: readonly (keyof CoreToolContext)[] = [
  'log',
  'signal',
  'principal',
  'budget',
  'requestId',
  'progress',
  'input',
  'peer',
  'notify',
];

/** What a handler receives: the connector's own context (API clients, pools) plus the core's. */
export type ToolContext<ConnectorContext> = ConnectorContext & CoreToolContext;
