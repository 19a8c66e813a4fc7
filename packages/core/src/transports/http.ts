import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ANONYMOUS_PRINCIPAL, hasScopes, protectedResourceMetadata } from '@bastion-mcp/auth';
import type { BearerAuthenticator, HttpAuthenticator, Principal } from '@bastion-mcp/auth';
import { authenticatorFrom, authorizationServersOf } from '../config/auth-settings.js';
import { hostHeaderValidation, originValidation, toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import { createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { isLoopback } from '../config/load-config.js';
import type { Runtime } from '../runtime.js';
import { hiddenDataTarget } from '../server/hidden-data.js';
import { authInfoFor, createServerFactory, policyToolsOf } from '../server/server-factory.js';
import { LegacySessions } from './legacy-sessions.js';
import { takeCallLimits } from '../limits/call-limits.js';
import { PRINCIPAL_BUDGET_ONLY } from '../limits/rate-limits.js';
import { narrowByHeaders } from '../policy/header-narrowing.js';
import type { PrincipalPolicy } from '../policy/types.js';
import { ConnectionGuard } from './connection-guard.js';
import { corsPolicy } from './cors.js';
import { readJsonBody } from './read-body.js';
import { headersNameCall, stepUpScopes } from './scope-challenge.js';

export const MCP_PATH = '/mcp';
export const HEALTH_PATH = '/healthz';

export interface HttpHandle {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight calls finish up to the shutdown timeout, then closes. */
  close(): Promise<void>;
}

export interface HttpOptions {
  /** Runs before the MCP handler; by default the one the settings configure, else anonymous access (loopback binds only). */
  authenticator?: HttpAuthenticator;
}

/** Headers must arrive within this, and a connection must authenticate a request within it too. */
const HEADERS_TIMEOUT_MS = 10_000;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

interface ToolCall {
  readonly name: string;
  readonly id: string | number | undefined;
  readonly args: unknown;
}

/** The tool a JSON-RPC tools/call request names, if the body is one. */
function toolCallOf(body: unknown): ToolCall | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as { method?: unknown; id?: unknown; params?: { name?: unknown; arguments?: unknown } };
  if (message.method !== 'tools/call' || typeof message.params?.name !== 'string') return undefined;
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : undefined;
  return { name: message.params.name.slice(0, 128), id, args: message.params.arguments ?? {} };
}

function methodOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { method?: unknown }).method : undefined;
}

function isBearer(authenticator: HttpAuthenticator | undefined): authenticator is BearerAuthenticator {
  return authenticator !== undefined && 'metadataUrls' in authenticator && 'insufficientScope' in authenticator;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function jsonRpcError(code: number, message: string): unknown {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}

function hostNameOf(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Listen streams stay open by design; they must not hold up a drain. */
function isLongLived(request: IncomingMessage, body: unknown): boolean {
  if (request.method === 'GET') return true;
  return typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'subscriptions/listen';
}

/**
 * Streamable HTTP on one path. Every check runs before a server instance exists: Host (DNS
 * rebinding), Origin, authentication, body size. 2026-07-28 requests are served statelessly;
 * 2025-11-25 clients get sessions (see LegacySessions). /healthz turns 503 while draining.
 */
export async function serveOverHttp<Ctx>(runtime: Runtime<Ctx>, options: HttpOptions = {}): Promise<HttpHandle> {
  const { settings, logger } = runtime;
  const limit = settings.maxBodyBytes;
  const onerror = (error: Error) => logger.debug({ err: error }, 'mcp http handler error');
  const factory = createServerFactory(runtime, 'http', ANONYMOUS_PRINCIPAL, runtime.stateCodec);
  const mcpHandler = createMcpHandler(factory, { legacy: 'reject', maxRequestBodySize: limit, onerror });
  const modern = toNodeHandler(mcpHandler, { maxRequestBodySize: limit, onerror });
  const sessionFactory = createServerFactory(runtime, 'http-session', ANONYMOUS_PRINCIPAL, runtime.stateCodec);
  const legacy = new LegacySessions(sessionFactory, factory, {
    maxSessions: settings.maxSessions,
    maxSessionsPerPrincipal: settings.maxSessionsPerPrincipal,
    idleMs: settings.sessionIdleSeconds * 1000,
    maxBodyBytes: limit,
    logger,
  });
  const removeSink = runtime.notifier.add(mcpHandler.notify);

  const allowedHosts = [...LOOPBACK_NAMES, ...settings.allowedHosts];
  if (!isLoopback(settings.host) && settings.host !== '0.0.0.0' && settings.host !== '::') {
    allowedHosts.push(hostNameOf(settings.host));
  }
  const checkHost = hostHeaderValidation(allowedHosts);


  const authenticator =
    options.authenticator ??
    authenticatorFrom(settings, ({ source, error }) => logger.warn({ source, err: error }, `${source} request failed; tokens that need it are refused`));
  if (!authenticator && settings.insecureNoAuth) {
    logger.warn({ host: settings.host }, 'serving HTTP WITHOUT AUTHENTICATION (--insecure-no-auth): anyone who can reach this address can call every tool');
  }
  const bearer = isBearer(authenticator) ? authenticator : undefined;
  const offered = [...runtime.tools.map((prepared) => prepared.tool), ...runtime.connector.resources, ...runtime.connector.prompts];
  const connectorScopes = [...new Set(offered.flatMap((item) => item.scopes))];
  const authorizationServers = authorizationServersOf(settings);
  // RFC 9728: where clients learn which authorization server issues tokens for this resource.
  const metadata =
    bearer && authorizationServers.length > 0
      ? {
          paths: new Set(bearer.metadataUrls.paths),
          body: protectedResourceMetadata({
            resource: bearer.resource,
            authorizationServers,
            scopesSupported: connectorScopes.filter((scope) => scope !== '*'),
            resourceName: runtime.connector.title ?? `bastion-${runtime.connector.name}`,
          }),
        }
      : undefined;
  const cors = corsPolicy(settings.corsOrigins);
  const checkOrigin = originValidation([...LOOPBACK_NAMES, ...settings.allowedOrigins, ...cors.hostnames]);

  const connections = new ConnectionGuard({
    maxConnections: settings.maxConnections,
    maxConnectionsPerPeer: settings.maxConnectionsPerPeer,
    unauthenticatedGraceMs: HEADERS_TIMEOUT_MS,
  });
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  /** A request refused before any tool ran: what every denial at this layer records. */
  function auditDenied(denial: {
    tool: string;
    principal: string;
    clientId?: string | undefined;
    requestId?: string | number | undefined;
    args: unknown;
    decision: string;
    error: string;
    remoteAddress?: string | undefined;
  }): void {
    runtime.audit.record({ ...denial, transport: 'http', outcome: 'denied', durationMs: 0 });
  }

  /**
   * Refused credentials are audited too (principal `unauthenticated`, the peer's address, the tool
   * a 2026-07-28 client names in Mcp-Name); the body is never read for them.
   */
  function auditRefusal(request: IncomingMessage, status: number, message: string, principal?: Principal): void {
    const named = request.headers['mcp-method'] === 'tools/call' ? request.headers['mcp-name'] : undefined;
    auditDenied({
      tool: typeof named === 'string' ? named.slice(0, 128) : '',
      principal: principal?.id ?? 'unauthenticated',
      clientId: principal?.clientId,
      args: {},
      decision: status === 403 ? 'denied by authentication: insufficient scope (403)' : `denied by authentication (${status})`,
      error: message,
      remoteAddress: request.socket.remoteAddress,
    });
  }

  /**
   * The protocol versions served (2025-11-25, 2026-07-28) have no JSON-RPC batches. Refusing any
   * array here, before the SDK sees it, keeps every request under the per-call rate, in-flight
   * and policy checks, which look at one message per HTTP request.
   */
  function refuseBatch(request: IncomingMessage, response: ServerResponse, principal: Principal): void {
    const message = 'Invalid Request: JSON-RPC batches are not supported by this protocol version; send one request per HTTP request';
    sendJson(response, 400, jsonRpcError(-32600, message));
    auditDenied({
      tool: '',
      principal: principal.id,
      clientId: principal.clientId,
      args: {},
      decision: 'denied: JSON-RPC batch (400)',
      error: message,
      remoteAddress: request.socket.remoteAddress,
    });
  }

  async function authenticate(request: IncomingMessage, response: ServerResponse): Promise<Principal | undefined> {
    if (!authenticator) return ANONYMOUS_PRINCIPAL;
    const result = await authenticator.authenticate(request);
    if (!result.ok) {
      sendJson(response, result.status, jsonRpcError(-32001, result.message), { ...result.headers });
      auditRefusal(request, result.status, result.message);
      return undefined;
    }
    // A valid token that grants nothing here is refused with every scope that would grant something.
    if (bearer && !offered.some((item) => hasScopes(result.principal.scopes, item.scopes))) {
      const refusal = bearer.insufficientScope(connectorScopes);
      sendJson(response, refusal.status, jsonRpcError(-32001, refusal.message), { ...refusal.headers });
      auditRefusal(request, refusal.status, refusal.message, result.principal);
      return undefined;
    }
    return result.principal;
  }

  async function handleMcp(request: IncomingMessage & { auth?: AuthInfo }, response: ServerResponse): Promise<void> {
    if (!checkHost(request, response) || !checkOrigin(request, response)) return;
    if (draining) {
      sendJson(response, 503, jsonRpcError(-32603, 'server is shutting down; retry on another instance'), { 'retry-after': '1' });
      return;
    }
    const principal = await authenticate(request, response);
    if (!principal) return;
    connections.markAuthenticated(request.socket);
    // Request headers can narrow what the principal's policy allows, never widen it.
    const narrowed = narrowByHeaders(runtime.policy.forPrincipal(principal), request.headers);
    if (!narrowed.ok) {
      sendJson(response, 400, jsonRpcError(-32600, `${narrowed.header}: ${narrowed.message}`));
      return;
    }
    request.auth = authInfoFor(principal, narrowed.policy);
    let body: unknown;
    if (request.method === 'POST') {
      const read = await readJsonBody(request, limit);
      if (!read.ok) {
        sendJson(response, read.status, jsonRpcError(read.code, read.message));
        return;
      }
      body = read.body;
      if (Array.isArray(body)) {
        refuseBatch(request, response, principal);
        return;
      }
    }
    if (methodOf(body) === 'initialize' && !(await admitSessionOpening(body, principal, response))) return;
    auditHiddenData(body, principal, narrowed.policy);
    const call = toolCallOf(body);
    if (call) {
      const admitted = await admitCall(call, principal, narrowed.policy, request, response);
      if (!admitted) return;
      response.once('close', admitted.release);
    }
    const counted = !isLongLived(request, body);
    if (counted) inFlight += 1;
    response.once('close', () => {
      if (!counted) return;
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    });
    const probe = await toWebRequest(request, body, { maxRequestBodySize: limit });
    if (await isLegacyRequest(probe, body, { maxRequestBodySize: limit })) {
      await legacy.handle(request, response, body, principal);
    } else {
      await modern(request, response, body);
    }
  }

  const policyTools = policyToolsOf(runtime);

  /** A read of a resource or prompt the caller cannot see is audited like a call to a hidden tool. */
  function auditHiddenData(body: unknown, principal: Principal, policy: PrincipalPolicy): void {
    const { resources, prompts } = runtime.connector;
    const hidden = hiddenDataTarget(body, resources as never, prompts as never, policyTools, principal, policy);
    if (!hidden) return;
    auditDenied({
      tool: hidden.label,
      principal: principal.id,
      clientId: principal.clientId,
      requestId: hidden.id,
      args: hidden.args,
      decision: 'denied by scopes or policy (not visible)',
      error: `${hidden.label} not found`,
    });
  }

  const toolsByName = new Map(runtime.tools.map((prepared) => [prepared.tool.name, prepared.tool]));

  /**
   * A tools/call passes the caller's rate and concurrency limits before it is handled (429 or
   * 503 with Retry-After otherwise). A bearer token lacking only the scopes of a tool this
   * configuration offers gets a 403 insufficient_scope challenge naming them, so the client can
   * step up. A call to a tool the caller cannot see otherwise (not offered, or refused by the
   * policy) is audited as denied and left to the MCP handler, which answers it as unknown; it
   * takes no budget.
   */
  async function admitCall(
    call: ToolCall,
    principal: Principal,
    policy: PrincipalPolicy,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<{ release(): void } | undefined> {
    const tool = toolsByName.get(call.name);
    const audit = (decision: string, error: string) =>
      auditDenied({ tool: call.name, principal: principal.id, clientId: principal.clientId, requestId: call.id, args: call.args, decision, error });
    const needed = bearer && tool && headersNameCall(request.headers, call.name) ? stepUpScopes(tool, principal, policy) : undefined;
    if (bearer && needed) {
      const refusal = bearer.insufficientScope(needed);
      sendJson(response, refusal.status, { jsonrpc: '2.0', id: call.id ?? null, error: { code: -32001, message: refusal.message } }, { ...refusal.headers });
      audit('denied by authentication: insufficient scope (403)', refusal.message);
      return undefined;
    }
    if (!tool || !policy.toolVisible(tool)) {
      audit(tool ? 'denied by scopes or policy (not visible)' : 'denied: unknown tool', `Tool ${call.name} not found`);
      return { release: () => undefined };
    }
    const limited = await takeCallLimits(runtime, principal.id, tool.name);
    if (limited.allowed) return limited;
    audit(`denied by ${limited.rule}`, limited.message);
    const status = limited.unavailable ? 503 : 429;
    sendJson(
      response,
      status,
      { jsonrpc: '2.0', id: call.id ?? null, error: { code: -32000, message: limited.message, data: { retryAfterSeconds: limited.retryAfterSeconds } } },
      { 'retry-after': String(limited.retryAfterSeconds) },
    );
    return undefined;
  }

  /**
   * Opening a session spends a token of the principal's rate budget (none of a tool's), so a
   * caller cannot churn sessions faster than it may call tools.
   */
  async function admitSessionOpening(body: unknown, principal: Principal, response: ServerResponse): Promise<boolean> {
    const rate = await runtime.rateLimiter.take(principal.id, PRINCIPAL_BUDGET_ONLY);
    if (rate.allowed) return true;
    const id = (body as { id?: unknown }).id;
    auditDenied({
      tool: '',
      principal: principal.id,
      clientId: principal.clientId,
      requestId: typeof id === 'string' || typeof id === 'number' ? id : undefined,
      args: {},
      decision: rate.unavailable ? 'denied by rate:unavailable' : `denied by rate:${rate.limit}`,
      error: rate.message,
    });
    sendJson(
      response,
      rate.unavailable ? 503 : 429,
      { jsonrpc: '2.0', id: typeof id === 'string' || typeof id === 'number' ? id : null, error: { code: -32000, message: rate.message, data: { retryAfterSeconds: rate.retryAfterSeconds } } },
      { 'retry-after': String(rate.retryAfterSeconds) },
    );
    return false;
  }

  const requestTimeout = settings.requestTimeoutSeconds * 1000;
  const server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      // Slow senders (slowloris) hold a socket for at most this long; the check runs every second.
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
      keepAliveTimeout: 5_000,
    },
    (request, response) => {
      const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
      if (!cors.apply(request, response)) return;
      if (metadata?.paths.has(path) && (request.method === 'GET' || request.method === 'HEAD')) {
        sendJson(response, 200, metadata.body, { 'cache-control': 'public, max-age=300' });
        return;
      }
      if (path === HEALTH_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
        sendJson(response, draining ? 503 : 200, {
          status: draining ? 'draining' : 'ok',
          connector: runtime.connector.name,
          version: runtime.connector.version,
        });
        return;
      }
      if (path !== MCP_PATH) {
        sendJson(response, 404, { error: `not found; the MCP endpoint is ${MCP_PATH}` });
        return;
      }
      handleMcp(request, response).catch((error: unknown) => {
        logger.error({ err: error }, 'http request failed');
        if (!response.headersSent) sendJson(response, 500, jsonRpcError(-32603, 'internal server error'));
        else response.destroy();
      });
    },
  );

  connections.attach(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${hostNameOf(settings.host)}:${port}${MCP_PATH}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            idle = resolve;
            setTimeout(resolve, settings.shutdownTimeoutMs).unref();
          });
        }
        runtime.stop();
        removeSink();
        await legacy.closeAll();
        await mcpHandler.close();
        server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}
