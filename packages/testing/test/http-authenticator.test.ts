import type { HttpAuthenticator } from '@bastion-mcp/auth';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

let handle: HttpHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

/** Accepts `Authorization: Key reader` (items:read) and `Key writer` (everything); nothing else. */
const keys: HttpAuthenticator = {
  name: 'test-keys',
  async authenticate(request) {
    const header = request.headers.authorization;
    if (header === 'Key reader') return { ok: true, principal: { id: 'reader', kind: 'api-key', scopes: ['items:read'] } };
    if (header === 'Key writer') return { ok: true, principal: { id: 'writer', kind: 'api-key', scopes: ['*'] } };
    return { ok: false, status: 401, message: 'a valid key is required', headers: { 'www-authenticate': 'Key' } };
  },
};

async function start(): Promise<{ url: string; audit: () => string[] }> {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }),
  });
  const connector = demoConnector();
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: DEMO_ENV }), { logger });
  handle = await serveOverHttp(runtime, { authenticator: keys });
  return { url: handle.url, audit: () => lines.filter((line) => line.includes('"stream":"audit"')) };
}

async function connect(url: string, key: string, era: 'legacy' | 'modern'): Promise<Client> {
  const client = new Client({ name: 't', version: '0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: key } } }));
  return client;
}

describe('the HTTP authenticator slot', () => {
  it('refuses a request without valid credentials before any MCP handling, with its status and challenge', async () => {
    const { url } = await start();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Key');
    expect(await response.json()).toMatchObject({ error: { message: 'a valid key is required' } });
  });

  it.each(['legacy', 'modern'] as const)('hands the principal to the tools and the audit (%s client)', async (era) => {
    const { url, audit } = await start();
    const reader = await connect(url, 'Key reader', era);
    const names = (await reader.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('get_item');
    expect(names).not.toContain('delete_item');
    await reader.callTool({ name: 'get_item', arguments: { id: 1 } });
    const writer = await connect(url, 'Key writer', era);
    expect((await writer.listTools()).tools.map((tool) => tool.name)).toContain('delete_item');
    await Promise.all([reader.close(), writer.close()]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(audit().some((line) => line.includes('"principal":"reader"') && line.includes('"tool":"get_item"'))).toBe(true);
  });

  it('keeps a 2025 session to the principal that opened it', async () => {
    const { url } = await start();
    const reader = await connect(url, 'Key reader', 'legacy');
    const sessionId = (reader.transport as StreamableHTTPClientTransport).sessionId;
    expect(sessionId).toBeTruthy();
    const hijack = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: 'Key writer',
        'mcp-session-id': sessionId!,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(404);
    await reader.close();
  });
});
