import { LOCAL_PRINCIPAL } from '@bastion-mcp/auth';
import type { Principal } from '@bastion-mcp/auth';
import type { Transport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Runtime } from '../runtime.js';
import { createServerFactory } from '../server/server-factory.js';

/**
 * Serves the connector over a caller-supplied transport (an in-memory pair in tests), with the
 * same era handling as stdio.
 */
export function serveOverTransport<Ctx>(
  runtime: Runtime<Ctx>,
  transport: Transport,
  principal: Principal = LOCAL_PRINCIPAL,
): { close(): Promise<void> } {
  return serveStdio(createServerFactory(runtime, 'memory', principal, runtime.stateCodec), {
    transport,
    onerror: (error) => runtime.logger.debug({ err: error }, 'transport error'),
  });
}
