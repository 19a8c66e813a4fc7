import { ToolError } from '../errors.js';
import type { McpServer, Root, ServerContext } from '@modelcontextprotocol/server';

const ROOTS_TIMEOUT_MS = 10_000;

/**
 * The roots a 2025-11-25 client offers, asked once per connection (through the request being
 * served, so the question also travels on an HTTP session's response stream) and again after
 * notifications/roots/list_changed. A client that declared roots but does not answer gets an
 * error rather than the wider server-side access: roots only ever narrow it.
 */
export class ClientRoots {
  #cached: Promise<readonly Root[]> | undefined;

  constructor(
    private readonly server: McpServer,
    private readonly askable: boolean,
  ) {
    if (askable) {
      server.server.setNotificationHandler('notifications/roots/list_changed', async () => {
        this.#cached = undefined;
      });
    }
  }

  get(sdkContext: ServerContext): Promise<readonly Root[] | undefined> {
    if (!this.askable || !this.server.server.getClientCapabilities()?.roots) return Promise.resolve(undefined);
    this.#cached ??= sdkContext.mcpReq
      .send({ method: 'roots/list' }, { timeout: ROOTS_TIMEOUT_MS })
      .then((result) => result.roots)
      .catch((error: unknown) => {
        this.#cached = undefined;
        throw new ToolError(
          `The client declared roots but did not list them (${error instanceof Error ? error.message : String(error)}); access is refused rather than widened. Answer roots/list, or connect without the roots capability.`,
        );
      });
    return this.#cached;
  }
}
