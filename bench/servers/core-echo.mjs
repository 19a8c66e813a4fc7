#!/usr/bin/env node
// The subject: the same echo tool as bare-echo.mjs, defined with the Bastion core and served by
// runConnector (its CLI, config, audit log and transports). Usage: core-echo.mjs [--transport http ...]
import { defineConnector, defineTool, readOnly, runConnector } from '@bastion-mcp/core';
import { z } from 'zod';

const echo = defineTool({
  name: 'echo',
  description: 'Returns the message it was given.',
  scopes: [],
  annotations: readOnly({ openWorld: false }),
  input: z.object({ message: z.string().max(10_000) }),
  output: z.object({ message: z.string() }),
  handler: ({ message }) => ({ message }),
});

await runConnector(defineConnector({ name: 'core-echo', version: '1.0.0', description: 'One echo tool.', tools: [echo] }));
