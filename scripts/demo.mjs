#!/usr/bin/env node
// The main job on embedded defaults: serves the conformance fixture (the connector every Bastion
// runtime feature is exercised through) over Streamable HTTP on 127.0.0.1, checks it with a real
// MCP client, prints how to connect a desktop host, and keeps serving until Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'apps', 'conformance-fixture', 'dist', 'index.js');
if (!existsSync(bin)) {
  process.stderr.write(`demo: ${bin} is missing; run pnpm build first\n`);
  process.exit(1);
}
const port = process.env.PORT ?? '8080';
const server = spawn(process.execPath, [bin, '--transport', 'http', '--host', '127.0.0.1', '--port', port], {
  stdio: ['ignore', 'inherit', 'pipe'],
});
const url = await new Promise((resolveUrl, reject) => {
  let seen = '';
  server.stderr.setEncoding('utf8').on('data', (chunk) => {
    process.stderr.write(chunk);
    seen += chunk;
    const match = /"url":"(http:\/\/[^"]+)"/.exec(seen);
    if (match) resolveUrl(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`server exited with code ${code}`)));
}).catch((error) => {
  process.stderr.write(`demo: ${error.message}\n`);
  process.exit(1);
});

const client = new Client({ name: 'bastion-demo', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));
const protocol = client.getNegotiatedProtocolVersion();
const { tools } = await client.listTools();
const echo = await client.callTool({ name: 'echo', arguments: { message: 'hello from the demo' } });
await client.close();

const desktop = { mcpServers: { 'bastion-fixture': { command: 'node', args: [bin] } } };
process.stdout.write(
  [
    '',
    `Bastion is serving ${tools.length} tools at ${url} (protocol ${protocol}).`,
    `Self-check: echo returned ${JSON.stringify(echo.structuredContent)}.`,
    '',
    'Try it with the MCP inspector CLI (1.0.3 must run one level below a package.json, hence scripts/):',
    `  cd ${join(root, 'scripts')} && npx -y @modelcontextprotocol/inspector-cli --cli ${url} --transport http --method tools/list`,
    '',
    'Or use it from a desktop host over stdio (claude_desktop_config.json, Cursor mcp.json):',
    JSON.stringify(desktop, null, 2),
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);
const stop = () => server.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.once('exit', (code) => process.exit(code ?? 0));
