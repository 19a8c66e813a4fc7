import { fileURLToPath } from 'node:url';
import { spawnHttp } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpSession } from '@bastion-mcp/testing';

const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('the built bin over Streamable HTTP', () => {
  let server: HttpSession;
  beforeAll(async () => {
    server = await spawnHttp(bin, { args: ['--max-body-bytes', '65536'] });
  });
  afterAll(async () => {
    await server?.kill();
  });

  it('binds loopback by default and answers /healthz', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', connector: 'conformance-fixture', version: '0.1.0' });
  });

  it.each(['legacy', 'modern'] as const)('lists and calls tools for a %s client', async (era) => {
    const client = await server.connect(era);
    const { tools } = await client.listTools();
    expect(tools.some((tool) => tool.name === 'echo')).toBe(true);
    const result = await client.callTool({ name: 'echo', arguments: { message: era } });
    expect(result.structuredContent).toEqual({ message: era });
  });

  it('refuses a foreign Host header and a foreign Origin (DNS rebinding)', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const badHost = await rawPost(server.url, body, { ...headers, host: 'evil.example.com' });
    expect(badHost).toBe(403);
    const badOrigin = await fetch(server.url, { method: 'POST', body, headers: { ...headers, origin: 'https://evil.example.com' } });
    expect(badOrigin.status).toBe(403);
  });

  it('answers an oversized body with 413', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(100_000) } } });
    const response = await fetch(server.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    });
    expect(response.status).toBe(413);
  });

  it('answers other paths with 404', async () => {
    expect((await fetch(`${server.baseUrl}/admin`)).status).toBe(404);
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight call finish on SIGTERM, then exits 0', async () => {
    const server = await spawnHttp(bin);
    const client = await server.connect('legacy');
    const call = client.callTool({ name: 'test_tool_with_progress', arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const exit = server.kill('SIGTERM');
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(await exit).toEqual({ code: 0, signal: null });
  });
});

async function rawPost(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}
