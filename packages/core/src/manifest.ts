import type { PreparedTool, ToolDefinitionJson } from './tools/prepare-tool.js';

export interface ToolManifestEntry {
  name: string;
  toolset: string;
  scopes: readonly string[];
  readOnly: boolean;
  /** sha256 of the canonical JSON of `definition`; a client pins it to notice any change. */
  sha256: string;
  definition: ToolDefinitionJson;
}

export interface ToolManifest {
  connector: string;
  version: string;
  tools: ToolManifestEntry[];
}

export function toolManifest<Ctx>(connector: { name: string; version: string }, tools: readonly PreparedTool<Ctx>[]): ToolManifest {
  return {
    connector: connector.name,
    version: connector.version,
    tools: tools.map((prepared) => ({
      name: prepared.definition.name,
      toolset: prepared.tool.toolset,
      scopes: prepared.tool.scopes,
      readOnly: prepared.tool.annotations.readOnlyHint === true,
      sha256: prepared.sha256,
      definition: prepared.definition,
    })),
  };
}
