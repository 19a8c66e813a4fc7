import { describe, expect, it } from 'vitest';
import { ConfigError, defineTool, readOnly, selectTools, write } from '../src/index.js';

const tool = (name: string, toolset: string, readOnlyTool: boolean) =>
  defineTool({
    name,
    toolset,
    description: `The ${name} tool for the registry tests.`,
    scopes: [],
    annotations: readOnlyTool ? readOnly({ openWorld: false }) : write({ destructive: false, idempotent: false, openWorld: false }),
    handler: () => ({}),
  });

const tools = [tool('list_items', 'items', true), tool('create_item', 'items', false), tool('list_logs', 'logs', true), tool('purge_logs', 'logs', false)];
const toolsets = { items: { description: 'Items', default: true }, logs: { description: 'Logs' } };
const none = { readOnly: false, toolsets: undefined, tools: undefined, excludeTools: [] };
const names = (selection: Parameters<typeof selectTools>[2]) => selectTools(tools, toolsets, selection).map((t) => t.name);

describe('selectTools', () => {
  it('enables default toolsets when none are named', () => {
    expect(names(none)).toEqual(['list_items', 'create_item']);
  });

  it('enables named toolsets, or all of them', () => {
    expect(names({ ...none, toolsets: ['logs'] })).toEqual(['list_logs', 'purge_logs']);
    expect(names({ ...none, toolsets: ['all'] })).toHaveLength(4);
  });

  it('uses an explicit tool list instead of toolsets and applies exclusions', () => {
    expect(names({ ...none, tools: ['purge_logs', 'list_items'] })).toEqual(['list_items', 'purge_logs']);
    expect(names({ ...none, toolsets: ['all'], excludeTools: ['purge_logs'] })).toEqual(['list_items', 'create_item', 'list_logs']);
  });

  it('drops every write tool in read-only mode', () => {
    expect(names({ ...none, readOnly: true, toolsets: ['all'] })).toEqual(['list_items', 'list_logs']);
  });

  it('rejects unknown names instead of ignoring them', () => {
    for (const selection of [
      { ...none, toolsets: ['itemz'] },
      { ...none, tools: ['list_itemz'] },
      { ...none, excludeTools: ['purge_log'] },
    ]) {
      expect(() => names(selection)).toThrow(ConfigError);
    }
    try {
      names({ ...none, excludeTools: ['purge_log'] });
    } catch (error) {
      expect((error as ConfigError).problems[0]?.message).toContain('unknown tool purge_log; known tools: create_item, list_items, list_logs, purge_logs');
    }
  });

  it('refuses a write tool named explicitly in read-only mode', () => {
    expect(() => names({ ...none, readOnly: true, tools: ['create_item'] })).toThrow(/--read-only forbids/);
  });
});
