// Pathologically nested JSON bodies over Streamable HTTP: 100,000 levels of `[` or `{"a":` once
// overflowed the stack inside the SDK's request conversion (HTTP 500). They are refused with 400 and
// a JSON-RPC parse error naming the bound, with and without bearer authentication, for 2025-11-25
// requests (with and without a session) and 2026-07-28 ones, and the server goes on serving.
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { MAX_JSON_DEPTH } from '@bastion-mcp/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer } from '../src/index.js';
import type { LocalIssuer } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const LEVELS = 100_000;
const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';
const modernMeta = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };

let issuer: LocalIssuer;
const servers: Record<'without auth' | 'with bearer auth', { handle: HttpHandle; token?: string }> = {} as never;

async function serve(env: Record<string, string>) {
  const connector = demoConnector();
  return serveOverHttp(await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: { ...DEMO_ENV, ...env } })));
}

beforeAll(async () => {
  issuer = await startLocalIssuer({ resource: RESOURCE });
  servers['without auth'] = { handle: await serve({}) };
  servers['with bearer auth'] = {
    handle: await serve({ BASTION_RESOURCE_URL: RESOURCE, BASTION_AUTH_ISSUERS: issuer.issuer, BASTION_AUTH_JWKS_URLS: issuer.jwksUrl }),
    token: await issuer.mint({ claims: { scope: 'items:read items:write' } }),
  };
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.handle.close()));
  await issuer?.close();
});

const deepArrays = '['.repeat(LEVELS) + ']'.repeat(LEVELS);
const deepObjects = '{"a":'.repeat(LEVELS) + '1' + '}'.repeat(LEVELS);
const deepArguments = (meta?: object) =>
  `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_item",${meta ? `"_meta":${JSON.stringify(meta)},` : ''}"arguments":{"id":${deepArrays}}}}`;

function post(server: { handle: HttpHandle; token?: string }, headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(server.handle.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(server.token ? { authorization: `Bearer ${server.token}` } : {}),
      ...headers,
    },
    body,
    // Generous: the answer is expected at once, but a loaded machine must not fail the test.
    signal: AbortSignal.timeout(5_000),
  });
}

async function openSession(server: { handle: HttpHandle; token?: string }): Promise<string> {
  const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 't', version: '0' } } };
  const response = await post(server, { 'mcp-protocol-version': LEGACY }, JSON.stringify(initialize));
  expect(response.status).toBe(200);
  await response.body?.cancel();
  const id = response.headers.get('mcp-session-id');
  expect(id).toBeTruthy();
  return id!;
}

async function expectNestingRefused(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
  expect(body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.any(String) } });
  expect(body.error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
}

/** A normal tools/call still gets its answer. */
async function expectStillServes(server: { handle: HttpHandle; token?: string }): Promise<void> {
  const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_item', arguments: { id: 1 }, _meta: modernMeta } };
  const response = await post(server, { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'get_item' }, JSON.stringify(call));
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).toContain('"result"');
  expect(text).not.toContain('"isError":true');
}

describe.each(['without auth', 'with bearer auth'] as const)('a body nested %d levels deep, %s', (label) => {
  it.each([
    ['arrays', deepArrays],
    ['objects', deepObjects],
    ['tool arguments', deepArguments()],
  ])('is refused with 400 and a parse error naming the bound: %s, 2025-11-25 without a session', async (_kind, body) => {
    const server = servers[label];
    await expectNestingRefused(await post(server, { 'mcp-protocol-version': LEGACY }, body));
    await expectStillServes(server);
  });

  it.each([
    ['arrays', deepArrays],
    ['tool arguments', deepArguments()],
  ])('is refused with 400 and a parse error naming the bound: %s, 2025-11-25 in a session', async (_kind, body) => {
    const server = servers[label];
    const session = await openSession(server);
    await expectNestingRefused(await post(server, { 'mcp-protocol-version': LEGACY, 'mcp-session-id': session }, body));
    await expectStillServes(server);
  });

  it.each([
    ['objects', deepObjects],
    ['tool arguments', deepArguments(modernMeta)],
  ])('is refused with 400 and a parse error naming the bound: %s, 2026-07-28', async (_kind, body) => {
    const server = servers[label];
    const headers = { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'get_item' };
    await expectNestingRefused(await post(server, headers, body));
    await expectStillServes(server);
  });

  it(`still takes a body nested exactly ${MAX_JSON_DEPTH} levels deep`, async () => {
    const server = servers[label];
    const inner = MAX_JSON_DEPTH - 3;
    const body = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_item","arguments":{"id":${'['.repeat(inner)}${']'.repeat(inner)}}}}`;
    const response = await post(server, { 'mcp-protocol-version': LEGACY }, body);
    expect(response.status).toBe(200);
    // The tool's own input checks answer it, not the transport.
    expect(await response.text()).not.toContain('-32700');
  });
});
