import { definePrompt, embeddedTextBlock, imageBlock, inputRequired, userMessage } from '@bastion-mcp/core';
import { z } from 'zod';
import { PNG_PIXEL } from '../assets.js';

export const simplePrompt = definePrompt({
  name: 'test_simple_prompt',
  title: 'Simple Test Prompt',
  description: 'A simple prompt without arguments',
  scopes: [],
  get: () => ({ messages: [userMessage('This is a simple prompt for testing.')] }),
});

export const promptWithArguments = definePrompt({
  name: 'test_prompt_with_arguments',
  title: 'Prompt With Arguments',
  description: 'A prompt with required arguments',
  scopes: [],
  args: z.object({
    arg1: z.string().describe('First test argument'),
    arg2: z.string().describe('Second test argument'),
  }),
  complete: { arg1: (value) => ['testAlpha', 'testBeta', 'gamma'].filter((option) => option.startsWith(value)) },
  get: ({ arg1, arg2 }) => ({ messages: [userMessage(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`)] }),
});

export const promptWithEmbeddedResource = definePrompt({
  name: 'test_prompt_with_embedded_resource',
  title: 'Prompt With Embedded Resource',
  description: 'A prompt that includes an embedded resource',
  scopes: [],
  args: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
  get: ({ resourceUri }) => ({
    messages: [
      userMessage(embeddedTextBlock(resourceUri, 'Embedded resource content for testing.')),
      userMessage('Please process the embedded resource above.'),
    ],
  }),
});

export const promptWithImage = definePrompt({
  name: 'test_prompt_with_image',
  title: 'Prompt With Image',
  description: 'A prompt that includes image content',
  scopes: [],
  get: () => ({
    messages: [userMessage(imageBlock(PNG_PIXEL, 'image/png')), userMessage('Please analyze the image above.')],
  }),
});

export const inputRequiredPrompt = definePrompt({
  name: 'test_input_required_result_prompt',
  description: 'A prompt that asks the user for context before rendering (2026-07-28 MRTR).',
  scopes: [],
  async get(_args, ctx) {
    const answer = ctx.input.accepted('user_context', z.object({ context: z.string() }));
    if (!answer) {
      return ctx.input.request({
        user_context: inputRequired.elicit({
          message: 'What context should the prompt use?',
          requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] },
        }),
      });
    }
    return { messages: [userMessage(`Prompt with context: ${answer.context}`)] };
  },
});
