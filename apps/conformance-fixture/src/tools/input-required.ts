import { defineTool, inputRequired, readOnly, textBlock, toolContent } from '@bastion-mcp/core';
import type { InputRequest } from '@bastion-mcp/core';
import { z } from 'zod';

const annotations = readOnly({ openWorld: false });
const nameSchema = z.object({ name: z.string() });

const askName = (message: string) =>
  inputRequired.elicit({
    message,
    requestedSchema: { type: 'object', properties: { name: { type: 'string', description: 'Your name' } }, required: ['name'] },
  });

const confirmRequest = (message: string) =>
  inputRequired.elicit({
    message,
    requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
  });

export const irElicitation = defineTool({
  name: 'test_input_required_result_elicitation',
  description: 'Asks for the user name in an input-required round, then greets (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    const answer = ctx.input.accepted('user_name', nameSchema);
    if (!answer) return ctx.input.request({ user_name: askName('What is your name?') });
    return toolContent([textBlock(`Hello, ${answer.name}!`)]);
  },
});

export const irSampling = defineTool({
  name: 'test_input_required_result_sampling',
  description: 'Asks the client for one LLM completion in an input-required round (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    const view = ctx.input.response('sample_request');
    if (view.kind !== 'sampling') {
      return ctx.input.request({
        sample_request: inputRequired.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
          maxTokens: 100,
        }),
      });
    }
    const content = view.result.content as { type?: string; text?: string };
    return toolContent([textBlock(`Sampled: ${content.type === 'text' ? content.text : ''}`)]);
  },
});

export const irListRoots = defineTool({
  name: 'test_input_required_result_list_roots',
  description: 'Asks the client for its roots in an input-required round (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    const view = ctx.input.response('roots_request');
    if (view.kind !== 'roots') return ctx.input.request({ roots_request: inputRequired.listRoots() });
    return toolContent([textBlock(`Roots: ${view.roots.map((root) => root.uri).join(', ')}`)]);
  },
});

export const irRequestState = defineTool({
  name: 'test_input_required_result_request_state',
  description: 'Round-trips sealed request state with a confirmation (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    const answer = ctx.input.accepted('confirm', z.object({ ok: z.boolean() }));
    const state = ctx.input.state<{ step: string }>();
    if (!answer || state?.step !== 'confirm') {
      return ctx.input.request({ confirm: confirmRequest('Proceed?') }, { step: 'confirm' });
    }
    return toolContent([textBlock(`state-ok: confirmed=${String(answer.ok)}`)]);
  },
});

export const irMultipleInputs = defineTool({
  name: 'test_input_required_result_multiple_inputs',
  description: 'Asks for elicitation, sampling and roots in one round (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    const answered = ['user_name', 'greeting', 'client_roots'].some((key) => ctx.input.response(key).kind !== 'missing');
    if (!answered) {
      return ctx.input.request(
        {
          user_name: askName('Name?'),
          greeting: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Say hello.' } }],
            maxTokens: 50,
          }),
          client_roots: inputRequired.listRoots(),
        },
        { round: 1 },
      );
    }
    return toolContent([textBlock('All inputs received.')]);
  },
});

export const irMultiRound = defineTool({
  name: 'test_input_required_result_multi_round',
  description: 'Collects input over two sequential rounds before completing (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    const round = ctx.input.state<{ round: number }>()?.round ?? 0;
    if (round === 0) return ctx.input.request({ step1: askName('Step 1: your name?') }, { round: 1 });
    if (round === 1) {
      return ctx.input.request(
        {
          step2: inputRequired.elicit({
            message: 'Step 2: favourite colour?',
            requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
          }),
        },
        { round: 2 },
      );
    }
    return toolContent([textBlock('Multi-round flow complete.')]);
  },
});

export const irTamperedState = defineTool({
  name: 'test_input_required_result_tampered_state',
  description: 'Seals its state; a tampered state is refused before the handler runs (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    const answer = ctx.input.accepted('confirm');
    if (!answer || !ctx.input.state()) return ctx.input.request({ confirm: confirmRequest('Confirm?') }, { sealed: true });
    return toolContent([textBlock('State verified.')]);
  },
});

export const irCapabilities = defineTool({
  name: 'test_input_required_result_capabilities',
  description: 'Asks only for the kinds of input the client declared it supports (2026-07-28 MRTR).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    if (ctx.input.accepted('elicit_input') || ctx.input.response('sample_input').kind === 'sampling') {
      return toolContent([textBlock('Capability-scoped inputs received.')]);
    }
    const capabilities = ctx.peer.capabilities ?? {};
    const requests: Record<string, InputRequest> = {};
    if (capabilities.elicitation !== undefined) {
      requests.elicit_input = inputRequired.elicit({
        message: 'Provide input',
        requestedSchema: { type: 'object', properties: { value: { type: 'string' } }, required: ['value'] },
      });
    }
    if (capabilities.sampling !== undefined) {
      requests.sample_input = inputRequired.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: 'Say hi.' } }],
        maxTokens: 50,
      });
    }
    if (Object.keys(requests).length === 0) return toolContent([textBlock('The client declared no input capabilities.')]);
    return ctx.input.request(requests, { round: 1 });
  },
});
