import { createTestClient, spawnStdio } from '@bastion-mcp/testing';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connector } from '../src/connector.js';

const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('notifications to a connected client', () => {
  it('delivers list changes published by a tool over stdio', async () => {
    const session = await spawnStdio(bin);
    const seen: string[] = [];
    session.client.setNotificationHandler('notifications/tools/list_changed', async () => void seen.push('tools'));
    session.client.setNotificationHandler('notifications/prompts/list_changed', async () => void seen.push('prompts'));
    await session.client.callTool({ name: 'test_trigger_tool_change', arguments: {} });
    await session.client.callTool({ name: 'test_trigger_prompt_change', arguments: {} });
    await expect.poll(() => seen.sort()).toEqual(['prompts', 'tools']);
    await session.close();
  });

  it('sends log messages and progress during a call', async () => {
    const session = await createTestClient(connector);
    const logged: unknown[] = [];
    session.client.setNotificationHandler('notifications/message', async (note) => void logged.push(note.params.data));
    await session.callTool('test_tool_with_logging');
    const progress: number[] = [];
    await session.client.callTool({ name: 'test_tool_with_progress', arguments: {} }, { onprogress: (update) => progress.push(update.progress) });
    expect(logged).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);
    expect(progress).toEqual([0, 50, 100]);
    await session.close();
  });

  it('stops delivering to a connection once it closes', async () => {
    const session = await createTestClient(connector);
    const { notifier } = session.runtime;
    expect(notifier.size).toBe(1);
    await session.close();
    expect(notifier.size).toBe(0);
  });
});
