// Audit events over Streamable HTTP with bearer tokens from a real local issuer: the OAuth client
// id from the token and the client's own declaration (initialize on a 2025-11-25 session, the
// request's _meta on 2026-07-28), every event checked against packages/logging/audit-event.schema.json.
import { Writable } from 'node:stream';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertAuditEvents, startLocalIssuer } from '../src/index.js';
import type { LocalIssuer } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
let issuer: LocalIssuer;
let handle: HttpHandle | undefined;
let logLines: string[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer({ resource: RESOURCE });
});
afterAll(async () => {
  await issuer?.close();
});
afterEach(async () => {
  await handle?.close();
  handle = undefined;
  logLines = [];
});

async function start(env: Record<string, string> = {}): Promise<string> {
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  const connector = demoConnector();
  const authEnv = { BASTION_RESOURCE_URL: RESOURCE, BASTION_AUTH_ISSUERS: issuer.issuer, BASTION_AUTH_JWKS_URLS: issuer.jwksUrl };
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: { ...DEMO_ENV, ...authEnv, ...env } }), { logger });
  handle = await serveOverHttp(runtime);
  return handle.url;
}

async function connect(url: string, era: 'legacy' | 'modern'): Promise<Client> {
  const token = await issuer.mint({ claims: { sub: 'dana', scope: 'items:read', client_id: 'desk-app' } });
  const client = new Client({ name: 'desk-agent', version: '4.5.6' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

const auditEvents = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"')));
};

describe('audit events over HTTP', () => {
  it.each(['legacy', 'modern'] as const)('name the OAuth client, the declared client and the server (%s client)', async (era) => {
    const url = await start();
    const client = await connect(url, era);
    await client.callTool({ name: 'get_item', arguments: { id: 2 } });
    await client.callTool({ name: 'get_item', arguments: { id: 999 } });
    await client.close();
    const events = await auditEvents();
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event).toMatchObject({
        connector: 'demo',
        server: { name: 'bastion-demo', version: '1.0.0' },
        principal: `jwt:${issuer.issuer}#dana`,
        clientId: 'desk-app',
        client: { name: 'desk-agent', version: '4.5.6' },
        transport: 'http',
      });
    }
    expect(events.map((event) => [event.outcome, event.reason])).toEqual([
      ['ok', undefined],
      ['refused', 'tool_error'],
    ]);
  });

  it('record a call refused at the HTTP layer in the same shape, with its decision', async () => {
    const url = await start({ BASTION_RATE_LIMIT: '1/min' });
    const client = await connect(url, 'modern');
    await client.callTool({ name: 'get_item', arguments: { id: 1 } });
    await expect(client.callTool({ name: 'get_item', arguments: { id: 1 } })).rejects.toThrow();
    await client.close();
    const [allowed, limited] = await auditEvents();
    expect(limited).toMatchObject({ outcome: 'denied', decision: 'denied by rate:principal', principal: `jwt:${issuer.issuer}#dana`, clientId: 'desk-app', tool: 'get_item' });
    expect(limited?.argsDigest).toBe(allowed?.argsDigest);
  });
});
