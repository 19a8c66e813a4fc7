// Step-up authorization over Streamable HTTP (MCP authorization, "Scope Challenge Handling"): a
// bearer token lacking the scopes of a tool this configuration offers gets HTTP 403 with
// `WWW-Authenticate: Bearer error="insufficient_scope", scope=..., resource_metadata=...` for a
// tools/call, from 2025-11-25 clients (with and without a session) and 2026-07-28 ones alike; the
// tool stays out of tools/list. Tools the configuration does not offer, or the policy refuses,
// stay unknown, so nothing tells which tools exist. Every challenge is audited.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { Client, InsufficientScopeError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer } from '../src/index.js';
import type { LocalIssuer } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const CHALLENGE =
  `Bearer error="insufficient_scope", error_description="the access token lacks the scopes this request needs", ` +
  `scope="items:write", resource_metadata="${METADATA_URL}"`;
const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';
const modernMeta = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };

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

async function start(argv: string[] = [], env: Record<string, string> = {}): Promise<HttpHandle> {
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  const connector = demoConnector();
  const authEnv = { BASTION_RESOURCE_URL: RESOURCE, BASTION_AUTH_ISSUERS: issuer.issuer, BASTION_AUTH_JWKS_URLS: issuer.jwksUrl };
  const config = loadConfig(connector, { argv: ['--port', '0', ...argv], env: { ...DEMO_ENV, ...authEnv, ...env } });
  handle = await serveOverHttp(await createRuntime(connector, config, { logger }));
  return handle;
}

const readToken = () => issuer.mint({ claims: { sub: 'alice', scope: 'items:read' } });

function post(token: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(handle!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
}

const legacyCall = (name: string) => ({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name, arguments: { id: 1 } } });
const modernCall = (name: string) => ({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name, arguments: { id: 1 }, _meta: modernMeta } });
const modernHeaders = (name: string) => ({ 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': name });

async function openSession(token: string): Promise<string> {
  const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 't', version: '0' } } };
  const response = await post(token, { 'mcp-protocol-version': LEGACY }, initialize);
  expect(response.status).toBe(200);
  await response.body?.cancel();
  return response.headers.get('mcp-session-id')!;
}

async function expectChallenge(response: Response): Promise<void> {
  expect(response.status).toBe(403);
  expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
  expect(await response.json()).toEqual({
    jsonrpc: '2.0',
    id: 9,
    error: { code: -32001, message: 'the access token lacks the scopes this request needs: items:write' },
  });
}

/** The JSON-RPC error text a call gets as an unknown tool (status 200), with the tool's name masked. */
async function unknownToolAnswer(response: Response, name: string): Promise<string> {
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).toContain(`Tool ${name} not found`);
  return text.replaceAll(name, 'X');
}

function auditEvents(): Record<string, unknown>[] {
  return logLines.filter((line) => line.includes('"stream":"audit"')).map((line) => (JSON.parse(line) as { audit: Record<string, unknown> }).audit);
}

describe('a token lacking the scopes of an offered tool', () => {
  it('gets 403 insufficient_scope naming them for a 2025-11-25 tools/call without a session', async () => {
    await start();
    await expectChallenge(await post(await readToken(), { 'mcp-protocol-version': LEGACY }, legacyCall('delete_item')));
  });

  it('gets 403 insufficient_scope naming them for a tools/call in a 2025-11-25 session', async () => {
    await start();
    const token = await readToken();
    const session = await openSession(token);
    await expectChallenge(await post(token, { 'mcp-protocol-version': LEGACY, 'mcp-session-id': session }, legacyCall('delete_item')));
  });

  it('gets 403 insufficient_scope naming them for a 2026-07-28 tools/call', async () => {
    await start();
    await expectChallenge(await post(await readToken(), modernHeaders('delete_item'), modernCall('delete_item')));
  });

  it('is told the scopes by the SDK client, which can step up with them', async () => {
    const { url } = await start();
    const client = new Client({ name: 't', version: '0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${await readToken()}` } }, onInsufficientScope: 'throw' }),
    );
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('delete_item');
    const refused = await client.callTool({ name: 'delete_item', arguments: { id: 1 } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InsufficientScopeError);
    expect((refused as InsufficientScopeError).requiredScope).toBe('items:write');
    expect((refused as InsufficientScopeError).resourceMetadataUrl?.href).toBe(METADATA_URL);
    await client.close();

    const stepped = await issuer.mint({ claims: { sub: 'alice', scope: 'items:read items:write' } });
    const canElicit = { ...modernMeta, 'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } } };
    const retried = await post(stepped, modernHeaders('delete_item'), { ...modernCall('delete_item'), params: { name: 'delete_item', arguments: { id: 1 }, _meta: canElicit } });
    expect(retried.status).toBe(200);
    expect(await retried.text()).toContain('Delete item 1?');
  });

  it('lets a 2025-11-25 session step up: the retried call runs in the same session, and tools/list follows the token', async () => {
    await start();
    const narrow = await issuer.mint({ claims: { sub: 'alice', scope: 'other:read' } });
    const session = await openSession(narrow);
    const headers = { 'mcp-protocol-version': LEGACY, 'mcp-session-id': session };
    const getItem = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'get_item', arguments: { id: 1 } } };
    const listTools = { jsonrpc: '2.0', id: 10, method: 'tools/list', params: {} };
    const refused = await post(narrow, headers, getItem);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="items:read"');
    await refused.body?.cancel();
    expect(await (await post(narrow, headers, listTools)).text()).not.toContain('get_item');

    const stepped = await issuer.mint({ claims: { sub: 'alice', scope: 'other:read items:read' } });
    const retried = await post(stepped, headers, getItem);
    expect(retried.status).toBe(200);
    expect(await retried.text()).toContain('item 1');
    expect(await (await post(stepped, headers, listTools)).text()).toContain('get_item');
    // A narrower token on the same session loses the tool again.
    await expectChallenge(await post(narrow, headers, legacyCall('delete_item')));
    expect(await (await post(narrow, headers, listTools)).text()).not.toContain('get_item');
  });

  it('audits the challenge as denied for insufficient scope, with the tool and request id', async () => {
    await start();
    await expectChallenge(await post(await readToken(), modernHeaders('delete_item'), modernCall('delete_item')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(auditEvents()).toEqual([
      expect.objectContaining({
        tool: 'delete_item',
        principal: `jwt:${issuer.issuer}#alice`,
        requestId: 9,
        outcome: 'denied',
        decision: 'denied by authentication: insufficient scope (403)',
        error: 'the access token lacks the scopes this request needs: items:write',
      }),
    ]);
  });

  it('leaves a request whose Mcp-Name names another tool to the HeaderMismatch refusal', async () => {
    await start();
    const response = await post(await readToken(), modernHeaders('get_item'), modernCall('delete_item'));
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/-32020/);
  });
});

describe('tools this configuration does not offer, or the policy refuses', () => {
  it.each([
    ['--tools', ['--tools', 'get_item,list_items'], {}],
    ['--read-only', ['--read-only'], {}],
    ['--toolsets', ['--toolsets', 'faults'], {}],
    ['the connector switching it off', [], { DEMO_ALLOW_DELETE: 'false' }],
  ])('stay unknown tools when filtered by %s, answered exactly like a nonexistent one', async (_label, argv, env) => {
    await start(argv, env);
    const token = await readToken();
    for (const [headers, call] of [
      [{ 'mcp-protocol-version': LEGACY }, legacyCall],
      [modernHeaders('delete_item'), modernCall],
    ] as const) {
      const filtered = await unknownToolAnswer(await post(token, headers, call('delete_item')), 'delete_item');
      const nonexistentHeaders = 'mcp-name' in headers ? modernHeaders('no_such_tool') : headers;
      const nonexistent = await unknownToolAnswer(await post(token, nonexistentHeaders, call('no_such_tool')), 'no_such_tool');
      expect(filtered).toBe(nonexistent);
    }
  });

  it('stay unknown when the policy or the request headers refuse them, whatever the scopes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-policy-'));
    writeFileSync(join(dir, 'policy.yaml'), 'version: 1\ndefault:\n  tools:\n    deny: [delete_item]\n');
    await start([], { BASTION_POLICY: join(dir, 'policy.yaml') });
    const token = await readToken();
    await unknownToolAnswer(await post(token, modernHeaders('delete_item'), modernCall('delete_item')), 'delete_item');
    await handle!.close();

    await start();
    const narrowed = { ...modernHeaders('delete_item'), 'x-bastion-tools': 'get_item' };
    await unknownToolAnswer(await post(token, narrowed, modernCall('delete_item')), 'delete_item');
  });

  it('never challenge a nonexistent tool, even for a token lacking every scope', async () => {
    await start();
    const token = await issuer.mint({ claims: { sub: 'alice', scope: 'items:read' } });
    await unknownToolAnswer(await post(token, modernHeaders('no_such_tool'), modernCall('no_such_tool')), 'no_such_tool');
  });
});
