import type { CoreSettings } from './config/core-settings.js';
import type { Connector } from './define-connector.js';
import type { Tool } from './tools/define-tool.js';
import { selectTools } from './registry.js';
import { prepareTool } from './tools/prepare-tool.js';
import type { PreparedTool } from './tools/prepare-tool.js';

/** The tools the given settings enable, prepared without building the connector's context. */
export function prepareSelectedTools(
  connector: Connector<unknown>,
  settings: CoreSettings,
  connectorConfig: unknown,
): PreparedTool<unknown>[] {
  return selectTools(connector.tools, connector.toolsets, {
    readOnly: settings.readOnly,
    toolsets: settings.toolsets,
    tools: settings.tools,
    excludeTools: settings.excludeTools,
    unavailable: (tool) => connector.unavailable(tool as Tool<unknown>, connectorConfig),
  }).map((tool) => prepareTool(tool));
}
