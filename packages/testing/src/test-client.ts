import { Writable } from 'node:stream';
import type { Principal } from '@bastion-mcp/auth';
import { InMemoryTransport, createRuntime, loadConfig, serveOverTransport } from '@bastion-mcp/core';
import type { Connector, Runtime } from '@bastion-mcp/core';
import { createLogger } from '@bastion-mcp/logging';
import type { AuditEvent } from '@bastion-mcp/logging';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/client';

export interface TestClientOptions {
  /** Environment the connector reads its settings from (nothing leaks in from process.env). */
  env?: Record<string, string>;
  argv?: string[];
  /** The caller, as HTTP authentication would set it; defaults to the local stdio user. */
  principal?: Principal;
  capabilities?: ClientCapabilities;
  /** Protocol era: `legacy` (2025-11-25 initialize) or `modern` (pinned 2026-07-28). */
  era?: 'legacy' | 'modern';
}

export interface TestClient {
  readonly client: Client;
  readonly runtime: Runtime<unknown>;
  /** Every log line the server wrote (JSON), audit events included. */
  readonly logs: string[];
  callTool(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** The audit events written so far (they are written just after each call's response). */
  auditEvents(): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

function collectingStream(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line);
      callback();
    },
  });
}

/**
 * Runs the connector in this process behind an in-memory transport and connects a real SDK
 * client to it: the same config loading, runtime, era handling and result mapping as the bin.
 */
export async function createTestClient<Ctx>(
  connector: Connector<Ctx>,
  options: TestClientOptions = {},
): Promise<TestClient> {
  const logs: string[] = [];
  const loaded = loadConfig(connector as Connector<unknown>, {
    argv: options.argv ?? [],
    env: { LOG_LEVEL: 'debug', ...options.env },
  });
  const logger = createLogger({
    name: `bastion-${connector.name}`,
    level: loaded.core.logLevel,
    destination: collectingStream(logs),
  });
  const runtime = await createRuntime(connector, loaded, { logger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const served = serveOverTransport(runtime, serverSide, options.principal);
  const client = new Client(
    { name: 'bastion-test-client', version: '0.0.0' },
    {
      capabilities: options.capabilities ?? {},
      ...(options.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  await client.connect(clientSide);
  return {
    client,
    runtime: runtime as unknown as Runtime<unknown>,
    logs,
    callTool: (name, args = {}) => client.callTool({ name, arguments: args }),
    async auditEvents() {
      await new Promise((resolve) => setImmediate(resolve));
      return logs
        .map((line) => JSON.parse(line) as { audit?: AuditEvent })
        .flatMap((record) => (record.audit ? [record.audit] : []));
    },
    async close() {
      await client.close();
      await served.close();
      await runtime.close();
    },
  };
}

/** The text of a result's first text block. */
export function textOf(result: CallToolResult): string {
  const block = result.content.find((item) => item.type === 'text');
  return block && block.type === 'text' ? block.text : '';
}
