// JSON-RPC batches over Streamable HTTP: the protocol versions served define none, so any JSON
// array body is refused with 400 and Invalid Request before the SDK sees it, and audited as
// denied. A batch can therefore never carry calls past the rate, in-flight or policy checks,
// which look at one message per HTTP request.
import { Writable } from 'node:stream';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { afterEach, describe, expect, it } from 'vitest';
import { assertAuditEvents } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const handles: HttpHandle[] = [];
let logLines: string[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
  logLines = [];
});

async function start(env: Record<string, string> = {}): Promise<string> {
  const connector = demoConnector();
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: { ...DEMO_ENV, ...env } }), { logger });
  const handle = await serveOverHttp(runtime);
  handles.push(handle);
  return handle.url;
}

const auditEvents = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"'))) as unknown as Record<string, unknown>[];
};

function post(url: string, body: string, version: string, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': version, ...extra },
    body,
  });
}

const call = (id: number, name = 'get_item', args: unknown = { id: 1 }) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
const initialize = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } },
});

const batches: Record<string, unknown[]> = {
  'tools/call requests': [call(1), call(2), call(3)],
  'one tools/call in an array': [call(1)],
  'an empty array': [],
  'an initialize': [initialize(1)],
  'notifications only': [{ jsonrpc: '2.0', method: 'notifications/initialized' }],
  'mixed requests and junk': [call(1), 'x', 42, null, { jsonrpc: '2.0', id: 9, method: 'tools/list' }],
  'nested arrays': [[call(1)], [call(2)]],
};

describe('JSON-RPC batches over HTTP', () => {
  for (const version of ['2025-11-25', '2026-07-28']) {
    for (const [what, batch] of Object.entries(batches)) {
      it(`refuses a batch of ${what} (${version}) with 400 Invalid Request, audited as denied`, async () => {
        const url = await start({ BASTION_RATE_LIMIT: '1/min burst=1', BASTION_MAX_IN_FLIGHT: '1' });
        const response = await post(url, JSON.stringify(batch), version);
        expect(response.status).toBe(400);
        const body = (await response.json()) as { id: unknown; error: { code: number; message: string } };
        expect(body.id).toBeNull();
        expect(body.error.code).toBe(-32600);
        expect(body.error.message).toMatch(/batches are not supported by this protocol version; send one request per HTTP request/);
        const events = await auditEvents();
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ outcome: 'denied', principal: 'anonymous', transport: 'http', decision: 'denied: JSON-RPC batch (400)' });
      });
    }
  }

  it('keeps the rate limit whole: refused batches take no budget and run no tool, single calls still count', async () => {
    const url = await start({ BASTION_RATE_LIMIT: '2/min burst=2' });
    for (let round = 0; round < 5; round += 1) {
      const response = await post(url, JSON.stringify([call(1), call(2), call(3), call(4)]), '2025-11-25');
      expect(response.status).toBe(400);
    }
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await post(url, JSON.stringify(call(index + 1)), '2025-11-25')).status);
    expect(statuses).toEqual([200, 200, 429]);
    const events = await auditEvents();
    expect(events.filter((event) => event.decision === 'denied: JSON-RPC batch (400)')).toHaveLength(5);
    expect(events.filter((event) => event.tool === 'get_item' && event.outcome === 'ok')).toHaveLength(2);
  });

  it('refuses a batch sent within a 2025-11-25 session', async () => {
    const url = await start();
    const opened = await post(url, JSON.stringify(initialize(1)), '2025-11-25');
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get('mcp-session-id');
    expect(sessionId).toBeTruthy();
    await opened.body?.cancel();
    const response = await post(url, JSON.stringify([call(2), call(3)]), '2025-11-25', { 'mcp-session-id': sessionId! });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });
});
