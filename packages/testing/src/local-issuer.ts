import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload, JWTHeaderParameters } from 'jose';

// A local authorization server for tests of HTTP authentication: real keys, a real JWKS on
// 127.0.0.1, real signed tokens, and a server that records every request made to it.

/** The audience tokens carry by default. */
export const RESOURCE = 'https://mcp.example.com/mcp';

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface LocalServer {
  readonly url: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 that records every request before answering it. */
export async function startRecordingServer(
  handle: (call: RecordedCall, response: ServerResponse, request: IncomingMessage) => void | Promise<void>,
): Promise<LocalServer> {
  const calls: RecordedCall[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const call = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    calls.push(call);
    await handle(call, response, request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens. */
export async function closedPortUrl(path = '/'): Promise<string> {
  const server = await startRecordingServer((_call, response) => {
    response.end();
  });
  await server.close();
  return `${server.url}${path}`;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  response.end(text);
}

interface SigningKey {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface MintOptions {
  readonly kid?: string;
  /** Header fields added to or replacing the defaults (alg, kid, typ). */
  readonly header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
  /** Claims replacing the defaults; `undefined` removes one. */
  readonly claims?: Record<string, unknown>;
}

export interface LocalIssuer {
  /** The issuer identifier, which is also its base URL. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Requests made to the JWKS endpoint. */
  jwksFetches(): number;
  addKey(kid: string, alg: 'RS256' | 'ES256' | 'PS256' | 'EdDSA'): Promise<void>;
  /** Stops publishing a key (it can still sign, as a rotated-out key would). */
  unpublish(kid: string): void;
  /** Makes the JWKS endpoint answer 500 (true) or recover (false). */
  failJwks(failing: boolean): void;
  publicJwk(kid: string): JWK;
  privateKey(kid: string): CryptoKey;
  mint(options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * A real authorization server stand-in: jose-generated keys, a JWKS served on 127.0.0.1 and
 * tokens signed with those keys. Default claims make a valid access token for `resource`
 * (default RESOURCE) with `scope` (default items:read items:write).
 */
export async function startLocalIssuer(setup: { resource?: string; scope?: string } = {}): Promise<LocalIssuer> {
  const keys = new Map<string, SigningKey>();
  const published = new Set<string>();
  let failing = false;
  const server = await startRecordingServer((call, response) => {
    if (call.path !== '/jwks') return sendJson(response, 404, { error: 'not found' });
    if (failing) return sendJson(response, 500, { error: 'down' });
    sendJson(response, 200, { keys: [...published].map((kid) => keys.get(kid)!.publicJwk) });
  });
  const issuer = server.url;

  const local: LocalIssuer = {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    jwksFetches: () => server.calls.filter((call) => call.path === '/jwks').length,
    async addKey(kid, alg) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
      keys.set(kid, { alg, privateKey, publicJwk });
      published.add(kid);
    },
    unpublish(kid) {
      published.delete(kid);
    },
    failJwks(value) {
      failing = value;
    },
    publicJwk: (kid) => keys.get(kid)!.publicJwk,
    privateKey: (kid) => keys.get(kid)!.privateKey,
    async mint(options = {}) {
      const kid = options.kid ?? 'rsa-1';
      const key = keys.get(kid);
      if (!key) throw new Error(`no key ${kid}`);
      const claims: Record<string, unknown> = {
        iss: issuer,
        aud: setup.resource ?? RESOURCE,
        sub: 'alice',
        client_id: 'client-1',
        scope: setup.scope ?? 'items:read items:write',
        iat: now(),
        exp: now() + 300,
        jti: Math.random().toString(36).slice(2),
        ...options.claims,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      const header = { alg: key.alg, kid, typ: 'at+jwt', ...options.header } as JWTHeaderParameters;
      return new SignJWT(claims as JWTPayload).setProtectedHeader(header).sign(key.privateKey);
    },
    close: () => server.close(),
  };
  await local.addKey('rsa-1', 'RS256');
  await local.addKey('ec-1', 'ES256');
  return local;
}

export function epochSeconds(offset = 0): number {
  return now() + offset;
}
