#!/usr/bin/env node
// The baseline: a bare MCP SDK v2 server with the same echo tool as the core-defined one (zod input
// and output schemas, structuredContent plus a JSON text block), served the way the SDK documents.
// Usage: bare-echo.mjs stdio | bare-echo.mjs http PORT
// Each mode imports only what it serves with, as a careful SDK user would write it.
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

function buildServer() {
  const server = new McpServer({ name: 'bare-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    'echo',
    {
      description: 'Returns the message it was given.',
      inputSchema: z.object({ message: z.string().max(10_000) }),
      outputSchema: z.object({ message: z.string() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ message }) => {
      const output = { message };
      return { content: [{ type: 'text', text: JSON.stringify(output) }], structuredContent: output };
    },
  );
  return server;
}

const [mode = 'stdio', port = '0'] = process.argv.slice(2);
if (mode === 'stdio') {
  const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
  serveStdio(buildServer);
} else {
  const { createServer } = await import('node:http');
  const { createMcpHandler } = await import('@modelcontextprotocol/server');
  const { localhostHostValidation, localhostOriginValidation, toNodeHandler } = await import('@modelcontextprotocol/node');
  const handler = toNodeHandler(createMcpHandler(buildServer));
  const checkHost = localhostHostValidation();
  const checkOrigin = localhostOriginValidation();
  createServer((request, response) => {
    if (!checkHost(request, response) || !checkOrigin(request, response)) return;
    void handler(request, response);
  }).listen(Number(port), '127.0.0.1');
}
