import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '@bastion-mcp/auth';
import type { Logger } from '@bastion-mcp/logging';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { isInitializeRequest, legacyStatelessFallback } from '@modelcontextprotocol/server';
import type { AuthInfo, McpServerFactory } from '@modelcontextprotocol/server';
import { authInfoFor, rebindSession } from '../server/server-factory.js';
import { BoundedEventStore } from './event-store.js';

interface Session {
  readonly transport: NodeStreamableHTTPServerTransport;
  readonly server: Awaited<ReturnType<McpServerFactory>>;
  readonly principalId: string;
  lastSeen: number;
  /** Requests and streams of this session still open; a session with none is idle. */
  active: number;
}

export interface LegacySessionOptions {
  maxSessions: number;
  /** Sessions one principal may hold at once, so no caller can take every slot. */
  maxSessionsPerPrincipal: number;
  idleMs: number;
  maxBodyBytes: number;
  logger: Logger;
}

type NodeRequest = IncomingMessage & { auth?: AuthInfo };

function reply(response: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

/**
 * 2025-11-25 clients over HTTP keep a session (Mcp-Session-Id) so the server can send them
 * requests (sampling, elicitation, confirmations) and notifications on a GET stream. A session
 * belongs to the principal that opened it: any other caller presenting its id is told it does
 * not exist. Sessions are bounded in number, in total and per principal (at its cap a principal's
 * least recently used idle session makes way for its new one), and closed when idle. Requests without a session
 * that are not an initialize are served statelessly, as one-shot legacy requests.
 */
export class LegacySessions {
  readonly #sessions = new Map<string, Session>();
  readonly #factory: McpServerFactory;
  readonly #options: LegacySessionOptions;
  readonly #stateless: ReturnType<typeof toNodeHandler>;
  readonly #sweeper: NodeJS.Timeout;

  /** `sessionFactory` builds instances that live with a session; `oneShotFactory` serves single requests. */
  constructor(sessionFactory: McpServerFactory, oneShotFactory: McpServerFactory, options: LegacySessionOptions) {
    this.#factory = sessionFactory;
    this.#options = options;
    const onerror = (error: Error) => options.logger.debug({ err: error }, 'legacy http error');
    const fallback = legacyStatelessFallback(oneShotFactory, onerror, { maxRequestBodySize: options.maxBodyBytes });
    this.#stateless = toNodeHandler({ fetch: fallback }, { maxRequestBodySize: options.maxBodyBytes, onerror });
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(60_000, Math.max(1_000, options.idleMs / 2)));
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async handle(request: NodeRequest, response: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    request.auth ??= authInfoFor(principal);
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.#sessions.get(sessionId);
      if (!session || session.principalId !== principal.id) {
        reply(response, 404, -32001, 'Session not found; start a new one with initialize');
        return;
      }
      session.lastSeen = Date.now();
      session.active += 1;
      response.once('close', () => {
        session.active -= 1;
        session.lastSeen = Date.now();
      });
      rebindSession(session.server, request.auth);
      await session.transport.handleRequest(request, response, body);
      return;
    }
    if (request.method === 'POST' && isInitializeRequest(body)) {
      await this.#open(request, response, body, principal);
      return;
    }
    await this.#stateless(request, response, body);
  }

  async #open(request: NodeRequest, response: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    const own = [...this.#sessions].filter(([, session]) => session.principalId === principal.id);
    if (own.length >= this.#options.maxSessionsPerPrincipal) {
      const idle = own.filter(([, session]) => session.active === 0).sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0];
      if (!idle) {
        reply(
          response,
          429,
          -32000,
          `Too many open sessions for this caller (${this.#options.maxSessionsPerPrincipal}), all of them in use; end one (DELETE with its Mcp-Session-Id) or retry later`,
          { 'retry-after': '5' },
        );
        return;
      }
      await this.#close(idle[0]);
    }
    if (this.#sessions.size >= this.#options.maxSessions) this.#evictOldest();
    if (this.#sessions.size >= this.#options.maxSessions) {
      reply(response, 503, -32000, 'Too many open sessions; retry later');
      return;
    }
    const server = await this.#factory({ era: 'legacy', ...(request.auth ? { authInfo: request.auth } : {}) });
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      maxRequestBodySize: this.#options.maxBodyBytes,
      eventStore: new BoundedEventStore(),
      retryInterval: 1_000,
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { transport, server, principalId: principal.id, lastSeen: Date.now(), active: 0 });
      },
      onsessionclosed: (id) => {
        this.#sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  }

  #evictOldest(): void {
    let oldest: [string, Session] | undefined;
    for (const entry of this.#sessions) {
      if (entry[1].active === 0 && (!oldest || entry[1].lastSeen < oldest[1].lastSeen)) oldest = entry;
    }
    if (oldest && Date.now() - oldest[1].lastSeen > 60_000) void this.#close(oldest[0]);
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#options.idleMs;
    for (const [id, session] of this.#sessions) if (session.lastSeen < cutoff) void this.#close(id);
  }

  async #close(id: string): Promise<void> {
    const session = this.#sessions.get(id);
    this.#sessions.delete(id);
    await session?.transport.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.all([...this.#sessions.keys()].map((id) => this.#close(id)));
  }
}
