// Multi-round-trip state over Streamable HTTP (2026-07-28): the requestState a tool hands out when it
// needs the user's input is sealed to the principal that received it. Users of one OAuth client
// share its client id, so the client id alone cannot be the binding.
import { Writable } from 'node:stream';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer } from '../src/index.js';
import type { LocalIssuer } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const MODERN = '2026-07-28';
let issuer: LocalIssuer;
let handle: HttpHandle;
const calls = { cancelled: 0, deleted: [] as string[] };

beforeAll(async () => {
  issuer = await startLocalIssuer({ resource: RESOURCE });
  const connector = demoConnector(calls);
  const env = { ...DEMO_ENV, BASTION_RESOURCE_URL: RESOURCE, BASTION_AUTH_ISSUERS: issuer.issuer, BASTION_AUTH_JWKS_URLS: issuer.jwksUrl };
  const logger = createLogger({ name: 'bastion-demo', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env }), { logger });
  handle = await serveOverHttp(runtime);
});
afterAll(async () => {
  await handle?.close();
  await issuer?.close();
});

const tokenFor = (sub: string) => issuer.mint({ claims: { sub, client_id: 'shared-desktop-app', scope: 'items:read items:write' } });

interface CallResult {
  resultType?: string;
  requestState?: string;
  inputRequests?: Record<string, unknown>;
  structuredContent?: unknown;
  isError?: boolean;
  content?: { text?: string }[];
}

async function callDelete(token: string, extra: Record<string, unknown> = {}): Promise<{ result?: CallResult; error?: { code: number; message: string } }> {
  const response = await fetch(handle.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/call',
      'mcp-name': 'delete_item',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'delete_item',
        arguments: { id: 5 },
        ...extra,
        _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } },
      },
    }),
  });
  const text = await response.text();
  const line = /event-stream/.test(response.headers.get('content-type') ?? '') ? (text.split('\n').find((l) => l.startsWith('data:')) ?? '').slice(5) : text;
  return JSON.parse(line) as { result?: CallResult; error?: { code: number; message: string } };
}

describe('requestState across principals of one OAuth client', () => {
  it('is honoured for the principal it was issued to and refused for another', async () => {
    const alice = await tokenFor('alice');
    const bob = await tokenFor('bob');
    const asked = await callDelete(alice);
    expect(asked.result?.resultType).toBe('input_required');
    const state = asked.result?.requestState;
    expect(typeof state).toBe('string');
    const key = Object.keys(asked.result?.inputRequests ?? {})[0]!;
    const inputResponses = { [key]: { action: 'accept', content: { confirm: true } } };

    const replayed = await callDelete(bob, { requestState: state, inputResponses });
    expect(replayed.error).toMatchObject({ code: -32602, data: { reason: 'invalid_request_state' } });
    expect(calls.deleted).toEqual([]);

    const answered = await callDelete(alice, { requestState: state, inputResponses });
    expect(answered.result?.structuredContent).toEqual({ deleted: true });
    expect(calls.deleted).toEqual(['5']);
  });
});
