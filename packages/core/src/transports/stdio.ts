import { LOCAL_PRINCIPAL } from '@bastion-mcp/auth';
import { installStdoutGuard } from '@bastion-mcp/logging';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Runtime } from '../runtime.js';
import { createServerFactory } from '../server/server-factory.js';

export interface StdioHandle {
  /** Resolves when the client closes stdin. */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the connector over this process's stdin/stdout. stdout carries JSON-RPC only: every
 * other write to it (a stray console.log in a dependency) is redirected to stderr.
 */
export function serveOverStdio<Ctx>(runtime: Runtime<Ctx>): StdioHandle {
  const guard = installStdoutGuard();
  const transport = new StdioServerTransport(process.stdin, guard.protocolStdout as NodeJS.WriteStream);
  const handle = serveStdio(createServerFactory(runtime, 'stdio', LOCAL_PRINCIPAL, runtime.stateCodec), {
    transport,
    onerror: (error) => runtime.logger.warn({ err: error }, 'stdio transport error'),
  });
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  return {
    ended,
    async close() {
      await handle.close();
    },
  };
}
