import type { Principal } from '@bastion-mcp/auth';
import { McpServer, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { AuthInfo, McpRequestContext, McpServerFactory, RegisteredTool, RequestStateCodec, ServerCapabilities } from '@modelcontextprotocol/server';
import type { PrincipalPolicy } from '../policy/types.js';
import { serverInfoOf } from '../runtime.js';
import type { Runtime } from '../runtime.js';
import { executeTool } from '../tools/execute-tool.js';
import type { CallScope, SealedState } from '../tools/tool-context-factory.js';
import { ClientRoots } from './client-roots.js';
import { instanceSink } from './instance-sink.js';
import { handleCompletions, offersCompletions } from './completions.js';
import type { PolicyTools } from './data-policy.js';
import { registerPrompts, registerResources } from './register-resources.js';

/** `http-session` instances live as long as a 2025-11-25 HTTP session; `http` ones for one request. */
export type TransportKind = 'stdio' | 'memory' | 'http' | 'http-session';

/**
 * HTTP authentication hands the principal (and its policy, narrowed by the request's headers) to
 * the SDK inside AuthInfo.extra. The token itself stays out: nothing after authentication sees it.
 */
export function authInfoFor(principal: Principal, policy?: PrincipalPolicy): AuthInfo {
  return {
    token: '',
    clientId: principal.clientId ?? principal.id,
    scopes: [...principal.scopes],
    extra: { principal, ...(policy ? { policy } : {}) },
  };
}

function principalFrom(authInfo: AuthInfo | undefined): Principal | undefined {
  const candidate = authInfo?.extra?.principal as Principal | undefined;
  return candidate && typeof candidate.id === 'string' ? candidate : undefined;
}

function policyFrom(authInfo: AuthInfo | undefined): PrincipalPolicy | undefined {
  const candidate = authInfo?.extra?.policy as PrincipalPolicy | undefined;
  return candidate && typeof candidate.toolVisible === 'function' ? candidate : undefined;
}

function capabilitiesOf(runtime: Runtime<unknown>): ServerCapabilities {
  const { connector } = runtime;
  return {
    tools: { listChanged: true },
    ...(connector.resources.length > 0
      ? { resources: { listChanged: true, ...(connector.resourceSubscriptions ? { subscribe: true } : {}) } }
      : {}),
    ...(connector.prompts.length > 0 ? { prompts: { listChanged: true } } : {}),
    ...(offersCompletions(connector.resources as never, connector.prompts as never) ? { completions: {} } : {}),
    ...(connector.clientLogging ? { logging: {} } : {}),
  };
}

const sessionRebinders = new WeakMap<object, (authInfo: AuthInfo) => void>();

/**
 * Points a 2025-11-25 session's instance at the principal and policy of the request it is about to
 * handle. Each request carries its own token: after a step-up the session offers the tools the new
 * scopes cover, and after a narrower token it no longer offers the others.
 */
export function rebindSession(server: object, authInfo: AuthInfo | undefined): void {
  if (authInfo) sessionRebinders.get(server)?.(authInfo);
}

/**
 * The offered tools as the policy judges them, for the resources and prompts that follow one. A
 * mapping to a tool the connector does not define is a bug in the connector, refused at start.
 */
export function policyToolsOf<Ctx>(runtime: Runtime<Ctx>): PolicyTools {
  const defined = new Set(runtime.connector.tools.map((tool) => tool.name));
  for (const item of [...runtime.connector.resources, ...runtime.connector.prompts]) {
    if (item.policy && !defined.has(item.policy.tool)) {
      throw new Error(`${runtime.connector.name}: ${item.name} follows tool ${item.policy.tool} in its policy mapping, which the connector does not define`);
    }
  }
  return new Map(
    runtime.tools.map(({ tool, definition }) => [tool.name, { ...tool, inputProperties: Object.keys(definition.inputSchema.properties ?? {}) }]),
  );
}

/**
 * The SDK calls this once per HTTP request and once per stdio connection. It is cheap: tools
 * arrive prepared (schemas converted once at start) and only those the principal may use are
 * registered, so a tool outside the caller's scopes or policy is as absent as an unknown one.
 */
export function createServerFactory<Ctx>(
  runtime: Runtime<Ctx>,
  transport: TransportKind,
  defaultPrincipal: Principal,
  stateCodec: RequestStateCodec<SealedState>,
): McpServerFactory {
  const { connector } = runtime;
  const capabilities = capabilitiesOf(runtime as Runtime<unknown>);
  const policyTools = policyToolsOf(runtime);
  return (request: McpRequestContext) => {
    const principal = principalFrom(request.authInfo) ?? defaultPrincipal;
    const bound = { principal, policy: policyFrom(request.authInfo) ?? runtime.policy.forPrincipal(principal) };
    const server = new McpServer(
      { ...serverInfoOf(connector), ...(connector.title ? { title: connector.title } : {}) },
      {
        capabilities,
        ...(connector.instructions ? { instructions: connector.instructions } : {}),
        requestState: { verify: stateCodec.verify },
      },
    );
    const roots = new ClientRoots(server, request.era === 'legacy' && transport !== 'http');
    const scope: CallScope<Ctx> = {
      connectorName: connector.name,
      connectorContext: runtime.context,
      logger: runtime.logger,
      audit: runtime.audit,
      budget: runtime.budget,
      get principal() {
        return bound.principal;
      },
      get policy() {
        return bound.policy;
      },
      limits: runtime,
      transport: transport === 'http-session' ? 'http' : transport,
      era: request.era,
      notify: runtime.notifier,
      stopSignal: runtime.stopSignal,
      clientCapabilities: () => server.server.getClientCapabilities(),
      clientInfo: () => server.server.getClientVersion(),
      roots: (sdkContext) => roots.get(sdkContext),
      sealState: (state, sdkContext) => stateCodec.mint(state, sdkContext),
    };
    const registered = new Map<string, RegisteredTool>();
    const syncTools = () => {
      for (const prepared of runtime.tools) {
        const { tool } = prepared;
        // The principal's scopes and the policy decide; a tool it may not use is as absent as an unknown one.
        const visible = bound.policy.toolVisible(tool);
        const existing = registered.get(tool.name);
        if (!visible && existing) {
          existing.remove();
          registered.delete(tool.name);
        }
        if (!visible || existing) continue;
        const handle = server.registerTool(
          tool.name,
          {
            ...(tool.title === undefined ? {} : { title: tool.title }),
            description: tool.description,
            inputSchema: prepared.sdkInput,
            ...(prepared.sdkOutput ? { outputSchema: prepared.sdkOutput } : {}),
            annotations: tool.annotations,
          },
          (args, sdkContext) => executeTool(prepared, args, sdkContext, scope),
        );
        registered.set(tool.name, handle);
      }
    };
    syncTools();
    const syncResources = registerResources(server, connector.resources, policyTools, scope);
    const syncPrompts = registerPrompts(server, connector.prompts, policyTools, scope);
    if (capabilities.completions) handleCompletions(server, connector.resources, connector.prompts, policyTools, scope);
    if (transport === 'http-session') {
      sessionRebinders.set(server, (authInfo) => {
        const next = principalFrom(authInfo);
        if (!next) return;
        bound.principal = next;
        bound.policy = policyFrom(authInfo) ?? runtime.policy.forPrincipal(next);
        syncTools();
        syncResources();
        syncPrompts();
      });
    }

    if (transport !== 'http') {
      // Connection-bound instances can receive subscriptions and later notifications.
      const subscriptions = new Set<string>();
      if (connector.resourceSubscriptions && request.era === 'legacy') {
        server.server.setRequestHandler('resources/subscribe', async (message) => {
          subscriptions.add(message.params.uri);
          return {};
        });
        server.server.setRequestHandler('resources/unsubscribe', async (message) => {
          subscriptions.delete(message.params.uri);
          return {};
        });
      }
      const remove = runtime.notifier.add(instanceSink(server, subscriptions, () => remove()));
      // Sessions and stdio connections end; their sink must go with them, not wait for an event.
      const previous = server.server.onclose;
      server.server.onclose = () => {
        remove();
        previous?.();
      };
    } else if (connector.resourceSubscriptions && request.era === 'legacy') {
      // A one-shot request without a session has no connection to deliver later updates on; say
      // so instead of pretending. Modern clients use subscriptions/listen, which the SDK serves.
      const refuse = async () => {
        throw new ProtocolError(
          ProtocolErrorCode.MethodNotFound,
          'resource subscriptions need a session: initialize first (Mcp-Session-Id), use stdio, or a 2026-07-28 client (subscriptions/listen)',
        );
      };
      server.server.setRequestHandler('resources/subscribe', refuse);
      server.server.setRequestHandler('resources/unsubscribe', refuse);
    }
    return server;
  };
}
