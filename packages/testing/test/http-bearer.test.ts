// Bearer authentication configured from the shared settings, end to end over Streamable HTTP: a
// real local issuer (jose keys, a JWKS on 127.0.0.1) mints the tokens; the connector is the demo
// one. What a client sees: challenges, protected resource metadata, the tools its scopes allow,
// 403 for a token that grants nothing here, API keys, CORS, and every refusal before any tool runs.
import { Writable } from 'node:stream';
import { hashApiKey, generateApiKey } from '@bastion-mcp/auth';
import { ConfigError, createRuntime, loadConfig } from '@bastion-mcp/core';
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

const authEnv = () => ({ BASTION_RESOURCE_URL: RESOURCE, BASTION_AUTH_ISSUERS: issuer.issuer, BASTION_AUTH_JWKS_URLS: issuer.jwksUrl });

async function start(env: Record<string, string> = authEnv(), argv: string[] = []): Promise<string> {
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  const connector = demoConnector();
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0', ...argv], env: { ...DEMO_ENV, ...env } }), { logger });
  handle = await serveOverHttp(runtime);
  return handle.url;
}

const listTools = (token?: string, url = handle!.url, extra: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 't', version: '0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

describe('bearer JWTs from the settings', () => {
  it('challenges a request without a token, pointing at the metadata it serves', async () => {
    const url = await start();
    const response = await listTools();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"');
    const base = new URL(url).origin;
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const metadata = await fetch(`${base}${path}`);
      expect(metadata.status).toBe(200);
      expect(await metadata.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['items:read', 'items:write'],
        bearer_methods_supported: ['header'],
        resource_name: expect.any(String),
      });
    }
  });

  it('shows a token only the tools its scopes allow, challenges a call to one it lacks the scopes for, and refuses unknown ones', async () => {
    const url = await start();
    const client = await connect(url, await issuer.mint({ claims: { scope: 'items:read' } }));
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('get_item');
    expect(names).not.toContain('delete_item');
    await client.callTool({ name: 'get_item', arguments: { id: 1 } });
    const refused = await client.callTool({ name: 'delete_item', arguments: { id: 1 } }).catch((error: unknown) => error as Error);
    const unknown = await client.callTool({ name: 'no_such_tool', arguments: {} }).catch((error: unknown) => error as Error);
    const text = (value: unknown) => (value instanceof Error ? value.message : JSON.stringify(value));
    expect(text(refused)).toMatch(/insufficient scope.*items:write/i);
    expect(text(unknown)).toMatch(/Tool no_such_tool not found/);
    await client.close();
    await new Promise((resolve) => setImmediate(resolve));
    const events = assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"')));
    expect(events.map((event) => [event.tool, event.principal, event.outcome])).toContainEqual(['get_item', `jwt:${issuer.issuer}#alice`, 'ok']);
  });

  it('answers a valid token that grants nothing here with 403 insufficient_scope naming the scopes', async () => {
    await start(authEnv(), ['--tools', 'get_item,delete_item']);
    const response = await listTools(await issuer.mint({ claims: { scope: 'other:read' } }));
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer error="insufficient_scope"/);
    expect(challenge).toContain('scope="items:read items:write"');
    expect(challenge).toContain('resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"');
  });

  it.each([
    ['expired', { claims: { exp: Math.floor(Date.now() / 1000) - 600 } }],
    ['for another audience', { claims: { aud: 'https://other.example.com/mcp' } }],
    ['from another issuer', { claims: { iss: 'https://evil.example.com' } }],
  ])('refuses a token %s with 401 invalid_token, before any tool runs', async (_label, mint) => {
    await start();
    const token = await issuer.mint(mint);
    const response = await listTools(token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await response.text()).not.toContain(token);
  });

  it('refuses a token in the query string', async () => {
    const url = await start();
    const token = await issuer.mint();
    const response = await listTools(undefined, `${url}?access_token=${token}`);
    expect([400, 401]).toContain(response.status);
    expect(await response.text()).not.toContain(token);
  });

  it('audits every refused credential with the peer address, the tool named and the reason, never the token', async () => {
    await start(authEnv(), ['--tools', 'get_item,delete_item']);
    const expired = await issuer.mint({ claims: { exp: Math.floor(Date.now() / 1000) - 600 } });
    const grantsNothing = await issuer.mint({ claims: { sub: 'mallory', scope: 'other:read' } });
    expect((await listTools()).status).toBe(401);
    expect((await listTools(expired, handle!.url, { 'mcp-method': 'tools/call', 'mcp-name': 'delete_item' })).status).toBe(401);
    expect((await listTools(grantsNothing)).status).toBe(403);
    await new Promise((resolve) => setImmediate(resolve));
    const events = assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"')));
    expect(events).toEqual([
      expect.objectContaining({ principal: 'unauthenticated', tool: '', outcome: 'denied', decision: 'denied by authentication (401)', remoteAddress: '127.0.0.1' }),
      expect.objectContaining({ principal: 'unauthenticated', tool: 'delete_item', decision: 'denied by authentication (401)', error: expect.stringMatching(/expired/) }),
      expect.objectContaining({ principal: `jwt:${issuer.issuer}#mallory`, clientId: 'client-1', decision: 'denied by authentication: insufficient scope (403)' }),
    ]);
    const text = logLines.join('');
    for (const token of [expired, grantsNothing]) expect(text).not.toContain(token.split('.')[2]);
  });

  it('never hands the token to the connector: the principal holds no credential', async () => {
    const url = await start();
    const token = await issuer.mint({ claims: { scope: 'items:read' } });
    const client = await connect(url, token);
    await client.callTool({ name: 'get_item', arguments: { id: 1 } });
    await client.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(logLines.join('')).not.toContain(token);
  });
});

describe('API keys from the settings', () => {
  it('accepts a configured key as its named principal, and refuses another', async () => {
    const key = generateApiKey();
    const url = await start({ BASTION_RESOURCE_URL: RESOURCE, BASTION_API_KEYS: `ci-bot:${hashApiKey(key)}:items:read` });
    const client = await connect(url, key);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('list_items');
    await client.callTool({ name: 'list_items', arguments: {} });
    await client.close();
    expect((await listTools(generateApiKey())).status).toBe(401);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logLines.some((line) => line.includes('"principal":"apikey:ci-bot"'))).toBe(true);
    expect(logLines.join('')).not.toContain(key);
  });
});

describe('authentication settings', () => {
  const problems = (env: Record<string, string>, argv: string[] = []) => {
    try {
      loadConfig(demoConnector(), { argv, env: { ...DEMO_ENV, ...env } });
      return [];
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      return error.problems.map((problem) => `${problem.setting}: ${problem.message}`);
    }
  };

  it('names every missing or inconsistent setting at once', () => {
    const found = problems({ BASTION_AUTH_ISSUERS: 'https://idp.example.com,https://other.example.com', BASTION_AUTH_JWKS_URLS: 'https://idp.example.com/jwks', BASTION_API_KEYS: 'broken-entry' });
    expect(found).toEqual([
      expect.stringMatching(/BASTION_RESOURCE_URL: required with authentication/),
      expect.stringMatching(/BASTION_AUTH_JWKS_URLS: give one JWKS URL per issuer/),
      expect.stringMatching(/BASTION_API_KEYS: entry 1 is not name:sha256-hex:scopes/),
    ]);
    expect(found.join('\n')).not.toContain('broken-entry');
  });

  it('lets a non-loopback bind start once authentication is configured, and not before', () => {
    expect(problems({}, ['--transport', 'http', '--host', '0.0.0.0'])).toEqual([expect.stringMatching(/no authentication is configured/)]);
    expect(problems({ ...authEnv() }, ['--transport', 'http', '--host', '0.0.0.0'])).toEqual([]);
  });

  it('warns at every start without authentication on --insecure-no-auth', async () => {
    await start({}, ['--insecure-no-auth']);
    expect(logLines.some((line) => line.includes('WITHOUT AUTHENTICATION'))).toBe(true);
  });
});

describe('CORS', () => {
  it('is off by default and answers a configured origin only', async () => {
    const url = await start({}, []);
    const preflight = (origin: string) =>
      fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    await handle!.close();
    const corsUrl = await start({ BASTION_CORS_ORIGINS: 'https://app.example.com' });
    const allowed = await fetch(corsUrl, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await fetch(corsUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await listTools(undefined, corsUrl, { origin: 'https://evil.example.com' })).status).toBe(403);
  });
});
