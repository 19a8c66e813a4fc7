import { createTestClient, textOf } from '@bastion-mcp/testing';
import type { TestClient } from '@bastion-mcp/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { connector } from '../src/connector.js';

let session: TestClient | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

async function open(era: 'legacy' | 'modern') {
  session = await createTestClient(connector, { era, capabilities: { sampling: {}, elicitation: {}, roots: {} } });
  const asked: string[] = [];
  session.client.setRequestHandler('sampling/createMessage', async (request) => {
    asked.push(`sampling:${JSON.stringify(request.params.messages[0]?.content)}`);
    return { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'test-model' };
  });
  session.client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(`elicit:${request.params.message}`);
    return { action: 'accept', content: { response: 'yes', name: 'Ada', color: 'blue', ok: true } };
  });
  session.client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///home/ada', name: 'home' }] }));
  return { client: session, asked };
}

describe.each(['legacy', 'modern'] as const)('client requests from tools (%s era)', (era) => {
  it('asks the client for a completion', async () => {
    const { client, asked } = await open(era);
    const result = await client.callTool('test_sampling', { prompt: 'Capital of France?' });
    expect(textOf(result)).toBe('LLM response: Paris');
    expect(asked).toEqual(['sampling:{"type":"text","text":"Capital of France?"}']);
  });

  it('asks the user through the client and reports the answer', async () => {
    const { client, asked } = await open(era);
    const result = await client.callTool('test_elicitation', { message: 'Continue?' });
    expect(textOf(result)).toBe('User response: action=accept, content={"response":"yes","name":"Ada","color":"blue","ok":true}');
    expect(asked).toEqual(['elicit:Continue?']);
  });

  it('collects input over two rounds with sealed state', async () => {
    const { client, asked } = await open(era);
    const result = await client.callTool('test_input_required_result_multi_round');
    expect(textOf(result)).toBe('Multi-round flow complete.');
    expect(asked).toEqual(['elicit:Step 1: your name?', 'elicit:Step 2: favourite colour?']);
  });

  it('asks only for what the client declared it supports', async () => {
    session = await createTestClient(connector, { era, capabilities: {} });
    const result = await session.callTool('test_input_required_result_capabilities');
    expect(textOf(result)).toBe('The client declared no input capabilities.');
  });
});

describe('sealed request state (2026-07-28)', () => {
  it('refuses a tampered state before the tool runs again', async () => {
    session = await createTestClient(connector, { era: 'modern', capabilities: { elicitation: {} } });
    const first = (await session.client.request(
      { method: 'tools/call', params: { name: 'test_input_required_result_tampered_state', arguments: {} } },
      { allowInputRequired: true },
    )) as { resultType?: string; requestState?: string };
    expect(first.resultType).toBe('input_required');
    expect(first.requestState).toBeTruthy();
    const tampered = `${first.requestState!.slice(0, -2)}xx`;
    await expect(
      session.client.request(
        {
          method: 'tools/call',
          params: {
            name: 'test_input_required_result_tampered_state',
            arguments: {},
            inputResponses: { confirm: { action: 'accept', content: { ok: true } } },
            requestState: tampered,
          },
        },
        { allowInputRequired: true },
      ),
    ).rejects.toThrow(/Invalid or expired requestState/);
  });
});
