import { randomBytes } from 'node:crypto';
import { createAuditLog, createLogger } from '@bastion-mcp/logging';
import type { AuditLog, Logger } from '@bastion-mcp/logging';
import { createRequestStateCodec } from '@modelcontextprotocol/server';
import type { RequestStateCodec } from '@modelcontextprotocol/server';
import type { CoreSettings } from './config/core-settings.js';
import type { LoadedConfig } from './config/load-config.js';
import { assertContextKeys } from './define-connector.js';
import type { Connector } from './define-connector.js';
import { NotifierHub } from './notifier.js';
import { selectTools } from './registry.js';
import { prepareTool } from './tools/prepare-tool.js';
import type { PreparedTool } from './tools/prepare-tool.js';
import type { ResponseBudget } from './tools/tool-context.js';
import type { SealedState } from './tools/tool-context-factory.js';
import type { ConcurrencyLimiter } from './limits/concurrency-limiter.js';
import type { RateLimiter } from './limits/types.js';
import type { Policy } from './policy/types.js';
import { unrestrictedPolicy } from './policy/unrestricted.js';

/** One process's worth of connector state: shared by every server instance the SDK creates. */
export interface Runtime<Ctx> {
  readonly connector: Connector<Ctx>;
  readonly settings: CoreSettings;
  readonly context: Ctx;
  readonly tools: readonly PreparedTool<Ctx>[];
  readonly logger: Logger;
  readonly audit: AuditLog;
  readonly budget: ResponseBudget;
  readonly notifier: NotifierHub;
  readonly stateCodec: RequestStateCodec<SealedState>;
  /** Who may see and call what (BASTION_POLICY), on top of the principal's scopes. */
  readonly policy: Policy;
  /** Per-principal and per-tool call budgets; `kind: 'off'` when none is configured. */
  readonly rateLimiter: RateLimiter;
  /** Calls one principal may have running at once, when configured. */
  readonly concurrency: ConcurrencyLimiter | undefined;
  /** Aborted when shutdown stops waiting for in-flight calls. */
  readonly stopSignal: AbortSignal;
  stop(): void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
}

/** The name and version the connector announces as an MCP server, and its audit events name. */
export function serverInfoOf(connector: Pick<Connector<unknown>, 'name' | 'version'>): { name: string; version: string } {
  return { name: `bastion-${connector.name}`, version: connector.version };
}

/** Selects and prepares the tools, opens the audit log and builds the connector's context. */
export async function createRuntime<Ctx>(
  connector: Connector<Ctx>,
  loaded: LoadedConfig<unknown>,
  options: RuntimeOptions = {},
): Promise<Runtime<Ctx>> {
  const settings = loaded.core;
  const logger = options.logger ?? createLogger({ name: `bastion-${connector.name}`, level: settings.logLevel });
  const selected = selectTools(connector.tools, connector.toolsets, {
    readOnly: settings.readOnly,
    toolsets: settings.toolsets,
    tools: settings.tools,
    excludeTools: settings.excludeTools,
    unavailable: (tool) => connector.unavailable(tool as never, loaded.connector),
  });
  const tools = selected.map((tool) => prepareTool(tool));
  const policy = settings.policy ? await loadToolPolicy(settings.policy, tools, settings) : unrestrictedPolicy;
  const { rateLimiter, concurrency } = await createLimits(settings, logger, connector.name);
  const audit = createAuditLog({
    logger,
    server: { connector: connector.name, ...serverInfoOf(connector) },
    ...(settings.auditLog ? { file: settings.auditLog } : {}),
  });
  let context: Ctx;
  try {
    context = await connector.createContext(loaded.connector, { log: logger });
    assertContextKeys(context, connector.name);
  } catch (error) {
    await audit.close();
    await rateLimiter.close();
    await concurrency?.close?.();
    throw error;
  }
  const stopper = new AbortController();
  const stateCodec = createRequestStateCodec<SealedState>({
    key: settings.stateKey ? settings.stateKey.reveal() : randomBytes(32),
    // Sealed to the principal as well as the client: users of one OAuth client share its client id.
    bind: (sdkContext) => {
      const authInfo = sdkContext.http?.authInfo;
      const principal = authInfo?.extra?.principal as { id?: unknown } | undefined;
      return `${sdkContext.mcpReq.method}\u0000${String(principal?.id ?? '')}\u0000${String(authInfo?.clientId ?? '')}`;
    },
  });
  let closed = false;
  return {
    connector,
    settings,
    context,
    tools,
    logger,
    audit,
    budget: { maxBytes: settings.maxResultBytes, maxItems: settings.maxResultItems },
    notifier: new NotifierHub(),
    stateCodec,
    policy,
    rateLimiter,
    concurrency,
    stopSignal: stopper.signal,
    stop: () => stopper.abort(new Error('server shutting down')),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await connector.closeContext(context);
      } finally {
        await rateLimiter.close();
        await concurrency?.close?.();
        await audit.close();
      }
    },
  };
}

/** The policy file, checked against the selected tools: a name it uses that matches none is a config error. */
async function loadToolPolicy<Ctx>(path: string, tools: readonly PreparedTool<Ctx>[], settings: CoreSettings): Promise<Policy> {
  // Loaded only with a policy: the YAML parser is not start-up cost for everyone.
  const { loadPolicyFile } = await import('./policy/load-policy.js');
  const policy = await loadPolicyFile(path);
  policy.verifyTools(tools.map(({ tool, definition }) => ({ ...tool, inputProperties: Object.keys(definition.inputSchema.properties ?? {}) })));
  policy.verifyPrincipals({ jwtIssuers: settings.authIssuers, introspection: settings.introspectionUrl !== undefined, apiKeys: settings.apiKeys.length > 0 });
  return policy;
}

/** Rate and concurrency limits as configured; nothing is loaded or connected without them. */
async function createLimits(settings: CoreSettings, logger: Logger, connectorName: string): Promise<{ rateLimiter: RateLimiter; concurrency: ConcurrencyLimiter | undefined }> {
  const rateLimiter: RateLimiter =
    settings.rateLimit || settings.toolRateLimit
      ? (await import('./limits/index.js')).createRateLimiter({
          ...(settings.rateLimit ? { perPrincipal: settings.rateLimit } : {}),
          ...(settings.toolRateLimit ? { perTool: settings.toolRateLimit } : {}),
          ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : {}),
          // Two connectors sharing one Redis keep separate budgets for the same caller.
          keyPrefix: `bastion:rl:${connectorName}:`,
          onError: (error) => logger.warn({ err: error }, 'the shared rate-limit store failed; calls are refused until it is back'),
        })
      : OFF_LIMITER;
  if (rateLimiter.kind === 'redis') {
    await rateLimiter.ready().catch((error: unknown) => logger.warn({ err: error }, 'the shared rate-limit store is not reachable yet; calls are refused until it is'));
  }
  const concurrency = settings.maxInFlight ? await concurrencyLimiter(settings.maxInFlight, settings, logger, connectorName) : undefined;
  return { rateLimiter, concurrency };
}

/** In-flight calls per principal: in Redis when it is configured, so replicas share the limit. */
async function concurrencyLimiter(maxInFlight: number, settings: CoreSettings, logger: Logger, connectorName: string): Promise<ConcurrencyLimiter> {
  const { createConcurrencyLimiter, RedisConcurrencyLimiter } = await import('./limits/index.js');
  if (!settings.redisUrl) return createConcurrencyLimiter({ maxInFlight });
  const limiter = new RedisConcurrencyLimiter(settings.redisUrl.reveal(), {
    maxInFlight,
    keyPrefix: `bastion:cc:${connectorName}:`,
    onError: (error) => logger.warn({ err: error }, 'the shared in-flight limit store failed; calls are refused until it is back'),
  });
  await limiter.ready().catch((error: unknown) => logger.warn({ err: error }, 'the shared in-flight limit store is not reachable yet; calls are refused until it is'));
  return limiter;
}

const OFF_LIMITER: RateLimiter = Object.freeze({
  kind: 'off' as const,
  take: () => Promise.resolve({ allowed: true as const }),
  ready: () => Promise.resolve(),
  close: () => Promise.resolve(),
});
