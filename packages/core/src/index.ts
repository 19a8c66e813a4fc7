export { readOnly, write, isReadOnlyTool } from './annotations.js';
export type { ToolAnnotations } from './annotations.js';
export { ConfigError, ResourceNotFoundError, ToolError, UpstreamError, upstreamErrorFromStatus } from './errors.js';
export type { ConfigProblem, UpstreamErrorOptions } from './errors.js';
export { defineTool, toolFactory, TOOL_NAME_PATTERN } from './tools/define-tool.js';
export type { DefineTool, RenderedText, Tool, ToolOutputSchema, ToolReturn, ToolSpec } from './tools/define-tool.js';
export { jsonSchemaInput } from './tools/input-schema.js';
export type { InferToolInput, JsonSchemaInput, ToolInputSchema } from './tools/input-schema.js';
export {
  audioBlock,
  embeddedBlobBlock,
  embeddedTextBlock,
  imageBlock,
  isToolContent,
  textBlock,
  toolContent,
} from './tools/content.js';
export type { ContentBlock, ToolContent } from './tools/content.js';
export type {
  ChangeNotifier,
  CoreToolContext,
  InputContext,
  PeerInfo,
  ResponseBudget,
  ToolContext,
} from './tools/tool-context.js';
export { prepareTool } from './tools/prepare-tool.js';
export type { PreparedTool, ToolDefinitionJson } from './tools/prepare-tool.js';
export { defineResource, defineResourceTemplate, resourceFactory } from './resources/define-resource.js';
export type {
  Resource,
  ResourceContents,
  ResourceFactory,
  ResourceListing,
  StaticResourceSpec,
  TemplateResourceSpec,
} from './resources/define-resource.js';
export { assistantMessage, definePrompt, promptFactory, userMessage } from './prompts/define-prompt.js';
export type { DefinePrompt, Prompt, PromptSpec } from './prompts/define-prompt.js';
export type { PolicyMapping } from './server/data-policy.js';
export { defineConnector } from './define-connector.js';
export type { Connector, ConnectorSpec } from './define-connector.js';
export { selectTools } from './registry.js';
export type { ToolSelection, ToolsetInfo } from './registry.js';
export { cliAction, loadConfig, allSettings } from './config/load-config.js';
export type { LoadedConfig, ConfigSource } from './config/load-config.js';
export { CORE_SETTINGS, coreSettingsSchema } from './config/core-settings.js';
export type { CoreSettings } from './config/core-settings.js';
export type { Setting } from './config/setting.js';
export { formatHelp } from './config/help.js';
export { toolManifest } from './manifest.js';
export type { ToolManifest, ToolManifestEntry } from './manifest.js';
export { createRuntime } from './runtime.js';
export type { Runtime, RuntimeOptions } from './runtime.js';
export { serveOverStdio } from './transports/stdio.js';
export { serveOverTransport } from './transports/memory.js';
export { runConnector } from './run-connector.js';
export type { RunOptions } from './run-connector.js';
export {
  completable,
  createRequestStateCodec,
  inputRequired,
  InMemoryTransport,
} from '@modelcontextprotocol/server';
export type { InputRequest, InputRequiredResult, InputResponseView } from '@modelcontextprotocol/server';
