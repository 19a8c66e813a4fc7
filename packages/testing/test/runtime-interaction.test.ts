import { afterEach, describe, expect, it } from 'vitest';
import { createTestClient, textOf } from '../src/index.js';
import type { TestClient } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

let session: TestClient | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe.each(['legacy', 'modern'] as const)('confirmation through input-required results (%s era)', (era) => {
  it('asks, and deletes only after a yes', async () => {
    const calls = { cancelled: 0, deleted: [] as string[] };
    session = await createTestClient(demoConnector(calls), { env: DEMO_ENV, era, capabilities: { elicitation: {} } });
    const asked: string[] = [];
    let answer = true;
    session.client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { confirm: answer } };
    });
    const yes = await session.callTool('delete_item', { id: 7 });
    expect(yes.structuredContent).toEqual({ deleted: true });
    expect(asked).toEqual(['Delete item 7?']);
    expect(calls.deleted).toEqual(['7']);

    answer = false;
    const no = await session.callTool('delete_item', { id: 8 });
    expect(no.structuredContent).toEqual({ deleted: false });
    expect(calls.deleted).toEqual(['7']);
  });
});

describe('progress and cancellation', () => {
  it('delivers progress notifications to the caller', async () => {
    session = await createTestClient(demoConnector(), { env: DEMO_ENV });
    const progress: number[] = [];
    const result = await session.client.callTool(
      { name: 'slow_count', arguments: { to: 3 } },
      { onprogress: (update) => progress.push(update.progress) },
    );
    expect(result.structuredContent).toEqual({ counted: 3 });
    expect(progress).toEqual([1, 2, 3]);
  });

  it('aborts the handler when the client cancels', async () => {
    const calls = { cancelled: 0, deleted: [] as string[] };
    session = await createTestClient(demoConnector(calls), { env: DEMO_ENV });
    const controller = new AbortController();
    const call = session.client.callTool({ name: 'slow_count', arguments: { to: 500 } }, { signal: controller.signal });
    setTimeout(() => controller.abort('user gave up'), 60);
    await expect(call).rejects.toThrow();
    await expect.poll(() => calls.cancelled, { timeout: 2_000 }).toBe(1);
    const audit = (await session.auditEvents()).find((event) => event.tool === 'slow_count');
    expect(audit?.outcome).toBe('cancelled');
  });
});

describe('scopes', () => {
  it('hides tools the principal lacks scopes for and refuses them like unknown tools', async () => {
    session = await createTestClient(demoConnector(), {
      env: DEMO_ENV,
      principal: { id: 'reader', kind: 'api-key', scopes: ['items:read'] },
    });
    const { tools } = await session.client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('get_item');
    expect(names).not.toContain('delete_item');
    await expect(session.callTool('delete_item', { id: 1 })).rejects.toThrow(/delete_item/);
    const ok = await session.callTool('get_item', { id: 1 });
    expect(textOf(ok)).toContain('item 1');
  });
});

describe('tools the configuration makes unavailable', () => {
  it('are not offered, and naming one in --tools is a configuration error with the reason', async () => {
    session = await createTestClient(demoConnector(), { env: { ...DEMO_ENV, DEMO_ALLOW_DELETE: 'false' } });
    expect((await session.client.listTools()).tools.map((tool) => tool.name)).not.toContain('delete_item');
    await expect(
      createTestClient(demoConnector(), { env: { ...DEMO_ENV, DEMO_ALLOW_DELETE: 'false' }, argv: ['--tools', 'delete_item'] }),
    ).rejects.toThrow('delete_item is unavailable: deleting is switched off (DEMO_ALLOW_DELETE=false)');
  });
});

describe('client roots', () => {
  it('are asked once per connection and again after the client says they changed', async () => {
    session = await createTestClient(demoConnector(), { env: DEMO_ENV, capabilities: { roots: { listChanged: true } } });
    let asked = 0;
    let roots = [{ uri: 'file:///work/a', name: 'a' }];
    session.client.setRequestHandler('roots/list', async () => {
      asked += 1;
      return { roots };
    });
    expect((await session.callTool('list_roots')).structuredContent).toEqual({ roots: ['file:///work/a'] });
    expect((await session.callTool('list_roots')).structuredContent).toEqual({ roots: ['file:///work/a'] });
    expect(asked).toBe(1);
    roots = [{ uri: 'file:///work/b', name: 'b' }];
    await session.client.sendRootsListChanged();
    await expect.poll(async () => (await session!.callTool('list_roots')).structuredContent).toEqual({ roots: ['file:///work/b'] });
    expect(asked).toBe(2);
  });

  it('are absent when the client offers none', async () => {
    session = await createTestClient(demoConnector(), { env: DEMO_ENV });
    expect((await session.callTool('list_roots')).structuredContent).toEqual({});
  });

  it('refuse access when the client declared roots but cannot list them', async () => {
    session = await createTestClient(demoConnector(), { env: DEMO_ENV, capabilities: { roots: {} } });
    session.client.setRequestHandler('roots/list', async () => {
      throw new Error('not today');
    });
    const result = await session.callTool('list_roots');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/declared roots but did not list them .*refused rather than widened/);
  });
});

describe('tool selection', () => {
  it('serves only read-only tools with --read-only', async () => {
    session = await createTestClient(demoConnector(), { env: DEMO_ENV, argv: ['--read-only'] });
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name)).not.toContain('delete_item');
    expect(tools.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
  });

  it('serves a modern client the same tools as a legacy one', async () => {
    const legacy = await createTestClient(demoConnector(), { env: DEMO_ENV, era: 'legacy' });
    const modern = await createTestClient(demoConnector(), { env: DEMO_ENV, era: 'modern' });
    try {
      expect(modern.client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(legacy.client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
      const [a, b] = await Promise.all([legacy.client.listTools(), modern.client.listTools()]);
      expect(b.tools.map((tool) => tool.name)).toEqual(a.tools.map((tool) => tool.name));
      const result = await modern.callTool('get_item', { id: 2 });
      expect(result.structuredContent).toEqual({ id: 2, name: 'item 2' });
    } finally {
      await legacy.close();
      await modern.close();
    }
  });
});
