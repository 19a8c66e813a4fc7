import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { page, pageInfo } from '@bastion-mcp/schema';
import { defineConnector, defineTool, prepareTool, readOnly, toolManifest, write } from '../src/index.js';

const base = { description: 'A tool used by the definition tests.', scopes: [], annotations: readOnly({ openWorld: false }), handler: () => ({}) };

describe('defineTool', () => {
  it('rejects names that are not snake_case', () => {
    for (const name of ['ListItems', 'list-items', 'x', '1list']) {
      expect(() => defineTool({ ...base, name })).toThrow(/snake_case/);
    }
  });

  it('rejects malformed scopes', () => {
    expect(() => defineTool({ ...base, name: 'list_items', scopes: ['Items'] })).toThrow(/resource:action/);
  });

  it('requires page and pageInfo for a list tool', () => {
    expect(() =>
      defineTool({
        ...base,
        name: 'list_items',
        output: z.object({ items: z.array(z.string()) }),
        list: 'items',
        handler: () => ({ items: [] }),
      }),
    ).toThrow(/pageInfo/);
    expect(() =>
      defineTool({
        ...base,
        name: 'list_items',
        input: z.object({ ...page }),
        output: z.object({ items: z.array(z.string()), ...pageInfo }),
        list: 'items',
        handler: () => ({ items: [] }),
      }),
    ).not.toThrow();
  });

  it('sets all four hints through the helpers', () => {
    expect(readOnly({ openWorld: true })).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(write({ destructive: true, idempotent: false, openWorld: false })).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: false,
    });
  });
});

describe('prepareTool and the manifest', () => {
  const tool = defineTool({
    ...base,
    name: 'get_item',
    input: z.object({ id: z.string().describe('Item id') }),
    output: z.object({ id: z.string() }),
    handler: ({ id }) => ({ id }),
  });

  it('advertises a strict input schema and the output schema', () => {
    const { definition } = prepareTool(tool);
    expect(definition.inputSchema).toMatchObject({ type: 'object', required: ['id'], additionalProperties: false });
    expect(definition.outputSchema).toMatchObject({ type: 'object', properties: { id: { type: 'string' } } });
  });

  it('hashes the definition stably and changes the hash when the definition changes', () => {
    const first = prepareTool(tool).sha256;
    expect(prepareTool(tool).sha256).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const changed = defineTool({
      ...base,
      name: 'get_item',
      description: 'A different description of the tool.',
      input: z.object({ id: z.string().describe('Item id') }),
      output: z.object({ id: z.string() }),
      handler: ({ id }) => ({ id }),
    });
    expect(prepareTool(changed).sha256).not.toBe(first);
  });

  it('builds a manifest entry per tool', () => {
    const manifest = toolManifest({ name: 'demo', version: '1.0.0' }, [prepareTool(tool)]);
    expect(manifest.tools[0]).toMatchObject({ name: 'get_item', readOnly: true, toolset: 'default' });
  });
});

describe('defineConnector', () => {
  it('rejects duplicate tools and config keys that shadow shared settings', () => {
    const tool = defineTool({ ...base, name: 'get_item' });
    expect(() => defineConnector({ name: 'demo', version: '1', description: 'd', tools: [tool, tool] })).toThrow(/declared twice/);
    expect(() =>
      defineConnector({ name: 'demo', version: '1', description: 'd', tools: [tool], config: z.object({ LOG_LEVEL: z.string() }) }),
    ).toThrow(/shared setting/);
  });
});
