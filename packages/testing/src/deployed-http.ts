// Talking to a deployed connector over Streamable HTTP: where it says it listens, an SDK client
// with a bearer token, and single tools/call requests whose HTTP status and headers matter.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { ServerProcess } from './deployed-target.js';

/** Waits for the server's start-up log line naming its URL (it listens on a port of its choosing). */
export async function listeningUrl(server: ServerProcess, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /"url":"(http:\/\/[^"]+)"/.exec(server.stderr());
    if (match?.[1]) return match[1];
    if (!server.running()) {
      const status = await server.exited();
      throw new Error(`the server exited (code ${status.code}, signal ${status.signal}) before listening:\n${server.stderr().slice(-3000)}`);
    }
    if (Date.now() > deadline) throw new Error(`the server did not listen within ${timeoutMs / 1000} s:\n${server.stderr().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A 2026-07-28 client (stateless, as replicas serve it) sending the token on every request. */
export async function connectWithToken(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'bastion-deployed-suite', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** One tools/call in the 2025-11-25 form, which needs no session; without a token when `token` is undefined. */
export async function postToolCall(url: string, name: string, args: Record<string, unknown>, token?: string): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}
