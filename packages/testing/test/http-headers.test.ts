// The 2026-07-28 request headers over Streamable HTTP: a gateway may route on Mcp-Method,
// Mcp-Name and MCP-Protocol-Version, so a request whose headers disagree with its body must be
// refused (HeaderMismatch, -32020) before anything runs, and an unsupported version is refused.
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const MODERN = '2026-07-28';
let handle: HttpHandle;

beforeAll(async () => {
  const connector = demoConnector();
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: DEMO_ENV }));
  handle = await serveOverHttp(runtime);
});
afterAll(async () => {
  await handle?.close();
});

const meta = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };

function post(headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(handle.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

const deleteCall = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_item', arguments: { id: 1 }, _meta: meta } };

describe('2026-07-28 request headers', () => {
  it('accepts headers that match the body', async () => {
    const response = await post({ 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' }, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } });
    expect(response.status).toBe(200);
  });

  it.each([
    ['Mcp-Method names another method', { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list', 'mcp-name': 'delete_item' }],
    ['Mcp-Name names another tool', { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'get_item' }],
    ['MCP-Protocol-Version differs from _meta', { 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/call', 'mcp-name': 'delete_item' }],
  ])('refuses a request whose %s, with HeaderMismatch', async (_label, headers) => {
    const response = await post(headers, deleteCall);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toMatch(/-32020/);
    expect(text).not.toMatch(/"result"/);
  });

  it('refuses an unsupported protocol version, listing the supported ones', async () => {
    const response = await post(
      { 'mcp-protocol-version': '1999-01-01', 'mcp-method': 'tools/list' },
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { ...meta, 'io.modelcontextprotocol/protocolVersion': '1999-01-01' } } },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/2026-07-28/);
  });
});
