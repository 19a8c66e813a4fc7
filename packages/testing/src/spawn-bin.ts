import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ChildProcessTransport, nonProtocolLines } from './child-transport.js';

export interface SpawnOptions {
  args?: string[];
  /** The child's whole environment besides PATH/HOME/NODE_*: nothing else leaks in. */
  env?: Record<string, string>;
  era?: 'legacy' | 'modern';
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  return { ...base, ...extra };
}

function clientFor(era: SpawnOptions['era']): Client {
  return new Client(
    { name: 'bastion-spawn-client', version: '0.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
}

/** Runs a built bin to completion (for --help, --version, bad config) and captures its output. */
export async function runBin(binPath: string, options: SpawnOptions & { input?: string; timeoutMs?: number } = {}): Promise<ExitResult> {
  const child = spawn(process.execPath, [binPath, ...(options.args ?? [])], {
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

export interface StdioSession {
  readonly client: Client;
  /** Every line the server wrote to stdout. */
  readonly stdoutLines: readonly string[];
  /** Lines of stdout that were not JSON-RPC (must stay empty). */
  nonProtocolLines(): string[];
  stderr(): string;
  /** Sends a signal and resolves with the exit code and signal. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal the server handles and goes on (SIGHUP, say); does not wait for anything. */
  signal(signal: NodeJS.Signals): void;
  /** Closes stdin and waits for the process to exit. */
  close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a built bin on stdio and connects a real SDK client to it. */
export async function spawnStdio(binPath: string, options: SpawnOptions = {}): Promise<StdioSession> {
  const child = spawn(process.execPath, [binPath, ...(options.args ?? [])], {
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const transport = new ChildProcessTransport(child);
  const client = clientFor(options.era);
  await client.connect(transport);
  const result = async () => {
    const [code, signal] = await exited;
    return { code, signal };
  };
  return {
    client,
    stdoutLines: transport.stdoutLines,
    nonProtocolLines: () => nonProtocolLines(transport.stdoutLines),
    stderr: () => stderr,
    async kill(signal = 'SIGTERM') {
      child.kill(signal);
      return result();
    },
    signal(signal) {
      child.kill(signal);
    },
    async close() {
      child.stdin.end();
      return result();
    },
  };
}

export interface HttpSession {
  readonly url: string;
  readonly baseUrl: string;
  /** Connects a new SDK client over Streamable HTTP. */
  connect(era?: 'legacy' | 'modern'): Promise<Client>;
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a built bin with --transport http on a free loopback port and waits until it serves. */
export async function spawnHttp(binPath: string, options: SpawnOptions = {}): Promise<HttpSession> {
  const child = spawn(
    process.execPath,
    [binPath, '--transport', 'http', '--host', '127.0.0.1', '--port', '0', ...(options.args ?? [])],
    { env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  const clients: Client[] = [];
  return {
    url,
    baseUrl: new URL(url).origin,
    async connect(era = options.era) {
      const client = clientFor(era);
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      clients.push(client);
      return client;
    },
    stderr: () => stderr,
    async kill(signal = 'SIGTERM') {
      child.kill(signal);
      const [code, exitSignal] = await exited;
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      return { code, signal: exitSignal };
    },
  };
}
