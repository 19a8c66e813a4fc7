// 2025-11-25 HTTP sessions shared fairly between principals: each principal holds at most
// BASTION_MAX_SESSIONS_PER_PRINCIPAL sessions, at its cap its least recently used idle session
// makes way for the new one (refused only when all of them are in use), so no principal can lock
// the others out of the session table; and opening a session spends the principal's rate budget.
import { Writable } from 'node:stream';
import { generateApiKey, hashApiKey } from '@bastion-mcp/auth';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { afterEach, describe, expect, it } from 'vitest';
import { assertAuditEvents } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const handles: HttpHandle[] = [];
const streams: AbortController[] = [];
let logLines: string[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.abort();
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
  logLines = [];
});

const keys = { mallory: generateApiKey(), alice: generateApiKey(), bob: generateApiKey() };
const apiKeys = Object.entries(keys)
  .map(([name, key]) => `${name}:${hashApiKey(key)}:items:read`)
  .join(',');

async function start(env: Record<string, string>): Promise<string> {
  const connector = demoConnector();
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  const config = loadConfig(connector, {
    argv: ['--port', '0'],
    env: { ...DEMO_ENV, BASTION_RESOURCE_URL: RESOURCE, BASTION_API_KEYS: apiKeys, ...env },
  });
  const runtime = await createRuntime(connector, config, { logger });
  const handle = await serveOverHttp(runtime);
  handles.push(handle);
  return handle.url;
}

const auditEvents = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"'))) as unknown as Record<string, unknown>[];
};

type Caller = keyof typeof keys;

function headers(caller: Caller, sessionId?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25',
    authorization: `Bearer ${keys[caller]}`,
    ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
  };
}

/** Opens a session; its id, or the refusal's status. */
async function open(url: string, caller: Caller): Promise<{ status: number; sessionId: string | undefined }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: headers(caller),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } },
    }),
  });
  await response.body?.cancel();
  const sessionId = response.headers.get('mcp-session-id') ?? undefined;
  if (sessionId) {
    const initialized = await fetch(url, { method: 'POST', headers: headers(caller, sessionId), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    await initialized.body?.cancel();
  }
  return { status: response.status, sessionId };
}

/** A tools/list within the session: 200 while it exists, 404 once it is gone. */
async function use(url: string, caller: Caller, sessionId: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: headers(caller, sessionId), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
  await response.body?.cancel();
  return response.status;
}

/** Keeps the session in use: its GET stream stays open until the test ends. */
async function listen(url: string, caller: Caller, sessionId: string): Promise<void> {
  const controller = new AbortController();
  streams.push(controller);
  const response = await fetch(url, { method: 'GET', headers: { ...headers(caller, sessionId), accept: 'text/event-stream' }, signal: controller.signal });
  expect(response.status).toBe(200);
}

describe('2025-11-25 sessions per principal', () => {
  it('keeps one principal from taking every session slot: others can still open sessions', async () => {
    const url = await start({ BASTION_MAX_SESSIONS: '4', BASTION_MAX_SESSIONS_PER_PRINCIPAL: '2' });
    const opened: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      const session = await open(url, 'mallory');
      expect(session.status).toBe(200);
      opened.push(session.sessionId!);
    }
    for (const caller of ['alice', 'bob'] as const) {
      const session = await open(url, caller);
      expect(session.status).toBe(200);
      expect(await use(url, caller, session.sessionId!)).toBe(200);
    }
    // Only mallory's two most recent sessions survive; the older ones made way, oldest first.
    const statuses = await Promise.all(opened.map((id) => use(url, 'mallory', id)));
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 200, 200]);
  });

  it('closes the least recently used idle session of the principal at its cap, never another principal\'s', async () => {
    const url = await start({ BASTION_MAX_SESSIONS_PER_PRINCIPAL: '3' });
    const alices = await open(url, 'alice');
    const first = await open(url, 'mallory');
    const second = await open(url, 'mallory');
    const third = await open(url, 'mallory');
    expect(await use(url, 'mallory', first.sessionId!)).toBe(200); // second is now the least recently used
    const fourth = await open(url, 'mallory');
    expect(fourth.status).toBe(200);
    expect(await use(url, 'mallory', second.sessionId!)).toBe(404);
    for (const kept of [first, third, fourth]) expect(await use(url, 'mallory', kept.sessionId!)).toBe(200);
    expect(await use(url, 'alice', alices.sessionId!)).toBe(200);
  });

  it('refuses a new session with 429 only when every session of the principal is in use', async () => {
    const url = await start({ BASTION_MAX_SESSIONS_PER_PRINCIPAL: '2' });
    const first = await open(url, 'mallory');
    const second = await open(url, 'mallory');
    await listen(url, 'mallory', first.sessionId!);
    await listen(url, 'mallory', second.sessionId!);
    const refused = await fetch(url, {
      method: 'POST',
      headers: headers('mallory'),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Too many open sessions for this caller \(2\), all of them in use/);
    expect(await use(url, 'mallory', first.sessionId!)).toBe(200);
    expect((await open(url, 'alice')).status).toBe(200);
  });

  it('makes initialize spend the principal\'s rate budget, audited as denied', async () => {
    const url = await start({ BASTION_RATE_LIMIT: '3/min burst=3', BASTION_TOOL_RATE_LIMIT: '1/min burst=1' });
    const statuses: number[] = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await open(url, 'mallory')).status);
    // A per-tool budget does not apply to opening a session; the principal's does.
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await open(url, 'alice')).status).toBe(200);
    const denied = (await auditEvents()).filter((event) => event.outcome === 'denied');
    expect(denied).toHaveLength(2);
    expect(denied[0]).toMatchObject({ principal: 'apikey:mallory', decision: 'denied by rate:principal', tool: '' });
  });
});
