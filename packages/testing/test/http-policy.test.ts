// The policy file and the call limits, end to end: over Streamable HTTP with tokens from a real
// local issuer (tool visibility, argument constraints, header narrowing, 429 with Retry-After per
// principal, concurrency, replicas sharing their budget through a real redis-server), and over
// an in-memory connection, where the same limits answer as tool errors. Every decision is audited.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_PASSWORD, assertAuditEvents, createTestClient, findRedisServer, freePort, startLocalIssuer, startRedis, textOf } from '../src/index.js';
import type { LocalIssuer, RedisProcess } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
let issuer: LocalIssuer;
const handles: HttpHandle[] = [];
let logLines: string[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer({ resource: RESOURCE });
});
afterAll(async () => {
  await issuer?.close();
});
afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
  logLines = [];
});

const authEnv = () => ({ BASTION_RESOURCE_URL: RESOURCE, BASTION_AUTH_ISSUERS: issuer.issuer, BASTION_AUTH_JWKS_URLS: issuer.jwksUrl });

function policyFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bastion-policy-')), 'policy.yaml');
  writeFileSync(path, text);
  return path;
}

async function start(env: Record<string, string>, connector = demoConnector()): Promise<string> {
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: { ...DEMO_ENV, ...authEnv(), ...env } }), { logger });
  const handle = await serveOverHttp(runtime);
  handles.push(handle);
  return handle.url;
}

async function connect(url: string, sub: string, scope = 'items:read items:write', headers: Record<string, string> = {}): Promise<Client> {
  const token = await issuer.mint({ claims: { sub, scope } });
  const client = new Client({ name: 't', version: '0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } } }));
  return client;
}

async function rawCall(url: string, sub: string, name: string, args: Record<string, unknown> = {}): Promise<Response> {
  const token = await issuer.mint({ claims: { sub } });
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } }),
  });
}

/** Every event recorded so far, each checked against the published schema. */
const auditEvents = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"'))) as unknown as Record<string, unknown>[];
};

describe('the policy file', () => {
  const POLICY = `
version: 1
rules:
  - name: support
    match: { principal: "support-*" }
    tools: { allow: [get_item, list_items] }
    arguments:
      get_item: { id: [1, 2] }
  - name: auditors
    match: { principal: auditor }
    readOnly: true
`;

  it('shows a principal only what its rules allow, whatever its scopes', async () => {
    const url = await start({ BASTION_POLICY: policyFile(POLICY) });
    const support = await connect(url, 'support-anna');
    expect((await support.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['get_item', 'list_items']);
    const auditor = await connect(url, 'auditor');
    const names = (await auditor.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('get_item');
    expect(names).not.toContain('delete_item');
    // No rule matches, and the file has no default: nothing.
    const stranger = await connect(url, 'mallory');
    expect((await stranger.listTools()).tools).toEqual([]);
    await Promise.all([support.close(), auditor.close(), stranger.close()]);
  });

  it('holds calls to the argument constraints, naming the argument, and audits the rule', async () => {
    const url = await start({ BASTION_POLICY: policyFile(POLICY) });
    const support = await connect(url, 'support-anna');
    expect((await support.callTool({ name: 'get_item', arguments: { id: 1 } })).isError).toBeFalsy();
    const refused = await support.callTool({ name: 'get_item', arguments: { id: 3 } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/get_item is not allowed here: .*`?id`?/);
    await support.close();
    const events = await auditEvents();
    expect(events.find((event) => event.outcome === 'ok')).toMatchObject({ principal: `jwt:${issuer.issuer}#support-anna`, decision: expect.stringMatching(/^allowed by .*support/) });
    expect(events.find((event) => event.outcome === 'denied')).toMatchObject({ principal: `jwt:${issuer.issuer}#support-anna`, tool: 'get_item', decision: expect.stringMatching(/^denied by .*support/) });
  });

  it('audits a call to a tool the principal cannot see, and answers it as unknown', async () => {
    const url = await start({ BASTION_POLICY: policyFile(POLICY) });
    const response = await rawCall(url, 'support-anna', 'delete_item', { id: 1 });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/Tool delete_item not found/);
    expect((await auditEvents()).find((event) => event.tool === 'delete_item')).toMatchObject({ outcome: 'denied', principal: `jwt:${issuer.issuer}#support-anna`, decision: expect.stringMatching(/not visible/) });
  });

  it('is narrowed by request headers, never widened', async () => {
    const url = await start({ BASTION_POLICY: policyFile(POLICY) });
    const narrowed = await connect(url, 'support-anna', undefined, { 'x-bastion-tools': 'get_item,delete_item' });
    expect((await narrowed.listTools()).tools.map((tool) => tool.name)).toEqual(['get_item']);
    await narrowed.close();
    const token = await issuer.mint({ claims: { sub: 'support-anna' } });
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, 'x-bastion-read-only': 'maybe' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toMatch(/x-bastion-read-only/);
  });

  it('refuses to start on a policy naming a tool the connector does not have', async () => {
    const connector = demoConnector();
    const loaded = loadConfig(connector, { argv: [], env: { ...DEMO_ENV, BASTION_POLICY: policyFile('version: 1\ndefault:\n  tools: { deny: [delete_itme] }\n') } });
    await expect(createRuntime(connector, loaded)).rejects.toThrow(/delete_itme/);
  });
});

describe('call limits over HTTP', () => {
  it('answers 429 with Retry-After past a principal\'s rate, leaving other principals alone', async () => {
    const url = await start({ BASTION_RATE_LIMIT: '3/min' });
    const statuses: number[] = [];
    for (let call = 0; call < 4; call += 1) statuses.push((await rawCall(url, 'alice', 'list_items')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await rawCall(url, 'alice', 'list_items');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ id: 7, error: { data: { retryAfterSeconds: expect.any(Number) } } });
    expect((await rawCall(url, 'bob', 'list_items')).status).toBe(200);
    expect((await auditEvents()).some((event) => event.outcome === 'denied' && event.decision === 'denied by rate:principal')).toBe(true);
  });

  it('limits the calls a principal has running at once', async () => {
    const url = await start({ BASTION_MAX_IN_FLIGHT: '1' });
    const slow = rawCall(url, 'alice', 'slow_count', { to: 30 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await rawCall(url, 'alice', 'list_items')).status).toBe(429);
    expect((await rawCall(url, 'bob', 'list_items')).status).toBe(200);
    expect((await slow).status).toBe(200);
    expect((await rawCall(url, 'alice', 'list_items')).status).toBe(200);
  });

  describe('replicas sharing one Redis', () => {
    let redis: RedisProcess;
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bastion-redis-'));
      redis = await startRedis(findRedisServer(), await freePort(), dir);
    });
    afterAll(async () => {
      await redis?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('share each principal\'s budget', async () => {
      const env = { BASTION_RATE_LIMIT: '4/min', BASTION_REDIS_URL: `redis://:${TEST_REDIS_PASSWORD}@127.0.0.1:${redis.port}` };
      const [first, second] = [await start(env), await start(env)];
      const statuses: number[] = [];
      for (let call = 0; call < 6; call += 1) statuses.push((await rawCall(call % 2 === 0 ? first : second, 'carol', 'list_items')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    });

    it('share each principal\'s in-flight limit', async () => {
      const env = { BASTION_MAX_IN_FLIGHT: '1', BASTION_REDIS_URL: `redis://:${TEST_REDIS_PASSWORD}@127.0.0.1:${redis.port}` };
      const [first, second] = [await start(env), await start(env)];
      const slow = rawCall(first, 'erin', 'slow_count', { to: 30 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await rawCall(second, 'erin', 'list_items');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await rawCall(second, 'frank', 'list_items')).status).toBe(200);
      expect((await slow).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await rawCall(second, 'erin', 'list_items')).status).toBe(200);
      expect((await auditEvents()).some((event) => event.principal === `jwt:${issuer.issuer}#erin` && event.decision === 'denied by concurrency')).toBe(true);
    });

    it('keep one budget per connector: a caller limited on one is not limited on another', async () => {
      const env = { BASTION_RATE_LIMIT: '2/min', BASTION_REDIS_URL: `redis://:${TEST_REDIS_PASSWORD}@127.0.0.1:${redis.port}` };
      const demo = await start(env);
      const other = await start(env, { ...demoConnector(), name: 'other-demo' });
      const statuses: number[] = [];
      for (let call = 0; call < 3; call += 1) statuses.push((await rawCall(demo, 'dave', 'list_items')).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect((await rawCall(other, 'dave', 'list_items')).status).toBe(200);
    });
  });
});

describe('call limits in memory (stdio and in-process)', () => {
  it('answer as a tool error saying when to retry', async () => {
    const session = await createTestClient(demoConnector(), { env: { ...DEMO_ENV, BASTION_RATE_LIMIT: '2/min' } });
    try {
      expect((await session.callTool('list_items', {})).isError).toBeFalsy();
      expect((await session.callTool('list_items', {})).isError).toBeFalsy();
      const limited = await session.callTool('list_items', {});
      expect(limited.isError).toBe(true);
      expect(textOf(limited)).toMatch(/retry|try again/i);
    } finally {
      await session.close();
    }
  });
});
