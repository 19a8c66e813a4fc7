import { setTimeout as sleep } from 'node:timers/promises';
import { secret } from '@bastion-mcp/auth';
import {
  ToolError,
  UpstreamError,
  defineConnector,
  inputRequired,
  readOnly,
  toolFactory,
  write,
} from '@bastion-mcp/core';
import { decodeCursor, encodeCursor, page, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';

export interface DemoContext {
  readonly items: readonly { id: number; name: string }[];
  readonly apiKey: string;
  readonly calls: { cancelled: number; deleted: string[] };
}

const defineTool = toolFactory<DemoContext>();

export const getItem = defineTool({
  name: 'get_item',
  toolset: 'items',
  description: 'Get one item by its numeric id. Fails with a clear message when it does not exist.',
  scopes: ['items:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({ id: z.number().int().min(1).describe('Item id') }),
  output: z.object({ id: z.number(), name: z.string() }),
  handler({ id }, { items }) {
    const item = items.find((candidate) => candidate.id === id);
    if (!item) throw new ToolError(`item ${id} does not exist; list_items shows the ids that do`);
    return item;
  },
});

export const listItems = defineTool({
  name: 'list_items',
  toolset: 'items',
  description: 'List items in pages. Pass nextCursor back as cursor to continue.',
  scopes: ['items:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({ ...page }),
  output: z.object({ items: z.array(z.object({ id: z.number(), name: z.string() })), ...pageInfo }),
  list: 'items',
  handler({ cursor, limit }, { items }) {
    const offset = cursor ? decodeCursor(cursor, z.object({ offset: z.number().int().min(0) })).offset : 0;
    const next = offset + limit;
    return { items: items.slice(offset, next), ...(next < items.length ? { nextCursor: encodeCursor({ offset: next }) } : {}) };
  },
});

export const readNote = defineTool({
  name: 'read_note',
  toolset: 'items',
  description: 'Read a note written by an outside party; its text is returned fenced as untrusted data.',
  scopes: ['items:read'],
  annotations: readOnly({ openWorld: true }),
  input: z.object({ note: z.string() }),
  output: z.object({ text: untrustedText() }),
  text: ({ text }) => text,
  handler: ({ note }) => ({ text: note }),
});

export const failUpstream = defineTool({
  name: 'fail_upstream',
  toolset: 'faults',
  description: 'Simulates an upstream rate limit so the error mapping can be observed.',
  scopes: [],
  annotations: readOnly({ openWorld: true }),
  handler() {
    throw new UpstreamError('API rate limit exceeded', {
      service: 'DemoAPI',
      status: 429,
      retryAfterSeconds: 30,
      hint: 'Wait before retrying.',
      requestId: 'req-42',
    });
  },
});

export const failInternally = defineTool({
  name: 'fail_internally',
  toolset: 'faults',
  description: 'Throws an unexpected error that carries a secret, to prove it never reaches the client.',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  handler(_args, { apiKey }) {
    throw new Error(`connect ECONNREFUSED postgres://admin:${apiKey}@db.internal:5432/app`);
  },
});

export const breakContract = defineTool({
  name: 'break_contract',
  toolset: 'faults',
  description: 'Returns data that violates its own output schema, which must be reported as a bug.',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  output: z.object({ count: z.number() }),
  handler: () => ({ count: 'many' }) as unknown as { count: number },
});

export const slowCount = defineTool({
  name: 'slow_count',
  toolset: 'faults',
  description: 'Counts slowly, reporting progress, and stops as soon as the call is cancelled.',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  input: z.object({ to: z.number().int().min(1).max(1000) }),
  output: z.object({ counted: z.number() }),
  async handler({ to }, ctx) {
    for (let step = 1; step <= to; step += 1) {
      if (ctx.signal.aborted) {
        ctx.calls.cancelled += 1;
        throw ctx.signal.reason;
      }
      await ctx.progress(step, to, `counted ${step}`);
      await sleep(10);
    }
    return { counted: to };
  },
});

export const deleteItem = defineTool({
  name: 'delete_item',
  toolset: 'items',
  description: 'Delete an item after the user confirms it; nothing is deleted without a yes.',
  scopes: ['items:write'],
  annotations: write({ destructive: true, idempotent: true, openWorld: false }),
  input: z.object({ id: z.number().int() }),
  output: z.object({ deleted: z.boolean() }),
  async handler({ id }, ctx) {
    const answer = ctx.input.accepted('confirm', z.object({ confirm: z.boolean() }));
    if (answer === undefined) {
      return ctx.input.request(
        {
          confirm: inputRequired.elicit({
            message: `Delete item ${id}?`,
            requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] },
          }),
        },
        { id },
      );
    }
    if (!answer.confirm) return { deleted: false };
    ctx.calls.deleted.push(String(id));
    return { deleted: true };
  },
});

export const listRoots = defineTool({
  name: 'list_roots',
  toolset: 'items',
  description: 'Show the roots the connected client offers, or that it offers none.',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  output: z.object({ roots: z.array(z.string()).optional() }),
  async handler(_args, ctx) {
    const roots = await ctx.peer.roots();
    return roots ? { roots: roots.map((root) => root.uri) } : {};
  },
});

export function demoConnector(calls: DemoContext['calls'] = { cancelled: 0, deleted: [] }) {
  return defineConnector({
    name: 'demo',
    version: '1.0.0',
    description: 'A connector used to test the core runtime.',
    config: z.object({
      DEMO_API_KEY: secret().describe('Demo key'),
      DEMO_ITEMS: z.number().int().default(25),
      DEMO_ALLOW_DELETE: z.boolean().default(true).describe('Offer delete_item'),
    }),
    unavailable: (tool, config) =>
      tool.name === 'delete_item' && config.DEMO_ALLOW_DELETE === false ? 'deleting is switched off (DEMO_ALLOW_DELETE=false)' : undefined,
    toolsets: { items: { description: 'Items', default: true }, faults: { description: 'Faults', default: true } },
    createContext: (config) => ({
      items: Array.from({ length: config.DEMO_ITEMS }, (_, index) => ({ id: index + 1, name: `item ${index + 1}` })),
      apiKey: config.DEMO_API_KEY.reveal(),
      calls,
    }),
    tools: [getItem, listItems, readNote, failUpstream, failInternally, breakContract, slowCount, deleteItem, listRoots],
  });
}

export const DEMO_ENV = { DEMO_API_KEY: 'sk_live_hunter2hunter2' };
