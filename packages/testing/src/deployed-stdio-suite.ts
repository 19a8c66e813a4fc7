// The deployed suite over stdio: the server as a desktop host (or `podman run -i`) starts it, with
// stdin and stdout pipes and the audit log in a file; every tool, a clean stdout, a clean exit.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcessTransport, nonProtocolLines } from './child-transport.js';
import { checkAuditFile } from './deployed-audit.js';
import type { ExpectedAuditCall } from './deployed-audit.js';
import { checkToolCase } from './deployed-cases.js';
import type { DeployedContext, DeployedSetup } from './deployed-cases.js';
import type { DeployedTarget, ServerProcess } from './deployed-target.js';

interface StdioState {
  dir: string;
  setup: DeployedSetup;
  server: ServerProcess;
  transport: ChildProcessTransport;
  client: Client;
  auditFile: string;
}

export function describeDeployedStdio(context: DeployedContext, target: DeployedTarget): void {
  const state: Partial<StdioState> = {};
  const calls: ExpectedAuditCall[] = [];
  const ready = () => state as StdioState;
  const testTimeout = target.kind === 'image' ? 60_000 : 20_000;

  describe('over stdio with stdout a pipe and a file audit log', () => {
    beforeAll(async () => {
      state.dir = await mkdtemp(join(tmpdir(), `bastion-deployed-${context.connector}-stdio-`));
      const run = target.newRun('stdio');
      state.setup = await context.options.setup(run);
      const auditDir = join(state.dir, 'audit');
      await mkdir(auditDir);
      state.auditFile = join(auditDir, 'audit.jsonl');
      const env = { ...state.setup.env, BASTION_AUDIT_LOG: posix.join(run.share(auditDir, '/audit'), 'audit.jsonl') };
      state.server = run.start([...(state.setup.args ?? [])], env);
      state.transport = new ChildProcessTransport(state.server.child);
      state.client = new Client({ name: 'bastion-deployed-suite', version: '1.0.0' });
      try {
        await state.client.connect(state.transport);
      } catch (error) {
        throw new Error(`initialize over stdio failed (${(error as Error).message}):\n${state.server.stderr().slice(-3000)}`, { cause: error });
      }
    }, target.startTimeoutMs + 30_000);

    afterAll(async () => {
      await state.server?.stop('SIGTERM', 10_000);
      await state.setup?.cleanup?.();
      if (state.dir) await rm(state.dir, { recursive: true, force: true });
    }, 90_000);

    it('offers every tool the connector defines', async () => {
      const { tools } = await ready().client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(context.tools);
    });

    for (const tool of context.tools) {
      it(`${tool}: succeeds with valid arguments, and refuses bad ones with a tool error`, async () => {
        const { client, server } = ready();
        await checkToolCase(
          (args, outcome) => {
            calls.push({ tool, outcome });
            return client.callTool({ name: tool, arguments: args });
          },
          tool,
          context.options.calls,
          server.running,
        );
      }, testTimeout);
    }

    it('writes nothing but JSON-RPC to stdout', () => {
      expect(nonProtocolLines(ready().transport.stdoutLines)).toEqual([]);
    });

    it('exits with code 0 when stdin closes, leaving one valid audit event per tools/call', async () => {
      const { client, server, auditFile } = ready();
      await client.close();
      const status = await Promise.race([server.exited(), new Promise((resolve) => setTimeout(resolve, testTimeout - 5_000, 'still running'))]);
      expect(status, server.stderr().slice(-3000)).toEqual({ code: 0, signal: null });
      await checkAuditFile(auditFile, { connector: context.connector, transport: 'stdio', calls });
    }, testTimeout + 30_000);
  });
}
