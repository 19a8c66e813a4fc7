import { defineTool, inputRequired, jsonSchemaInput, readOnly, textBlock, toolContent } from '@bastion-mcp/core';

const annotations = readOnly({ openWorld: false });

export const missingCapability = defineTool({
  name: 'test_missing_capability',
  description: 'Needs the sampling capability; refused for clients that did not declare it (SEP-2575).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    if (ctx.input.response('sample').kind !== 'sampling') {
      return ctx.input.request({
        sample: inputRequired.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: 'Ping.' } }],
          maxTokens: 10,
        }),
      });
    }
    return toolContent([textBlock('Sampled.')]);
  },
});

export const streamingElicitation = defineTool({
  name: 'test_streaming_elicitation',
  description: 'Elicits through an input-required result, never a pushed server request (SEP-2575).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    if (!ctx.input.accepted('answer')) {
      return ctx.input.request({
        answer: inputRequired.elicit({
          message: 'Answer?',
          requestedSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
        }),
      });
    }
    return toolContent([textBlock('Answered.')]);
  },
});

export const loggingTool = defineTool({
  name: 'test_logging_tool',
  description: 'Logs while it runs; silent unless the request asked for log messages (SEP-2575).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    await ctx.peer.log('info', 'test_logging_tool ran');
    return toolContent([textBlock('Logging tool executed.')]);
  },
});

export const triggerToolChange = defineTool({
  name: 'test_trigger_tool_change',
  description: 'Publishes a tools/list_changed event to listening clients (SEP-2575).',
  scopes: [],
  annotations,
  handler(_args, ctx) {
    ctx.notify.toolsChanged();
    return toolContent([textBlock('Tool list change published.')]);
  },
});

export const triggerPromptChange = defineTool({
  name: 'test_trigger_prompt_change',
  description: 'Publishes a prompts/list_changed event to listening clients (SEP-2575).',
  scopes: [],
  annotations,
  handler(_args, ctx) {
    ctx.notify.promptsChanged();
    return toolContent([textBlock('Prompt list change published.')]);
  },
});

export const customHeader = defineTool({
  name: 'test_custom_header_tool',
  description: 'Declares an x-mcp-header parameter so the Mcp-Param header is validated (SEP-2243).',
  scopes: [],
  annotations,
  input: jsonSchemaInput<{ message: string }>({
    type: 'object',
    properties: { message: { type: 'string', 'x-mcp-header': 'Message' } },
    required: ['message'],
    additionalProperties: false,
  }),
  handler: ({ message }) => toolContent([textBlock(`Message: ${message}`)]),
});
