#!/usr/bin/env node
// The main job on embedded defaults: serves two connectors over Streamable HTTP on 127.0.0.1, the
// filesystem connector read-only on the sample project shipped in examples/, and the PostgreSQL
// connector on an embedded PostgreSQL holding a sample shop database (--demo); checks both with a
// real MCP client (finding, grepping and reading files, a planted .env refused; exploring the
// schema, querying, an attack refused, a health check); prints how to connect a desktop host;
// keeps serving until Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binOf = (app) => join(root, 'apps', app, 'dist', 'index.js');
const sample = join(root, 'examples', 'sample-project');
for (const app of ['filesystem', 'postgres']) {
  if (!existsSync(binOf(app))) {
    process.stderr.write(`demo: ${binOf(app)} is missing; run pnpm build first\n`);
    process.exit(1);
  }
}

// Each server runs in its own process group, so a Ctrl-C in the terminal reaches only this script,
// which asks each server to stop exactly once: a server takes a second signal as "exit now" and
// would leave its embedded database's files behind.
const servers = [];
let stopRequested = false;

function isRunning(server) {
  return server.child.exitCode === null && server.child.signalCode === null;
}

function askToStop(server) {
  if (server.asked || !isRunning(server)) return;
  server.asked = true;
  server.child.kill('SIGTERM');
}

/** Stops every server; one still starting is asked once it serves, when its shutdown can clean up. */
function stopAll() {
  stopRequested = true;
  for (const server of servers) if (server.serving) askToStop(server);
}

function onStopSignal() {
  if (!stopRequested) {
    stopAll();
    return;
  }
  process.stderr.write('demo: stopping at once (the embedded database\'s files are removed shortly after)\n');
  for (const server of servers) if (isRunning(server)) server.child.kill('SIGKILL');
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onStopSignal);
process.on('exit', () => {
  for (const server of servers) if (isRunning(server)) server.child.kill('SIGTERM');
});

/** Resolves once every server has exited, with the exit code this script should end with. */
function allExited() {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise((resolveExit) => {
          if (!isRunning(server)) resolveExit(server.child.exitCode ?? 1);
          else server.child.once('exit', (code) => resolveExit(code ?? 1));
        }),
    ),
  ).then((codes) => codes.find((code) => code !== 0) ?? 0);
}

/** Starts a connector over HTTP and resolves with its URL once it listens. */
function serve(app, port, args) {
  const child = spawn(process.execPath, [binOf(app), '--transport', 'http', '--host', '127.0.0.1', '--port', port, ...args], {
    stdio: ['ignore', 'inherit', 'pipe'],
    detached: true,
  });
  const server = { app, child, serving: false, asked: false };
  servers.push(server);
  return new Promise((resolveUrl, reject) => {
    let seen = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      process.stderr.write(chunk);
      if (server.serving) return;
      seen += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(seen);
      if (!match) return;
      server.serving = true;
      if (stopRequested) askToStop(server);
      resolveUrl(match[1]);
    });
    child.once('error', (error) => reject(new Error(`the ${app} server could not start: ${error.message}`)));
    child.once('exit', (code, signal) => reject(new Error(`the ${app} server exited with ${signal ?? `code ${code}`}`)));
  });
}

async function connect(url) {
  const client = new Client({ name: 'bastion-demo', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const data = (result) => result.structuredContent ?? {};
const text = (result) => result.content?.find((block) => block.type === 'text')?.text ?? '';
const firstSentence = (result) => text(result).split('. ')[0];

async function checkFiles(url) {
  const client = await connect(url);
  const call = (name, args) => client.callTool({ name, arguments: args });
  const { tools } = await client.listTools();
  const found = await call('search_files', { path: sample, pattern: '*.ts' });
  const todos = await call('grep_files', { path: sample, pattern: 'TODO', literal: true });
  const readme = await call('read_text_file', { path: 'README.md', head: 1 });
  const secret = await call('read_text_file', { path: '.env' });
  const protocol = client.getNegotiatedProtocolVersion();
  await client.close();
  const matches = data(todos).matches ?? [];
  return [
    `Bastion filesystem is serving ${sample} read-only at ${url} (protocol ${protocol}, ${tools.length} tools).`,
    '  search_files *.ts     -> ' + (data(found).matches ?? []).join(', '),
    `  grep_files TODO       -> ${matches.length} matches in ${new Set(matches.map((match) => match.path)).size} files`,
    `  read_text_file README -> ${JSON.stringify(data(readme).content)}`,
    `  read_text_file .env   -> refused: ${text(secret).split('; ')[0]}`,
  ];
}

async function checkDatabase(url) {
  const client = await connect(url);
  const call = async (name, args) => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError && name !== 'query') throw new Error(`${name} failed: ${text(result)}`);
    return result;
  };
  const { tools } = await client.listTools();
  const search = data(await call('search_schema', { query: 'order' }));
  const orders = data(await call('describe_table', { table: 'shop.orders' }));
  const statuses = data(await call('query', { sql: 'select status, count(*) as orders from shop.orders group by 1 order by 2 desc' }));
  const attack = await call('query', { sql: 'COMMIT; DROP TABLE shop.orders' });
  const health = data(await call('db_health', {}));
  const protocol = client.getNegotiatedProtocolVersion();
  await client.close();
  if (!attack.isError) throw new Error('the demo database accepted a stacked DROP TABLE');
  return [
    `Bastion PostgreSQL is serving a sample shop database (embedded PostgreSQL, read-only role) at ${url} (protocol ${protocol}, ${tools.length} tools).`,
    `  search_schema order   -> ${(search.hits ?? []).slice(0, 6).map((hit) => [hit.schema, hit.table, hit.name].filter(Boolean).join('.')).join(', ')}${(search.hits ?? []).length > 6 ? ', ...' : ''}`,
    `  describe_table        -> shop.orders: ${(orders.columns ?? []).length} columns, ${(orders.indexes ?? []).length} indexes, ${(orders.constraints ?? []).length} constraints`,
    `  query by status       -> ${(statuses.rows ?? []).map(([status, count]) => `${status} ${count}`).join(', ')}`,
    `  COMMIT; DROP TABLE    -> refused: ${firstSentence(attack)}`,
    `  db_health             -> ${health.status}: ${health.summary}${(health.checks ?? []).filter((check) => check.status !== 'ok').map((check) => `; ${check.check}: ${check.summary}`).join('')}`,
  ];
}

const port = process.env.PORT ?? '8080';
const databasePort = process.env.POSTGRES_DEMO_PORT ?? String(Number(port) + 1);
let report;
try {
  const [filesUrl, databaseUrl] = await Promise.all([serve('filesystem', port, [sample]), serve('postgres', databasePort, ['--demo'])]);
  report = [...(await checkFiles(filesUrl)), '', ...(await checkDatabase(databaseUrl))];
} catch (error) {
  // Stopped while starting: the servers' exits are the expected end, not a failure.
  if (!stopRequested) process.stderr.write(`demo: ${error.message}\n`);
  const failed = !stopRequested;
  stopAll();
  const code = await allExited();
  process.exit(failed ? 1 : code);
}
if (stopRequested) process.exit(await allExited());

const desktop = {
  mcpServers: {
    'sample-files': { command: 'node', args: [binOf('filesystem'), sample] },
    'sample-shop-db': { command: 'node', args: [binOf('postgres'), '--demo'] },
    'my-database': { command: 'node', args: [binOf('postgres')], env: { POSTGRES_URL: 'postgres://reader:password@localhost:5432/mydb' } },
  },
};
process.stdout.write(
  [
    '',
    ...report,
    '',
    'Use them from a desktop host over stdio (claude_desktop_config.json, Cursor mcp.json):',
    JSON.stringify(desktop, null, 2),
    '',
    'Add "--write" before the directory to enable the file write tools. For your own database, connect as a',
    'read-only role (apps/postgres/README.md has the SQL).',
    'Or try the MCP inspector CLI (1.0.3 must run one level below a package.json, hence scripts/):',
    `  cd ${join(root, 'scripts')} && npx -y @modelcontextprotocol/inspector-cli --cli http://127.0.0.1:${port}/mcp --transport http --method tools/list`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);
for (const server of servers) server.child.once('exit', () => stopAll());
process.exit(await allExited());
