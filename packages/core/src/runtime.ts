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
  /** Aborted when shutdown stops waiting for in-flight calls. */
  readonly stopSignal: AbortSignal;
  stop(): void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
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
  const audit = createAuditLog({ logger, ...(settings.auditLog ? { file: settings.auditLog } : {}) });
  let context: Ctx;
  try {
    context = await connector.createContext(loaded.connector, { log: logger });
    assertContextKeys(context, connector.name);
  } catch (error) {
    await audit.close();
    throw error;
  }
  const stopper = new AbortController();
  const stateCodec = createRequestStateCodec<SealedState>({
    key: settings.stateKey ? settings.stateKey.reveal() : randomBytes(32),
    bind: (sdkContext) =>
      `${sdkContext.mcpReq.method}\u0000${String(sdkContext.http?.authInfo?.clientId ?? '')}`,
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
    stopSignal: stopper.signal,
    stop: () => stopper.abort(new Error('server shutting down')),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await connector.closeContext(context);
      } finally {
        await audit.close();
      }
    },
  };
}
