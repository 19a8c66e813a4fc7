// Principals of different identity sources are kept apart: `sub: admin` from one trusted issuer,
// from another, and the API key named `admin` are three principals, each with its own policy
// rules, rate budget, sessions, sealed requestState and audit name. A policy rule that names a
// principal without its source while several sources are configured is refused at start.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateApiKey, hashApiKey } from '@bastion-mcp/auth';
import { ConfigError, createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertAuditEvents, startLocalIssuer } from '../src/index.js';
import type { LocalIssuer } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const KEY = generateApiKey();
let trusted: LocalIssuer;
let other: LocalIssuer;
const handles: HttpHandle[] = [];
let logLines: string[] = [];
const calls = { cancelled: 0, deleted: [] as string[] };

beforeAll(async () => {
  trusted = await startLocalIssuer({ resource: RESOURCE });
  other = await startLocalIssuer({ resource: RESOURCE });
});
afterAll(async () => {
  await Promise.all([trusted?.close(), other?.close()]);
});
afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
  logLines = [];
  calls.deleted.length = 0;
});

function policyFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bastion-policy-')), 'policy.yaml');
  writeFileSync(path, text);
  return path;
}

const bothIssuers = () => ({
  BASTION_AUTH_ISSUERS: `${trusted.issuer},${other.issuer}`,
  BASTION_AUTH_JWKS_URLS: `${trusted.jwksUrl},${other.jwksUrl}`,
});
const apiKey = { BASTION_API_KEYS: `admin:${hashApiKey(KEY)}:items:read items:write` };

async function runtimeFor(env: Record<string, string>) {
  const connector = demoConnector(calls);
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  return createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: { ...DEMO_ENV, BASTION_RESOURCE_URL: RESOURCE, ...env } }), { logger });
}

async function start(env: Record<string, string>): Promise<string> {
  const handle = await serveOverHttp(await runtimeFor(env));
  handles.push(handle);
  return handle.url;
}

const auditEvents = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"'))) as unknown as Record<string, unknown>[];
};

const jwt = (issuer: LocalIssuer, sub = 'admin') => issuer.mint({ claims: { sub, scope: 'items:read items:write', client_id: 'shared-app' } });

interface Answer {
  status: number;
  sessionId: string | null;
  body: { result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } } | undefined;
}

async function post(url: string, credential: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${credential}`,
      'mcp-protocol-version': '2025-11-25',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const json = /event-stream/.test(response.headers.get('content-type') ?? '') ? (text.split('\n').find((line) => line.startsWith('data:') && line.slice(5).trim() !== '') ?? '').slice(5) : text;
  return { status: response.status, sessionId: response.headers.get('mcp-session-id'), body: json ? (JSON.parse(json) as Answer['body']) : undefined };
}

const toolCall = (name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
const toolsOf = (answer: Answer) => ((answer.body?.result?.tools ?? []) as { name: string }[]).map((tool) => tool.name).sort();

describe('principals of different identity sources', () => {
  it('apply each policy rule only to the principal of the source it names', async () => {
    const policy = policyFile(`
version: 1
rules:
  - name: key-admin
    match: { principal: apikey:admin }
    tools: { allow: [list_items, get_item] }
  - name: trusted-admin
    match: { principal: "jwt:${trusted.issuer}#admin" }
    tools: { allow: [list_items, read_note] }
`);
    const url = await start({ ...bothIssuers(), ...apiKey, BASTION_POLICY: policy });
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    expect(toolsOf(await post(url, KEY, list))).toEqual(['get_item', 'list_items']);
    expect(toolsOf(await post(url, await jwt(trusted), list))).toEqual(['list_items', 'read_note']);
    // The other issuer's admin is named by no rule, and the file has no default: nothing.
    expect(toolsOf(await post(url, await jwt(other), list))).toEqual([]);
    const refused = await post(url, await jwt(other), toolCall('get_item', { id: 1 }));
    expect(refused.body?.error?.message ?? JSON.stringify(refused.body?.result)).toMatch(/not found/);
    const principals = new Set((await auditEvents()).map((event) => event.principal));
    expect(principals).toContain(`jwt:${other.issuer}#admin`);
  });

  it('keep rate budgets apart: one source\'s admin spending its budget leaves the others\'', async () => {
    const url = await start({ ...bothIssuers(), ...apiKey, BASTION_RATE_LIMIT: '2/min burst=2' });
    const statuses = async (credential: () => Promise<string> | string) => {
      const seen: number[] = [];
      for (let call = 0; call < 3; call += 1) seen.push((await post(url, await credential(), toolCall('list_items'))).status);
      return seen;
    };
    expect(await statuses(() => jwt(trusted))).toEqual([200, 200, 429]);
    expect(await statuses(() => jwt(other))).toEqual([200, 200, 429]);
    expect(await statuses(() => KEY)).toEqual([200, 200, 429]);
    const limited = (await auditEvents()).filter((event) => event.decision === 'denied by rate:principal').map((event) => event.principal);
    expect(limited).toEqual([`jwt:${trusted.issuer}#admin`, `jwt:${other.issuer}#admin`, 'apikey:admin']);
  });

  it('bind a session to the source as well as the name', async () => {
    const url = await start({ ...bothIssuers(), ...apiKey });
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } } };
    const opened = await post(url, await jwt(trusted), initialize);
    expect(opened.sessionId).toBeTruthy();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    expect((await post(url, await jwt(trusted), list, { 'mcp-session-id': opened.sessionId! })).status).toBe(200);
    expect((await post(url, await jwt(other), list, { 'mcp-session-id': opened.sessionId! })).status).toBe(404);
    expect((await post(url, KEY, list, { 'mcp-session-id': opened.sessionId! })).status).toBe(404);
  });

  it('seal requestState to the source as well as the name', async () => {
    const url = await start({ ...bothIssuers(), ...apiKey });
    const modern = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'delete_item' };
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
    const deletion = (extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_item', arguments: { id: 5 }, ...extra, _meta: meta } });
    const asked = await post(url, await jwt(trusted), deletion(), modern);
    const state = asked.body?.result?.requestState as string;
    expect(typeof state).toBe('string');
    const key = Object.keys((asked.body?.result?.inputRequests ?? {}) as object)[0]!;
    const answer = { requestState: state, inputResponses: { [key]: { action: 'accept', content: { confirm: true } } } };
    for (const credential of [await jwt(other), KEY]) {
      const replayed = await post(url, credential, deletion(answer), modern);
      expect(replayed.body?.error).toMatchObject({ code: -32602, data: { reason: 'invalid_request_state' } });
    }
    expect(calls.deleted).toEqual([]);
    expect((await post(url, await jwt(trusted), deletion(answer), modern)).body?.result?.structuredContent).toEqual({ deleted: true });
  });
});

describe('a policy rule naming a principal without its source', () => {
  const bare = `
version: 1
rules:
  - name: admins
    match: { principal: [admin, "apikey:ops"] }
`;

  it.each([
    ['two JWT issuers', () => bothIssuers(), /2 JWT issuers/],
    ['a JWT issuer and API keys', () => ({ BASTION_AUTH_ISSUERS: trusted.issuer, BASTION_AUTH_JWKS_URLS: trusted.jwksUrl, ...apiKey }), /1 JWT issuer, API keys/],
  ])('is refused at start with %s, naming the rule and what to write', async (_what, env, sources) => {
    const failure = await runtimeFor({ ...env(), BASTION_POLICY: policyFile(bare) }).catch((error: unknown) => error);
    expect(ConfigError.isInstance(failure)).toBe(true);
    const problems = (failure as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]!.setting).toMatch(/BASTION_POLICY \(.*policy\.yaml\) rules\[0\]\.match\.principal\[0\]$/);
    expect(problems[0]!.message).toMatch(/rule admins names principal admin without its source/);
    expect(problems[0]!.message).toMatch(sources);
    expect(problems[0]!.message).toMatch(/write (apikey:admin or )?jwt:.*#admin/);
  });

  it('is accepted with a single source, and matches the name that source states', async () => {
    const policy = policyFile(`
version: 1
rules:
  - match: { principal: admin }
    tools: { allow: [list_items, get_item] }
`);
    const url = await start({ BASTION_AUTH_ISSUERS: trusted.issuer, BASTION_AUTH_JWKS_URLS: trusted.jwksUrl, BASTION_POLICY: policy });
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    expect(toolsOf(await post(url, await jwt(trusted), list))).toEqual(['get_item', 'list_items']);
    expect(toolsOf(await post(url, await jwt(trusted, 'someone'), list))).toEqual([]);
  });
});
