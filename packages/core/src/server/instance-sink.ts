import type { McpServer } from '@modelcontextprotocol/server';
import type { ChangeNotifier } from '../tools/tool-context.js';

/**
 * Delivers change events to one connection-bound server instance (stdio, in-memory), honouring
 * its resource subscriptions. Removes itself once the instance has disconnected.
 */
export function instanceSink(
  server: McpServer,
  subscriptions: ReadonlySet<string>,
  remove: () => void,
): ChangeNotifier {
  const whenConnected = (send: () => void | Promise<void>) => {
    if (!server.isConnected()) {
      remove();
      return;
    }
    Promise.resolve()
      .then(send)
      .catch(() => undefined);
  };
  return {
    toolsChanged: () => whenConnected(() => server.sendToolListChanged()),
    promptsChanged: () => whenConnected(() => server.sendPromptListChanged()),
    resourcesChanged: () => whenConnected(() => server.sendResourceListChanged()),
    resourceUpdated: (uri) => {
      if (subscriptions.has(uri)) whenConnected(() => server.server.sendResourceUpdated({ uri }));
    },
  };
}
