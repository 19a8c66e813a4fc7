// The deployed suite over Streamable HTTP: the server started as a shared remote service is, with
// bearer JWTs from a local issuer, a policy file, rate and in-flight limits kept in a local Redis,
// and the audit log in a file; then every tool, a policy denial, a 401, a 429 and the audit file.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuditFile } from './deployed-audit.js';
import type { ExpectedAuditCall } from './deployed-audit.js';
import { checkToolCase, resultText } from './deployed-cases.js';
import type { DeployedContext, DeployedSetup } from './deployed-cases.js';
import { connectWithToken, listeningUrl, postToolCall } from './deployed-http.js';
import type { DeployedTarget, ServerProcess } from './deployed-target.js';
import { RESOURCE, startLocalIssuer } from './local-issuer.js';
import type { LocalIssuer } from './local-issuer.js';
import { TEST_REDIS_PASSWORD, findRedisServer, freePort, startRedis } from './local-redis.js';
import type { RedisProcess } from './local-redis.js';

/** Calls the test caller may make to one tool per minute: its valid, refused and policy-denied calls fit. */
const TOOL_RATE = 4;
const CALLER = 'deployed-caller';
/** Makes calls to one tool until the rate limit answers 429. */
const LIMITED = 'deployed-limited';
/** Matched by no rule of the policy file, so it may use nothing. */
const OUTSIDER = 'deployed-outsider';
const POLICY_RULE = 'deployed-callers';

interface HttpState {
  dir: string;
  issuer: LocalIssuer;
  redis: RedisProcess;
  setup: DeployedSetup;
  server: ServerProcess;
  url: string;
  auditFile: string;
  client: Client;
}

export function describeDeployedHttp(context: DeployedContext, target: DeployedTarget): void {
  const { options } = context;
  const state: Partial<HttpState> = {};
  const calls: ExpectedAuditCall[] = [];
  const ready = () => state as HttpState;
  const token = (sub: string) => ready().issuer.mint({ claims: { sub, scope: context.scopes, exp: Math.floor(Date.now() / 1000) + 3600 } });
  /** A JWT principal's id names its issuer as well as its subject. */
  const principal = (sub: string) => `jwt:${ready().issuer.issuer}#${sub}`;
  const testTimeout = target.kind === 'image' ? 60_000 : 20_000;

  describe('over Streamable HTTP with bearer JWTs, a policy file, rate limits on Redis and a file audit log', () => {
    beforeAll(async () => {
      state.dir = await mkdtemp(join(tmpdir(), `bastion-deployed-${context.connector}-http-`));
      state.issuer = await startLocalIssuer({ resource: RESOURCE, scope: context.scopes });
      const redisDir = join(state.dir, 'redis');
      await mkdir(redisDir);
      state.redis = await startRedis(findRedisServer(), await freePort(), redisDir);
      const run = target.newRun('http');
      state.setup = await options.setup(run);
      const auditDir = join(state.dir, 'audit');
      await mkdir(auditDir);
      const policyFile = join(state.dir, 'policy.json');
      await writeFile(policyFile, JSON.stringify(policyDocument(context)), { mode: 0o644 });
      state.auditFile = join(auditDir, 'audit.jsonl');
      const env = {
        ...state.setup.env,
        BASTION_AUDIT_LOG: posix.join(run.share(auditDir, '/audit'), 'audit.jsonl'),
        BASTION_POLICY: run.share(policyFile, '/etc/bastion/policy.json', { readOnly: true }),
        BASTION_RESOURCE_URL: RESOURCE,
        BASTION_AUTH_ISSUERS: state.issuer.issuer,
        BASTION_AUTH_JWKS_URLS: state.issuer.jwksUrl,
        BASTION_RATE_LIMIT: '600/min',
        BASTION_TOOL_RATE_LIMIT: `${TOOL_RATE}/min`,
        BASTION_MAX_IN_FLIGHT: '4',
        BASTION_REDIS_URL: `redis://:${TEST_REDIS_PASSWORD}@127.0.0.1:${state.redis.port}`,
      };
      state.server = run.start(['--transport', 'http', '--host', '127.0.0.1', '--port', '0', ...(state.setup.args ?? [])], env);
      state.url = await listeningUrl(state.server, target.startTimeoutMs);
      state.client = await connectWithToken(state.url, await token(CALLER));
    }, target.startTimeoutMs + 30_000);

    afterAll(async () => {
      await state.client?.close().catch(() => undefined);
      await state.server?.stop('SIGTERM', 10_000);
      await state.issuer?.close();
      await state.redis?.stop();
      await state.setup?.cleanup?.();
      if (state.dir) await rm(state.dir, { recursive: true, force: true });
    }, 90_000);

    it('offers the caller every tool the connector defines', async () => {
      const { tools } = await ready().client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(context.tools);
    });

    for (const tool of context.tools) {
      it(`${tool}: succeeds with valid arguments, and refuses bad ones with a tool error`, async () => {
        const { client, server } = ready();
        await checkToolCase(
          (args, outcome) => {
            calls.push({ tool, principal: principal(CALLER), outcome });
            return client.callTool({ name: tool, arguments: args });
          },
          tool,
          options.calls,
          server.running,
        );
      }, testTimeout);
    }

    it(`denies what the policy does not allow, in the rule's name`, async () => {
      const { client, url } = ready();
      const { tool, argument, denied } = options.policy;
      calls.push({ tool, principal: principal(CALLER), outcome: 'denied', decision: `denied by ${POLICY_RULE}` });
      const refused = await client.callTool({ name: tool, arguments: denied });
      expect(refused.isError, `${tool} with ${JSON.stringify(denied)} was allowed`).toBe(true);
      expect(resultText(refused)).toContain(argument);
      expect(resultText(refused)).toContain('not allowed');

      calls.push({ tool: context.probeTool, principal: principal(OUTSIDER), outcome: 'denied' });
      const outsider = await postToolCall(url, context.probeTool, options.calls[context.probeTool]?.valid ?? {}, await token(OUTSIDER));
      expect(outsider.status).toBe(200);
      expect(outsider.body).toMatch(new RegExp(`Tool ${context.probeTool} not found`));
    }, testTimeout);

    it('answers 401 with a Bearer challenge to a request without a token', async () => {
      calls.push({ tool: '', principal: 'unauthenticated', outcome: 'denied', decision: 'denied by authentication (401)' });
      const response = await postToolCall(ready().url, context.probeTool, {});
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }, testTimeout);

    it(`answers 429 with Retry-After past ${TOOL_RATE} calls a minute to one tool`, async () => {
      const { url } = ready();
      const limited = await token(LIMITED);
      const args = options.calls[context.probeTool]?.valid ?? {};
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof postToolCall>> | undefined;
      for (let call = 0; call <= TOOL_RATE; call += 1) {
        calls.push(
          call < TOOL_RATE ? { tool: context.probeTool, principal: principal(LIMITED), outcome: 'ok' } : { tool: context.probeTool, principal: principal(LIMITED), outcome: 'denied', decision: 'denied by rate:tool' },
        );
        last = await postToolCall(url, context.probeTool, args, limited);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([...Array<number>(TOOL_RATE).fill(200), 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }, testTimeout);

    it('stops on SIGTERM with exit code 0, nothing on stdout, and one valid audit event per tools/call', async () => {
      const { client, server, auditFile } = ready();
      await client.close();
      const status = await server.stop('SIGTERM');
      expect(status, server.stderr().slice(-3000)).toEqual({ code: 0, signal: null });
      expect(server.stdout()).toBe('');
      await checkAuditFile(auditFile, { connector: context.connector, transport: 'http', calls });
    }, testTimeout + 30_000);
  });
}

/** Admits the suite's callers to every tool, constraining one argument; no rule matches the outsider. */
function policyDocument(context: DeployedContext): object {
  const { tool, argument, allow } = context.options.policy;
  return {
    version: 1,
    rules: [{ name: POLICY_RULE, match: { principal: [CALLER, LIMITED] }, arguments: { [tool]: { [argument]: allow } } }],
  };
}
