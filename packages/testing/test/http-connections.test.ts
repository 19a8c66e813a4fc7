// Connections held open without authenticating cannot use up the server's file descriptors:
// each peer address holds at most BASTION_MAX_CONNECTIONS_PER_PEER, the server at most
// BASTION_MAX_CONNECTIONS, and at either cap the oldest connection that has not authenticated a
// request makes way for the new one, so real clients are still served. Connections that have
// authenticated are never closed to make room. Loopback only, a bounded number of sockets, and no
// timed assertions: each test waits for the server's own actions.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { generateApiKey, hashApiKey } from '@bastion-mcp/auth';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const KEY = generateApiKey();
const handles: HttpHandle[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
});

async function start(env: Record<string, string>): Promise<HttpHandle> {
  const connector = demoConnector();
  const logger = createLogger({ name: 'bastion-demo', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const config = loadConfig(connector, {
    argv: ['--port', '0'],
    env: { ...DEMO_ENV, BASTION_RESOURCE_URL: RESOURCE, BASTION_API_KEYS: `client:${hashApiKey(KEY)}:items:read`, ...env },
  });
  const handle = await serveOverHttp(await createRuntime(connector, config, { logger }));
  handles.push(handle);
  return handle;
}

interface Opened {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  isClosed: boolean;
}

/** A connection from `localAddress` (any 127/8 address is loopback) that has sent `text`. */
async function openSocket(port: number, localAddress: string, text: string): Promise<Opened> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  sockets.push(socket);
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  const opened: Opened = { socket, isClosed: false, closed: new Promise((resolve) => socket.once('close', () => resolve())) };
  void opened.closed.then(() => (opened.isClosed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
  socket.write(text);
  return opened;
}

const HALF_SENT = 'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n';

function listTools(): string {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  return [
    'POST /mcp HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    'Accept: application/json, text/event-stream',
    'MCP-Protocol-Version: 2025-11-25',
    `Authorization: Bearer ${KEY}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: keep-alive',
    '',
    body,
  ].join('\r\n');
}

/** Sends an authenticated tools/list on the socket and resolves with the status line. */
function statusOf(opened: Opened): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) {
        opened.socket.off('data', onData);
        resolve(text.slice(0, text.indexOf('\r\n')));
      }
    };
    opened.socket.on('data', onData);
    opened.socket.once('close', () => reject(new Error('closed without an answer')));
  });
}

async function servedTools(url: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      authorization: `Bearer ${KEY}`,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  return (text.match(/"name":"get_item"/g) ?? []).length;
}

// Shorter than the server's 10 s headers timeout: the caps, not that timeout, must close the sockets.
describe('HTTP connections without authentication', { timeout: 8_000 }, () => {
  it('keeps at most BASTION_MAX_CONNECTIONS_PER_PEER of 200 half-sent requests from one peer, oldest closed first, and still serves a real client from it', async () => {
    const handle = await start({ BASTION_MAX_CONNECTIONS_PER_PEER: '64' });
    const opened: Opened[] = [];
    for (let index = 0; index < 200; index += 1) opened.push(await openSocket(handle.port, '127.0.0.1', HALF_SENT));
    await Promise.all(opened.slice(0, 136).map((entry) => entry.closed));
    expect(await servedTools(handle.url)).toBeGreaterThan(0);
    // The real client's connection took the place of the oldest half-sent request left.
    await opened[136]!.closed;
    expect(opened.slice(137).filter((entry) => entry.isClosed)).toEqual([]);
  });

  it('keeps at most BASTION_MAX_CONNECTIONS in total, closing unauthenticated connections first, so authenticated clients on other peers are served', async () => {
    const handle = await start({ BASTION_MAX_CONNECTIONS: '50', BASTION_MAX_CONNECTIONS_PER_PEER: '1000' });
    const peers = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
    const opened: Opened[] = [];
    for (let index = 0; index < 120; index += 1) opened.push(await openSocket(handle.port, peers[index % 3]!, HALF_SENT));
    await Promise.all(opened.slice(0, 70).map((entry) => entry.closed));
    for (let index = 0; index < 5; index += 1) expect(await servedTools(handle.url)).toBeGreaterThan(0);
  });

  it('never closes an authenticated connection to make room: at the cap, new connections are refused instead', async () => {
    const handle = await start({ BASTION_MAX_CONNECTIONS: '5', BASTION_MAX_CONNECTIONS_PER_PEER: '1000' });
    const authenticated: Opened[] = [];
    for (let index = 0; index < 5; index += 1) {
      const opened = await openSocket(handle.port, '127.0.0.5', '');
      const answered = statusOf(opened);
      opened.socket.write(listTools());
      expect(await answered).toBe('HTTP/1.1 200 OK');
      authenticated.push(opened);
    }
    const refused = connect({ host: '127.0.0.1', port: handle.port, localAddress: '127.0.0.6' });
    sockets.push(refused);
    refused.on('error', () => undefined);
    await new Promise<void>((resolve) => refused.once('close', () => resolve()));
    for (const opened of authenticated) {
      const answered = statusOf(opened);
      opened.socket.write(listTools());
      expect(await answered).toBe('HTTP/1.1 200 OK');
    }
  });
});
