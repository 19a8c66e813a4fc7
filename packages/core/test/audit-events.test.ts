// The audit events the runtime records for tool calls, resource reads and prompts: one shape for
// all of them, the caller's declared client on both protocol eras, and the outcome vocabulary
// (ok / refused / error / denied / cancelled) with its reasons.
import { Writable } from 'node:stream';
import { ANONYMOUS_PRINCIPAL } from '@bastion-mcp/auth';
import type { Principal } from '@bastion-mcp/auth';
import { createLogger } from '@bastion-mcp/logging';
import type { AuditEvent } from '@bastion-mcp/logging';
import { InvalidCursorError } from '@bastion-mcp/schema';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ResourceNotFoundError,
  ToolError,
  UpstreamError,
  createRuntime,
  defineConnector,
  defineResourceTemplate,
  defineTool,
  loadConfig,
  readOnly,
  serveOverTransport,
} from '../src/index.js';
import { failureVerdict } from '../src/tools/audit-call.js';

const echo = defineTool({
  name: 'echo',
  toolset: 'main',
  description: 'Returns its text, or fails in the way the text names.',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  input: z.object({ text: z.string(), token: z.string().optional() }),
  output: z.object({ text: z.string() }),
  handler({ text }) {
    if (text === 'outside') throw new ToolError('/etc is outside the allowed roots; pass a path under /srv');
    if (text === 'upstream') throw new UpstreamError('busy', { service: 'Demo', status: 503, requestId: 'up-7' });
    if (text === 'crash') throw new Error('boom');
    if (text === 'lie') return { text: 1 } as unknown as { text: string };
    return { text };
  },
});

const notes = defineResourceTemplate({
  name: 'note',
  uriTemplate: 'note:///{id}',
  description: 'A note by id.',
  scopes: [],
  read(uri, { id }) {
    if (id === 'missing') throw new ResourceNotFoundError(uri.href, `no note ${String(id)}; list the notes first`);
    return [{ uri: uri.href, text: `note ${String(id)}` }];
  },
});

const connector = defineConnector({
  name: 'auditdemo',
  version: '3.2.1',
  description: 'Audit event tests.',
  config: z.object({}),
  toolsets: { main: { description: 'Main', default: true } },
  createContext: () => ({}),
  tools: [echo],
  resources: [notes],
});

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function connect(options: { era: 'legacy' | 'modern'; principal?: Principal; argv?: string[] }) {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'bastion-auditdemo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) }),
  });
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: options.argv ?? [], env: {} }), { logger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const served = serveOverTransport(runtime, serverSide, options.principal);
  const client = new Client(
    { name: 'audit-probe', version: '9.8.7' },
    options.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(clientSide);
  open.push({ close: async () => (await client.close(), await served.close(), await runtime.close()) });
  const events = async (): Promise<AuditEvent[]> => {
    await new Promise((resolve) => setImmediate(resolve));
    return lines.map((line) => JSON.parse(line) as { audit?: AuditEvent }).flatMap((record) => (record.audit ? [record.audit] : []));
  };
  return { client, events };
}

const call = (client: Client, text: string) => client.callTool({ name: 'echo', arguments: { text } });

describe('audit events of tool calls', () => {
  it.each(['legacy', 'modern'] as const)('name the client that declared itself and the server (%s client)', async (era) => {
    const { client, events } = await connect({ era });
    await call(client, 'hello');
    expect((await events())[0]).toMatchObject({
      schema: 'bastion.audit/1',
      connector: 'auditdemo',
      server: { name: 'bastion-auditdemo', version: '3.2.1' },
      tool: 'echo',
      principal: 'local',
      client: { name: 'audit-probe', version: '9.8.7' },
      transport: 'memory',
      outcome: 'ok',
      argsDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it('tell refusals, failures and success apart, with the reason', async () => {
    const { client, events } = await connect({ era: 'legacy' });
    for (const text of ['hello', 'outside', 'upstream', 'crash', 'lie']) await call(client, text);
    await client.callTool({ name: 'echo', arguments: { text: 7 } });
    const summary = (await events()).map((event) => [event.outcome, event.reason, event.upstreamRequestId]);
    expect(summary).toEqual([
      ['ok', undefined, undefined],
      ['refused', 'tool_error', undefined],
      ['error', 'upstream_error', 'up-7'],
      ['error', 'internal_error', undefined],
      ['error', 'invalid_output', undefined],
      ['refused', 'invalid_input', undefined],
    ]);
    expect((await events())[1]?.error).toBe('/etc is outside the allowed roots; pass a path under /srv');
  });

  it('refuse a result over the response budget as the caller can ask for less', async () => {
    const { client, events } = await connect({ era: 'legacy', argv: ['--max-result-bytes', '1024'] });
    await call(client, 'x'.repeat(5_000));
    expect((await events())[0]).toMatchObject({ outcome: 'refused', reason: 'result_too_large' });
  });

  it('digest the arguments as sent while the recorded arguments are redacted', async () => {
    const { client, events } = await connect({ era: 'legacy' });
    await client.callTool({ name: 'echo', arguments: { text: 'a', token: 'tok-secret-1' } });
    await client.callTool({ name: 'echo', arguments: { token: 'tok-secret-2', text: 'a' } });
    await client.callTool({ name: 'echo', arguments: { token: 'tok-secret-1', text: 'a' } });
    const [first, second, third] = await events();
    expect(JSON.stringify(await events())).not.toContain('tok-secret');
    expect(first?.args).toEqual(second?.args);
    expect(first?.argsDigest).not.toBe(second?.argsDigest);
    expect(third?.argsDigest).toBe(first?.argsDigest);
  });
});

describe('audit events of resource reads', () => {
  it('carry the same identity as tool calls, the OAuth client id included', async () => {
    const principal: Principal = { ...ANONYMOUS_PRINCIPAL, id: 'svc-reports', clientId: 'reports-app', scopes: ['*'] };
    const { client, events } = await connect({ era: 'legacy', principal });
    await client.readResource({ uri: 'note:///1' });
    await call(client, 'hello');
    const [read, tool] = await events();
    expect(read).toMatchObject({ tool: 'resource:note', principal: 'svc-reports', clientId: 'reports-app', client: { name: 'audit-probe' }, outcome: 'ok' });
    const shape = (event: AuditEvent | undefined) => Object.keys(event ?? {}).filter((key) => key !== 'decision' && key !== 'resultBytes');
    expect(shape(read)).toEqual(shape(tool));
  });

  it('record a missing resource as refused: not_found, with the message the client got', async () => {
    const { client, events } = await connect({ era: 'legacy' });
    await expect(client.readResource({ uri: 'note:///missing' })).rejects.toThrow(/no note missing/);
    expect((await events())[0]).toMatchObject({
      tool: 'resource:note',
      outcome: 'refused',
      reason: 'not_found',
      error: 'no note missing; list the notes first',
      args: { uri: 'note:///missing' },
    });
  });
});

describe('failureVerdict', () => {
  it('classifies what connectors throw', () => {
    expect(failureVerdict(new ToolError('read-only'), false)).toEqual({ outcome: 'refused', reason: 'tool_error' });
    expect(failureVerdict(new ResourceNotFoundError('x:/1', 'gone'), false)).toEqual({ outcome: 'refused', reason: 'not_found' });
    expect(failureVerdict(new InvalidCursorError('format'), false)).toEqual({ outcome: 'refused', reason: 'invalid_input' });
    expect(failureVerdict(new UpstreamError('x', { service: 'S' }), false)).toEqual({ outcome: 'error', reason: 'upstream_error' });
    expect(failureVerdict(new ProtocolError(ProtocolErrorCode.InvalidParams, 'x'), false)).toEqual({ outcome: 'error', reason: 'internal_error' });
    expect(failureVerdict(new Error('x'), false)).toEqual({ outcome: 'error', reason: 'internal_error' });
    expect(failureVerdict(new ToolError('x'), true)).toEqual({ outcome: 'cancelled' });
  });
});
