import { defineTool, jsonSchemaInput, readOnly, textBlock, toolContent } from '@bastion-mcp/core';
import { z } from 'zod';

export const jsonSchema202012 = defineTool({
  name: 'json_schema_2020_12_tool',
  description: 'Advertises a JSON Schema 2020-12 input with $defs, $ref and conditionals (SEP-1613).',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  input: jsonSchemaInput<Record<string, unknown>>({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: {
      address: {
        $anchor: 'addressDef',
        type: 'object',
        properties: { street: { type: 'string' }, city: { type: 'string' } },
      },
    },
    properties: {
      name: { type: 'string' },
      address: { $ref: '#/$defs/address' },
      contactMethod: { type: 'string', enum: ['phone', 'email'] },
      phone: { type: 'string' },
      email: { type: 'string' },
    },
    allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
    if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
    then: { required: ['phone'] },
    else: { required: ['email'] },
    additionalProperties: false,
  }),
  handler: (args) => toolContent([textBlock(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`)]),
});

/** The benchmark's subject: a plain core tool with input and output schemas. */
export const echo = defineTool({
  name: 'echo',
  description: 'Returns the message it was given; used to measure the per-call cost of the runtime.',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  input: z.object({ message: z.string().max(10_000).describe('Text to send back') }),
  output: z.object({ message: z.string() }),
  handler: ({ message }) => ({ message }),
});
