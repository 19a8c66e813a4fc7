// Transport limits that keep one client from holding the server: oversized headers, and requests
// whose headers or body arrive too slowly (slowloris), each answered and closed, with no tool run
// and the server still serving everyone else.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const TIMEOUT_SECONDS = 2;
let handle: HttpHandle;
const auditLines: string[] = [];

beforeAll(async () => {
  const connector = demoConnector();
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (chunk.toString().includes('"stream":"audit"') && auditLines.push(chunk.toString()), done()) }),
  });
  const config = loadConfig(connector, { argv: ['--port', '0', '--request-timeout-seconds', String(TIMEOUT_SECONDS)], env: DEMO_ENV });
  handle = await serveOverHttp(await createRuntime(connector, config, { logger }));
});
afterAll(async () => {
  await handle?.close();
});

const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_item', arguments: { id: 1 } } });
const head = (extra = '', length = Buffer.byteLength(CALL)) =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${handle.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
  `MCP-Protocol-Version: 2025-11-25\r\nContent-Length: ${length}\r\n${extra}\r\n`;

/** Opens a raw connection; resolves with what the server sent and how long until it closed. */
function rawExchange(write: (socket: Socket) => void): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(handle.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closedAfterMs: performance.now() - started }));
    socket.on('connect', () => write(socket));
  });
}

/** Writes one byte every 200 ms until the server closes the socket. */
function drip(socket: Socket, byte: string): void {
  const timer = setInterval(() => (socket.writable ? socket.write(byte) : clearInterval(timer)), 200);
  socket.on('close', () => clearInterval(timer));
}

async function stillServes(): Promise<void> {
  const response = await fetch(handle.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
  });
  expect(response.status).toBe(200);
  await response.body?.cancel();
}

describe('HTTP transport limits', () => {
  it('answers headers over 16 KiB with 431 and closes the connection', async () => {
    const { text } = await rawExchange((socket) => socket.end(head(`X-Padding: ${'a'.repeat(20 * 1024)}\r\n`) + CALL));
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    await stillServes();
  });

  it('closes a connection whose headers never finish once the request timeout has passed', async () => {
    const { text, closedAfterMs } = await rawExchange((socket) => {
      socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${handle.port}\r\nX-Slow: `);
      drip(socket, 'a');
    });
    expect(text === '' || /^HTTP\/1\.1 408 /.test(text)).toBe(true);
    expect(closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000 - 100);
    expect(closedAfterMs).toBeLessThan(TIMEOUT_SECONDS * 1000 + 3_000);
    await stillServes();
  });

  it('answers a body that never finishes with 408, runs no tool, and closes the connection', async () => {
    const before = auditLines.length;
    const { text, closedAfterMs } = await rawExchange((socket) => {
      socket.write(head('', 4096) + CALL.slice(0, 20));
      drip(socket, ' ');
    });
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000 - 100);
    expect(closedAfterMs).toBeLessThan(TIMEOUT_SECONDS * 1000 + 3_000);
    expect(auditLines.length).toBe(before);
    await stillServes();
  });

  it('names a bad request timeout in the configuration error', () => {
    const connector = demoConnector();
    expect(() => loadConfig(connector, { argv: ['--request-timeout-seconds', '0'], env: DEMO_ENV })).toThrow(/request-timeout-seconds|BASTION_REQUEST_TIMEOUT_SECONDS/);
  });
});
