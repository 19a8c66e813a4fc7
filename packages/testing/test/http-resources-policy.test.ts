// The policy file governs every method that returns data, not only tools/call: resources/list,
// resources/templates/list, resources/read, prompts/list, prompts/get and completion/complete.
// A resource or prompt follows the tool it maps to (hidden where the tool is hidden, its URI or
// arguments checked against the tool's argument constraints), and one that maps to no tool is
// refused to any principal the policy restricts. Over Streamable HTTP with tokens from a real
// local issuer, in both protocol eras; every read and prompt is audited like a tool call.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertAuditEvents, startLocalIssuer } from '../src/index.js';
import type { LocalIssuer } from '../src/index.js';
import { docsConnector } from './support/docs-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
let issuer: LocalIssuer;
const handles: HttpHandle[] = [];
const clients: Client[] = [];
let logLines: string[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer({ resource: RESOURCE });
});
afterAll(async () => {
  await issuer?.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
  logLines = [];
});

const POLICY = `
version: 1
rules:
  - name: alice-public
    match: { principal: alice }
    arguments:
      read_doc:
        path: ["/public/**"]
  - name: bob-no-read
    match: { principal: bob }
    tools: { deny: [read_doc] }
  - name: carol-open
    match: { principal: carol }
`;

function policyFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bastion-policy-')), 'policy.yaml');
  writeFileSync(path, text);
  return path;
}

async function start(policy: string | undefined): Promise<string> {
  const connector = docsConnector();
  const logger = createLogger({
    name: 'bastion-docs',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }),
  });
  const env: Record<string, string> = {
    BASTION_RESOURCE_URL: RESOURCE,
    BASTION_AUTH_ISSUERS: issuer.issuer,
    BASTION_AUTH_JWKS_URLS: issuer.jwksUrl,
    ...(policy ? { BASTION_POLICY: policyFile(policy) } : {}),
  };
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env }), { logger });
  const handle = await serveOverHttp(runtime);
  handles.push(handle);
  return handle.url;
}

type Era = '2025-11-25' | '2026-07-28';

async function connect(url: string, sub: string, era: Era): Promise<Client> {
  const token = await issuer.mint({ claims: { sub, scope: 'docs:read' } });
  const client = new Client({ name: 't', version: '0' }, { versionNegotiation: { mode: era === '2025-11-25' ? 'legacy' : { pin: era } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

const auditEvents = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return assertAuditEvents(logLines.filter((line) => line.includes('"stream":"audit"'))) as unknown as Record<string, unknown>[];
};

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

/** What the principal is offered, by every listing method. */
async function offered(client: Client) {
  const resources = (await client.listResources()).resources.map((resource) => resource.uri).sort();
  const templates = (await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate);
  const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name).sort();
  const docCompletions = (await client.complete({ ref: { type: 'ref/resource', uri: 'doc:///{+path}' }, argument: { name: 'path', value: '' } })).completion.values;
  const promptCompletions = (await client.complete({ ref: { type: 'ref/prompt', name: 'summarize_doc' }, argument: { name: 'path', value: '/' } })).completion.values;
  return { resources, templates, prompts, docCompletions, promptCompletions };
}

const readText = async (client: Client, uri: string) => {
  const result = await client.readResource({ uri });
  return (result.contents[0] as { text: string }).text;
};

describe.each(['2025-11-25', '2026-07-28'] as const)('resources and prompts under the policy (%s)', (era) => {
  it('offers a principal without any policy restriction everything its scopes cover', async () => {
    const client = await connect(await start(undefined), 'erin', era);
    expect(await offered(client)).toEqual({
      resources: ['doc:///public/a.txt', 'doc:///public/b.txt', 'doc:///secret/keys.txt', 'info://about'],
      templates: ['doc:///{+path}'],
      prompts: ['greeting', 'summarize_doc'],
      docCompletions: ['public/a.txt', 'public/b.txt', 'secret/keys.txt'],
      promptCompletions: ['/public/a.txt', '/public/b.txt', '/secret/keys.txt'],
    });
    expect(await readText(client, 'doc:///secret/keys.txt')).toBe('the secret keys');
    expect(await readText(client, 'info://about')).toBe('docs server');
  });

  it('applies argument constraints to resource URIs and prompt arguments: only allowed paths are listed, read or rendered', async () => {
    const client = await connect(await start(POLICY), 'alice', era);
    // The listing shows only what may be read; completions would reveal other names, so none.
    expect(await offered(client)).toEqual({
      resources: ['doc:///public/a.txt', 'doc:///public/b.txt'],
      templates: ['doc:///{+path}'],
      prompts: ['summarize_doc'],
      docCompletions: [],
      promptCompletions: [],
    });
    expect(await readText(client, 'doc:///public/a.txt')).toBe('alpha');
    for (const uri of ['doc:///secret/keys.txt', 'doc:///public/../secret/keys.txt', 'doc:///public%2F..%2Fsecret/keys.txt']) {
      expect(await refusal(client.readResource({ uri }))).toMatch(/resource:doc is not allowed here: argument path is not allowed \(policy rule alice-public\); allowed paths: \/public\/\*\*/);
    }
    expect(await refusal(client.getPrompt({ name: 'summarize_doc', arguments: { path: '/secret/keys.txt' } }))).toMatch(
      /prompt:summarize_doc is not allowed here: argument path is not allowed \(policy rule alice-public\)/,
    );
    const rendered = await client.getPrompt({ name: 'summarize_doc', arguments: { path: '/public/b.txt' } });
    expect(JSON.stringify(rendered.messages)).toContain('Summarize: bravo');
    // What maps to no tool cannot be judged by the policy, so it is not offered.
    expect(await refusal(client.readResource({ uri: 'info://about' }))).toMatch(/not found/i);
    expect(await refusal(client.getPrompt({ name: 'greeting' }))).toMatch(/not found/i);

    const events = await auditEvents();
    const denied = events.filter((event) => event.outcome === 'denied');
    const alice = `jwt:${issuer.issuer}#alice`;
    expect(denied.map((event) => [event.tool, event.decision, event.principal])).toEqual([
      ['resource:doc', 'denied by alice-public', alice],
      ['resource:doc', 'denied by alice-public', alice],
      ['resource:doc', 'denied by alice-public', alice],
      ['prompt:summarize_doc', 'denied by alice-public', alice],
      ['resource:about', 'denied by scopes or policy (not visible)', alice],
      ['prompt:greeting', 'denied by scopes or policy (not visible)', alice],
    ]);
    expect(events.find((event) => event.tool === 'resource:doc' && event.outcome === 'ok')).toMatchObject({ decision: 'allowed by alice-public' });
    expect(events.find((event) => event.tool === 'prompt:summarize_doc' && event.outcome === 'ok')).toMatchObject({ decision: 'allowed by alice-public' });
  });

  it('hides every resource and prompt that follows a tool the policy denies, as unknown ones', async () => {
    const client = await connect(await start(POLICY), 'bob', era);
    expect((await client.listResources()).resources).toEqual([]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    expect(await refusal(client.readResource({ uri: 'doc:///public/a.txt' }))).toMatch(/not found/i);
    expect(await refusal(client.getPrompt({ name: 'summarize_doc', arguments: { path: '/public/a.txt' } }))).toMatch(/not found/i);
    expect(await refusal(client.complete({ ref: { type: 'ref/resource', uri: 'doc:///{+path}' }, argument: { name: 'path', value: '' } }))).toMatch(/not found/);
    expect(await refusal(client.complete({ ref: { type: 'ref/prompt', name: 'summarize_doc' }, argument: { name: 'path', value: '' } }))).toMatch(/not found/);
    // Audited as a call to a hidden tool is: denied, answered as unknown.
    const denied = (await auditEvents()).filter((event) => event.outcome === 'denied');
    expect(denied.map((event) => [event.tool, event.decision, event.args])).toEqual([
      ['resource:doc', 'denied by scopes or policy (not visible)', { uri: 'doc:///public/a.txt' }],
      ['prompt:summarize_doc', 'denied by scopes or policy (not visible)', { path: '/public/a.txt' }],
    ]);
  });

  it('refuses what maps to no tool to any restricted principal, and offers what follows an unconstrained visible tool', async () => {
    const client = await connect(await start(POLICY), 'carol', era);
    expect(await offered(client)).toEqual({
      resources: ['doc:///public/a.txt', 'doc:///public/b.txt', 'doc:///secret/keys.txt'],
      templates: ['doc:///{+path}'],
      prompts: ['summarize_doc'],
      docCompletions: ['public/a.txt', 'public/b.txt', 'secret/keys.txt'],
      promptCompletions: ['/public/a.txt', '/public/b.txt', '/secret/keys.txt'],
    });
    expect(await readText(client, 'doc:///secret/keys.txt')).toBe('the secret keys');
    expect(await refusal(client.readResource({ uri: 'info://about' }))).toMatch(/not found/i);
  });

  it('offers nothing to a principal no rule admits', async () => {
    const client = await connect(await start(POLICY), 'mallory', era);
    expect((await client.listResources()).resources).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    expect(await refusal(client.readResource({ uri: 'doc:///public/a.txt' }))).toMatch(/not found/i);
    expect(await refusal(client.readResource({ uri: 'info://about' }))).toMatch(/not found/i);
  });
});
