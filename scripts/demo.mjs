#!/usr/bin/env node
// The main job on embedded defaults: serves the filesystem connector, read-only, on the sample
// project shipped in examples/, over Streamable HTTP on 127.0.0.1; checks it with a real MCP
// client (finding files, searching, reading, and being refused a secret); prints how to connect
// a desktop host; keeps serving until Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'apps', 'filesystem', 'dist', 'index.js');
const sample = join(root, 'examples', 'sample-project');
if (!existsSync(bin)) {
  process.stderr.write(`demo: ${bin} is missing; run pnpm build first\n`);
  process.exit(1);
}
const port = process.env.PORT ?? '8080';
const server = spawn(process.execPath, [bin, '--transport', 'http', '--host', '127.0.0.1', '--port', port, sample], {
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
  server.once('exit', (code) => reject(new Error(`the filesystem server exited with code ${code}`)));
}).catch((error) => {
  process.stderr.write(`demo: ${error.message}\n`);
  process.exit(1);
});

const client = new Client({ name: 'bastion-demo', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));
const protocol = client.getNegotiatedProtocolVersion();
const call = (name, args) => client.callTool({ name, arguments: args });
const { tools } = await client.listTools();
const found = await call('search_files', { path: sample, pattern: '*.ts' });
const todos = await call('grep_files', { path: sample, pattern: 'TODO', literal: true });
const readme = await call('read_text_file', { path: 'README.md', head: 1 });
const secret = await call('read_text_file', { path: '.env' });
await client.close();

const lines = (result) => result.structuredContent ?? {};
const text = (result) => result.content?.find((block) => block.type === 'text')?.text ?? '';
const desktop = { mcpServers: { 'sample-files': { command: 'node', args: [bin, sample] } } };
process.stdout.write(
  [
    '',
    `Bastion filesystem is serving ${sample} read-only at ${url} (protocol ${protocol}, ${tools.length} tools).`,
    `Self-check:`,
    `  search_files *.ts     -> ${(lines(found).matches ?? []).join(', ')}`,
    `  grep_files TODO       -> ${(lines(todos).matches ?? []).length} matches in ${new Set((lines(todos).matches ?? []).map((match) => match.path)).size} files`,
    `  read_text_file README -> ${JSON.stringify(lines(readme).content)}`,
    `  read_text_file .env   -> refused: ${text(secret).split('; ')[0]}`,
    '',
    'Use it from a desktop host over stdio (claude_desktop_config.json, Cursor mcp.json):',
    JSON.stringify(desktop, null, 2),
    '',
    'Add "--write" before the directory to enable the write tools.',
    'Or try the MCP inspector CLI (1.0.3 must run one level below a package.json, hence scripts/):',
    `  cd ${join(root, 'scripts')} && npx -y @modelcontextprotocol/inspector-cli --cli ${url} --transport http --method tools/list`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);
const stop = () => server.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.once('exit', (code) => process.exit(code ?? 0));
