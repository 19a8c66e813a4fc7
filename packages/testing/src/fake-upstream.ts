import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Path parameters matched by `:name` segments of the route. */
  readonly params: Readonly<Record<string, string>>;
  /** The body parsed as JSON or as a form, when it is one. */
  json(): unknown;
  form(): URLSearchParams;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is a string. */
  body?: unknown;
}

export type FakeHandler = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeUpstream {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order, including unmatched ones. */
  readonly requests: RecordedRequest[];
  /** Replace or add routes while running. */
  route(key: string, handler: FakeHandler): void;
  close(): Promise<void>;
}

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: FakeHandler;
}

function compile(key: string, handler: FakeHandler): CompiledRoute {
  const [method, path] = key.split(' ', 2);
  if (!method || !path) throw new Error(`route "${key}" must look like "GET /path/:id"`);
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), names, handler };
}

/**
 * A stand-in for an upstream API on 127.0.0.1: a route table keyed by `"METHOD /path/:param"`
 * that records every request, so tests can point the real SDK client at it and assert on what
 * the connector sent. Unmatched requests get a 404 and stay in `requests`.
 */
export async function startFakeUpstream(routes: Record<string, FakeHandler> = {}): Promise<FakeUpstream> {
  const table = new Map<string, CompiledRoute>(Object.entries(routes).map(([key, handler]) => [key, compile(key, handler)]));
  const requests: RecordedRequest[] = [];
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(incoming.url ?? '/', 'http://fake.local');
    const method = (incoming.method ?? 'GET').toUpperCase();
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of table.values()) {
      const match = route.method === method ? route.pattern.exec(url.pathname) : null;
      if (match) {
        matched = {
          route,
          params: Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')])),
        };
        break;
      }
    }
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body,
      params: matched?.params ?? {},
      json: () => JSON.parse(body) as unknown,
      form: () => new URLSearchParams(body),
    };
    requests.push(recorded);
    try {
      const result = matched
        ? await matched.route.handler(recorded)
        : { status: 404, body: { message: `no fake route for ${method} ${url.pathname}` } };
      const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body ?? {});
      response.writeHead(result.status ?? 200, { 'content-type': 'application/json', ...result.headers });
      response.end(text);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `fake handler failed: ${(error as Error).message}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(key, handler) {
      table.set(key, compile(key, handler));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
