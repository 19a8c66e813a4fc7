import { connect } from 'node:net';
import { expect } from 'vitest';
import type { AuthenticationRefusal, AuthenticationResult, HttpAuthenticator, Principal } from '../src/index.js';
import { startRecordingServer } from './local-issuer.js';
import type { LocalServer } from './local-issuer.js';

export interface RawRequest {
  /** Header lines in order, sent byte for byte (UTF-8), so repeated and non-ASCII headers reach the server as a client sent them. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly path?: string;
  readonly host?: string;
}

export interface Harness {
  /** Sends a real HTTP request and returns what the authenticator decided for it. */
  send(request?: RawRequest): Promise<AuthenticationResult>;
  bearer(token: string, path?: string): Promise<AuthenticationResult>;
  close(): Promise<void>;
}

/** Runs an authenticator behind a real node:http server, as the transport does. */
export async function startHarness(authenticator: HttpAuthenticator): Promise<Harness> {
  const server: LocalServer = await startRecordingServer(async (_call, response, request) => {
    let text: string;
    try {
      text = JSON.stringify(await authenticator.authenticate(request));
    } catch (error) {
      text = JSON.stringify({ crashed: String(error) });
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), connection: 'close' });
    response.end(text);
  });
  const { port } = new URL(server.url);

  async function send(request: RawRequest = {}): Promise<AuthenticationResult> {
    const lines = [
      `GET ${request.path ?? '/mcp'} HTTP/1.1`,
      `Host: ${request.host ?? `127.0.0.1:${port}`}`,
      ...(request.headers ?? []).map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
      '',
      '',
    ];
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
      socket.write(Buffer.from(lines.join('\r\n'), 'utf8'));
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
    if (!head.startsWith('HTTP/1.1 200')) throw new Error(`the server refused the request itself: ${head.split('\r\n')[0]}`);
    const parsed = JSON.parse(body) as AuthenticationResult & { crashed?: string };
    if (parsed.crashed) throw new Error(`the authenticator threw: ${parsed.crashed}`);
    return parsed;
  }

  return {
    send,
    bearer: (token, path) => send({ headers: [['Authorization', `Bearer ${token}`]], ...(path ? { path } : {}) }),
    close: () => server.close(),
  };
}

export function expectPrincipal(result: AuthenticationResult): Principal {
  if (!result.ok) throw new Error(`expected an allow, got ${result.status}: ${result.message}`);
  return result.principal;
}

/** A refusal with this status whose message or headers never contain the credential. */
export function expectRefusal(result: AuthenticationResult, status: number, credential?: string): AuthenticationRefusal {
  if (result.ok) throw new Error(`expected a ${status} refusal, but ${result.principal.id} was let in`);
  expect(result.status).toBe(status);
  if (credential) {
    const text = JSON.stringify(result);
    // Not the credential, and not a piece of it (a JWT segment, the random part of a key).
    for (const piece of [credential, ...credential.split(/[._]/).filter((part) => part.length >= 8)]) expect(text).not.toContain(piece);
  }
  return result;
}

export function challengeOf(result: AuthenticationResult): string {
  return (result.ok ? undefined : result.headers?.['www-authenticate']) ?? '';
}
