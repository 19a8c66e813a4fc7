// The load test of a connector served over Streamable HTTP with JWT authentication (a real local
// issuer) and a per-principal rate limit, on loopback only and bounded in time: 31 principals that
// pace their calls under the limit and one that calls as fast as it can, for BASTION_LOAD_SECONDS
// (default 30). The limit must hold for the fast one (429 with Retry-After, never more successes
// than its bucket allows) while the others see no error, only right answers, and sane latency.
// A second, shorter run floods the server with oversized, chunked and unfinished bodies instead.
//
// Clients are raw keep-alive node:http connections speaking the 2026-07-28 protocol (stateless
// requests, each carrying the _meta envelope), one connection per principal: 32 SDK clients would
// cost more CPU than the server on a 2-core machine. Each client connects from a loopback address of
// its own (127.0.1.N for the allowed principals, 127.0.2.N for the abusive ones), as distinct hosts
// would, so the per-peer connection caps apply as in a deployment.
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRuntime, loadConfig } from '@bastion-mcp/core';
import { serveOverHttp } from '@bastion-mcp/core/http';
import type { HttpHandle } from '@bastion-mcp/core/http';
import { createLogger } from '@bastion-mcp/logging';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer } from '../src/index.js';
import type { LocalIssuer } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const RESOURCE = 'https://mcp.example.com/mcp';
/** The loopback address client `index` of `group` (1: allowed principals, 2: abusive ones) connects from. */
const fromAddress = (group: 1 | 2, index: number) => `127.0.${group}.${index + 1}`;
const MODERN = '2026-07-28';
const requested = Number(process.env.BASTION_LOAD_SECONDS);
const SECONDS = Number.isFinite(requested) && requested > 0 ? requested : 30;
const FLOOD_SECONDS = Math.max(3, Math.round(SECONDS / 3));
const ALLOWED_PRINCIPALS = 31;
// The bucket: RATE.count tokens per RATE.periodMs, holding at most RATE.burst (a burst unlike the
// count, so that a bound computed from the wrong one fails).
const RATE = { text: '4/s burst=8', count: 4, periodMs: 1_000, burst: 8 };
// Each allowed principal starts a call at most every PACE_MS, 2.5/s against a refill of 4/s.
const PACE_MS = 400;
const P99_BOUND_MS = 2_000;
const ITEMS = 25;
const MAX_BODY_BYTES = 64 * 1024;

let issuer: LocalIssuer;
let handle: HttpHandle | undefined;
const audit = { ok: new Map<string, number>(), denied: new Map<string, number>(), other: 0 };

beforeAll(async () => {
  issuer = await startLocalIssuer({ resource: RESOURCE });
});
afterAll(async () => {
  await issuer?.close();
});
afterEach(async () => {
  await handle?.close();
  handle = undefined;
  audit.ok.clear();
  audit.denied.clear();
  audit.other = 0;
});

const bump = <K>(counts: Map<K, number>, key: K) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** Counts audit events by principal and outcome rather than keeping tens of thousands of lines. */
function countAudit(chunk: string): void {
  for (const line of chunk.split('\n')) {
    if (!line.includes('"stream":"audit"')) continue;
    const event = (JSON.parse(line) as { audit: { principal: string; outcome: string; decision?: string } }).audit;
    // Principals are qualified by where they come from: jwt:<issuer>#<sub>.
    const sub = event.principal.slice(event.principal.lastIndexOf('#') + 1);
    if (event.outcome === 'ok') bump(audit.ok, sub);
    else if (event.outcome === 'denied' && event.decision === 'denied by rate:principal') bump(audit.denied, sub);
    else audit.other += 1;
  }
}

async function start(env: Record<string, string>): Promise<URL> {
  const logger = createLogger({
    name: 'bastion-demo',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (countAudit(chunk.toString()), done()) }),
  });
  const connector = demoConnector();
  const settings = {
    ...DEMO_ENV,
    DEMO_ITEMS: String(ITEMS),
    BASTION_RESOURCE_URL: RESOURCE,
    BASTION_AUTH_ISSUERS: issuer.issuer,
    BASTION_AUTH_JWKS_URLS: issuer.jwksUrl,
    BASTION_RATE_LIMIT: RATE.text,
    ...env,
  };
  const runtime = await createRuntime(connector, loadConfig(connector, { argv: ['--port', '0'], env: settings }), { logger });
  handle = await serveOverHttp(runtime);
  return new URL(handle.url);
}

/** A token for `sub` that outlives the run. */
const tokenFor = (sub: string) => issuer.mint({ claims: { sub, scope: 'items:read', exp: Math.floor(Date.now() / 1000) + SECONDS + 600 } });

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One JSON body POSTed on the client's own keep-alive connection. */
function post(url: URL, agent: http.Agent, headers: Record<string, string>, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

interface JsonRpcReply {
  id?: unknown;
  result?: { isError?: boolean; structuredContent?: unknown };
  error?: { message?: string; data?: { retryAfterSeconds?: unknown } };
}

/** The JSON-RPC message of a reply, whether the server answered with JSON or an event stream. */
function messageOf(reply: Reply): JsonRpcReply {
  if (!/event-stream/.test(String(reply.headers['content-type']))) return JSON.parse(reply.body) as JsonRpcReply;
  const messages = reply.body
    .split('\n')
    .filter((line) => line.startsWith('data:') && line.length > 5)
    .map((line) => JSON.parse(line.slice(5)) as JsonRpcReply);
  const answer = messages.find((message) => 'result' in message || 'error' in message);
  if (!answer) throw new Error(`no result in the event stream: ${reply.body.slice(0, 200)}`);
  return answer;
}

/** A stateless 2026-07-28 get_item call as a client sends it: headers and the _meta envelope. */
function getItemCall(id: number, itemId: number): { headers: Record<string, string>; body: string } {
  return {
    headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'get_item' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: {
        name: 'get_item',
        arguments: { id: itemId },
        _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} },
      },
    }),
  };
}

/** Why a reply is not the right answer to get_item(itemId) as request `id`, or undefined when it is. */
function wrongAnswer(reply: Reply, id: number, itemId: number): string | undefined {
  if (reply.status !== 200) return `HTTP ${reply.status}: ${reply.body.slice(0, 200)}`;
  const message = messageOf(reply);
  if (message.id !== id) return `answer to request ${String(message.id)} instead of ${id}`;
  if (message.error) return `JSON-RPC error: ${message.error.message}`;
  if (message.result?.isError) return `tool error: ${JSON.stringify(message.result).slice(0, 200)}`;
  const item = message.result?.structuredContent as { id?: unknown; name?: unknown } | undefined;
  if (item?.id !== itemId || item.name !== `item ${itemId}`) return `wrong item: ${JSON.stringify(item)}`;
  return undefined;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;

interface PacedResult {
  readonly sub: string;
  calls: number;
  readonly problems: string[];
  readonly latencies: number[];
}

/** A well-behaved principal: one call in flight, starts at least PACE_MS apart, every answer checked. */
async function pacedPrincipal(url: URL, sub: string, localAddress: string, offsetMs: number, until: number): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress });
  const token = await tokenFor(sub);
  const result: PacedResult = { sub, calls: 0, problems: [], latencies: [] };
  await sleep(offsetMs);
  try {
    while (performance.now() < until) {
      const started = performance.now();
      const id = result.calls + 1;
      const itemId = (id % ITEMS) + 1;
      const call = getItemCall(id, itemId);
      try {
        const reply = await post(url, agent, { authorization: `Bearer ${token}`, ...call.headers }, call.body);
        const problem = wrongAnswer(reply, id, itemId);
        if (problem) result.problems.push(problem);
      } catch (error) {
        result.problems.push(`request failed: ${(error as Error).message}`);
      }
      result.latencies.push(performance.now() - started);
      result.calls += 1;
      const wait = started + PACE_MS - performance.now();
      if (wait > 0) await sleep(wait);
    }
  } finally {
    agent.destroy();
  }
  return result;
}

interface FloodResult {
  readonly successes: number;
  readonly limited: number;
  readonly problems: string[];
  /** From before the first request was sent to after the last answer arrived, in ms. */
  readonly windowMs: number;
}

/** The limited principal: calls back to back, as fast as answers come, until `until`. */
async function floodingPrincipal(url: URL, sub: string, until: number): Promise<FloodResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: fromAddress(2, 0) });
  const token = await tokenFor(sub);
  let successes = 0;
  let limited = 0;
  const problems: string[] = [];
  const first = performance.now();
  try {
    for (let id = 1; performance.now() < until; id += 1) {
      const itemId = (id % ITEMS) + 1;
      const call = getItemCall(id, itemId);
      const reply = await post(url, agent, { authorization: `Bearer ${token}`, ...call.headers }, call.body);
      if (reply.status === 429) {
        limited += 1;
        const retryAfter = reply.headers['retry-after'];
        const message = messageOf(reply);
        // 4/s refills a token every 250 ms: the wait is always under a second, so 1.
        if (retryAfter !== '1') problems.push(`Retry-After ${String(retryAfter)}`);
        if (message.id !== id || message.error?.data?.retryAfterSeconds !== 1 || !/rate limit/.test(message.error.message ?? '')) {
          problems.push(`429 body: ${reply.body.slice(0, 200)}`);
        }
      } else {
        const problem = wrongAnswer(reply, id, itemId);
        if (problem) problems.push(problem);
        else successes += 1;
      }
    }
  } finally {
    agent.destroy();
  }
  return { successes, limited, problems: problems.slice(0, 20), windowMs: performance.now() - first };
}

/** Runs the allowed principals, spread over one pacing period, until `until`. */
const allowedPrincipals = (url: URL, until: number) =>
  Promise.all(
    Array.from({ length: ALLOWED_PRINCIPALS }, (_, index) =>
      pacedPrincipal(url, `allowed-${String(index + 1).padStart(2, '0')}`, fromAddress(1, index), (index * PACE_MS) / ALLOWED_PRINCIPALS, until),
    ),
  );

/** What every allowed principal must show, whatever else the server is put through. */
function expectUndisturbed(results: readonly PacedResult[], seconds: number): { calls: number; p50: number; p99: number } {
  const problems = results.flatMap((result) => result.problems.map((problem) => `${result.sub}: ${problem}`));
  expect(problems.slice(0, 10)).toEqual([]);
  // The pacing really ran: at least half the calls it schedules (a stalled server fails this).
  for (const result of results) expect(result.calls).toBeGreaterThanOrEqual(Math.floor((seconds * 1000) / PACE_MS / 2));
  const latencies = results.flatMap((result) => result.latencies).sort((a, b) => a - b);
  const p99 = percentile(latencies, 0.99);
  expect(p99).toBeLessThan(P99_BOUND_MS);
  return { calls: latencies.length, p50: percentile(latencies, 0.5), p99 };
}

/** Lets the audit events batched for the current turn reach the log. */
const auditFlushed = async () => {
  for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe(`${ALLOWED_PRINCIPALS + 1} concurrent principals for ${SECONDS} s against one connector with JWT auth`, () => {
  it(
    'holds the fast principal to its rate with 429 and Retry-After, and the others see no error',
    async () => {
      const url = await start({});
      const until = performance.now() + SECONDS * 1000;
      const [allowed, flood] = await Promise.all([allowedPrincipals(url, until), floodingPrincipal(url, 'limited', until)]);

      const seen = expectUndisturbed(allowed, SECONDS);
      expect(flood.problems).toEqual([]);
      // A bucket that starts full with `burst` tokens and refills at count/period cannot grant more
      // than this over the window in which the calls were made.
      const bound = RATE.burst + Math.floor((RATE.count * flood.windowMs) / RATE.periodMs);
      expect(flood.successes).toBeLessThanOrEqual(bound);
      // ... and a caller that tries that often gets most of it (generous: half the refill).
      expect(flood.successes).toBeGreaterThanOrEqual(RATE.burst + Math.floor((RATE.count * SECONDS) / 2));
      expect(flood.limited).toBeGreaterThan(flood.successes);

      await auditFlushed();
      expect(audit.denied.get('limited')).toBe(flood.limited);
      expect(audit.ok.get('limited')).toBe(flood.successes);
      for (const result of allowed) {
        expect(audit.denied.get(result.sub)).toBeUndefined();
        expect(audit.ok.get(result.sub)).toBe(result.calls);
      }
      expect(audit.other).toBe(0);
      console.info(
        `load: ${seen.calls} allowed calls, p50 ${seen.p50.toFixed(1)} ms, p99 ${seen.p99.toFixed(1)} ms; ` +
          `limited principal: ${flood.successes} allowed (bound ${bound}), ${flood.limited} answered 429 over ${(flood.windowMs / 1000).toFixed(1)} s`,
      );
    },
    SECONDS * 1000 + 60_000,
  );
});

interface Abuse {
  readonly answered: Map<number, number>;
  readonly failures: Map<string, number>;
}

const record = (abuse: Abuse, outcome: number | string) => (typeof outcome === 'number' ? bump(abuse.answered, outcome) : bump(abuse.failures, outcome));

/**
 * POSTs a body of `bytes` as fast as answers come, declared up front (on one keep-alive connection)
 * or streamed in chunks without a length (a new connection each: after a 413 to a chunked body the
 * server leaves a kept-alive connection unusable until its keep-alive timeout, about 5 s).
 */
async function oversizedBodies(url: URL, headers: Record<string, string>, bytes: number, chunked: boolean, until: number, abuse: Abuse): Promise<void> {
  const agent = new http.Agent({ keepAlive: !chunked, maxSockets: 1, localAddress: fromAddress(2, 1) });
  const chunk = Buffer.alloc(16 * 1024, 'x');
  try {
    while (performance.now() < until) {
      const outcome = await new Promise<number | string>((resolve) => {
        const request = http.request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers, ...(chunked ? {} : { 'content-length': String(bytes) }) },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        // The server may answer and close before the whole body is written; that is a refusal too.
        request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        void (async () => {
          for (let sent = 0; sent < bytes && !request.destroyed; sent += chunk.length) {
            if (!request.write(chunk)) await new Promise((resolve) => request.once('drain', resolve));
          }
          request.end();
        })();
      });
      record(abuse, outcome);
    }
  } finally {
    agent.destroy();
  }
}

/** Opens a request whose body never completes: headers, a few bytes, then one byte now and then. */
function unfinishedBody(url: URL, token: string): { answered: () => number | undefined; destroy(): void } {
  let status: number | undefined;
  const request = http.request(url, {
    method: 'POST',
    agent: false,
    localAddress: fromAddress(2, 2),
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, 'content-length': '4096' },
  });
  request.on('response', (response) => {
    status = response.statusCode;
    response.resume();
  });
  request.on('error', () => undefined);
  request.write('{"jsonrpc":"2.0",');
  const drip = setInterval(() => request.write(' '), 500);
  return {
    answered: () => status,
    destroy() {
      clearInterval(drip);
      request.destroy();
    },
  };
}

describe(`a flood of oversized and unfinished bodies for ${FLOOD_SECONDS} s`, () => {
  it(
    'is refused with 413 (or 401 before any body is read) while the allowed principals see no error',
    async () => {
      const url = await start({ BASTION_MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
      const bulky = await tokenFor('bulky');
      const slowToken = await tokenFor('slow');
      const slow = Array.from({ length: 16 }, () => unfinishedBody(url, slowToken));
      const declared: Abuse = { answered: new Map(), failures: new Map() };
      const streamed: Abuse = { answered: new Map(), failures: new Map() };
      const anonymous: Abuse = { answered: new Map(), failures: new Map() };
      const until = performance.now() + FLOOD_SECONDS * 1000;
      const oneMiB = 1024 * 1024;
      const [allowed] = await Promise.all([
        allowedPrincipals(url, until),
        oversizedBodies(url, { authorization: `Bearer ${bulky}` }, oneMiB, false, until, declared),
        oversizedBodies(url, { authorization: `Bearer ${bulky}` }, oneMiB, true, until, streamed),
        oversizedBodies(url, {}, oneMiB, false, until, anonymous),
      ]);

      const seen = expectUndisturbed(allowed, FLOOD_SECONDS);
      // Oversized bodies from an authenticated principal: 413 and nothing else (a reset while the
      // rest of a refused body is still being written counts as a refusal, never as a success).
      for (const abuse of [declared, streamed]) {
        expect([...abuse.answered.keys()]).toEqual([413]);
        expect(abuse.answered.get(413)).toBeGreaterThan(0);
      }
      expect([...anonymous.answered.keys()]).toEqual([401]);
      // The unfinished bodies were never answered as calls, and the server still serves.
      expect(slow.map((request) => request.answered()).filter((status) => status !== undefined && status !== 408)).toEqual([]);
      for (const request of slow) request.destroy();
      const after = getItemCall(1, 2);
      const agent = new http.Agent({ keepAlive: false });
      const reply = await post(url, agent, { authorization: `Bearer ${await tokenFor('after')}`, ...after.headers }, after.body);
      expect(wrongAnswer(reply, 1, 2)).toBeUndefined();
      console.info(
        `flood: ${seen.calls} allowed calls, p50 ${seen.p50.toFixed(1)} ms, p99 ${seen.p99.toFixed(1)} ms; 413 x ${declared.answered.get(413)} declared + ${streamed.answered.get(413)} streamed 1 MiB bodies, ` +
          `401 x ${anonymous.answered.get(401)} anonymous, failures ${JSON.stringify(Object.fromEntries([...declared.failures, ...streamed.failures, ...anonymous.failures]))}; 16 unfinished bodies held open`,
      );
    },
    FLOOD_SECONDS * 1000 + 60_000,
  );
});
