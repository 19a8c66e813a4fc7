import { ToolError, defineTool, inputRequired, readOnly, textBlock, toolContent } from '@bastion-mcp/core';
import type { InputResponseView } from '@bastion-mcp/core';
import { z } from 'zod';

const annotations = readOnly({ openWorld: false });

type ElicitSchema = Parameters<typeof inputRequired.elicit>[0]['requestedSchema'];

function samplingText(view: InputResponseView): string {
  if (view.kind !== 'sampling') throw new ToolError('The client returned no sampling result.');
  const raw: unknown = view.result.content;
  const blocks = Array.isArray(raw) ? raw : [raw];
  return blocks
    .map((block: { type?: string; text?: string }) => (block?.type === 'text' ? (block.text ?? '') : ''))
    .join('');
}

function elicitationSummary(view: InputResponseView, prefix: string): string {
  if (view.kind !== 'elicit') throw new ToolError('The client returned no elicitation result.');
  return `${prefix}: action=${view.action}, content=${JSON.stringify(view.content ?? {})}`;
}

export const sampling = defineTool({
  name: 'test_sampling',
  description: 'Asks the client for an LLM completion of the prompt (conformance: tools-call-sampling).',
  scopes: [],
  annotations,
  input: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
  async handler({ prompt }, ctx) {
    const view = ctx.input.response('completion');
    if (view.kind === 'missing') {
      return ctx.input.request({
        completion: inputRequired.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
          maxTokens: 100,
        }),
      });
    }
    return toolContent([textBlock(`LLM response: ${samplingText(view)}`)]);
  },
});

function elicitingTool(name: string, description: string, message: string | undefined, schema: ElicitSchema, prefix: string) {
  return defineTool({
    name,
    description,
    scopes: [],
    annotations,
    input: message === undefined ? z.object({ message: z.string().describe('The message to show the user') }) : z.object({}),
    async handler(args, ctx) {
      const view = ctx.input.response('form');
      if (view.kind === 'missing') {
        const shown = (args as { message?: string }).message ?? message ?? '';
        return ctx.input.request({ form: inputRequired.elicit({ message: shown, requestedSchema: schema }) });
      }
      return toolContent([textBlock(elicitationSummary(view, prefix))]);
    },
  });
}

export const elicitation = elicitingTool(
  'test_elicitation',
  'Asks the user for input through the client (conformance: tools-call-elicitation).',
  undefined,
  {
    type: 'object',
    properties: { response: { type: 'string', description: "User's response" } },
    required: ['response'],
  },
  'User response',
);

export const elicitationDefaults = elicitingTool(
  'test_elicitation_sep1034_defaults',
  'Asks for a form whose every field has a default value (conformance: elicitation-sep1034-defaults).',
  'Please review and update the form fields with defaults',
  {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'User name', default: 'John Doe' },
      age: { type: 'integer', description: 'User age', default: 30 },
      score: { type: 'number', description: 'User score', default: 95.5 },
      status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
      verified: { type: 'boolean', description: 'Verification status', default: true },
    },
    required: [],
  } as ElicitSchema,
  'Elicitation completed',
);

export const elicitationEnums = elicitingTool(
  'test_elicitation_sep1330_enums',
  'Asks for a form with every enum variant (conformance: elicitation-sep1330-enums).',
  'Please select options from the enum fields',
  {
    type: 'object',
    properties: {
      untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
      titledSingle: {
        type: 'string',
        description: 'Select one option with titles',
        oneOf: [
          { const: 'value1', title: 'First Option' },
          { const: 'value2', title: 'Second Option' },
          { const: 'value3', title: 'Third Option' },
        ],
      },
      legacyEnum: {
        type: 'string',
        description: 'Select one option (legacy)',
        enum: ['opt1', 'opt2', 'opt3'],
        enumNames: ['Option One', 'Option Two', 'Option Three'],
      },
      untitledMulti: {
        type: 'array',
        description: 'Select multiple options',
        minItems: 1,
        maxItems: 3,
        items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
      },
      titledMulti: {
        type: 'array',
        description: 'Select multiple options with titles',
        minItems: 1,
        maxItems: 3,
        items: {
          anyOf: [
            { const: 'value1', title: 'First Choice' },
            { const: 'value2', title: 'Second Choice' },
            { const: 'value3', title: 'Third Choice' },
          ],
        },
      },
    },
    required: [],
  } as ElicitSchema,
  'Elicitation completed',
);
