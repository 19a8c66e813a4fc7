import { hasScopes } from '@bastion-mcp/auth';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { CompleteRequest, CompleteResult, McpServer } from '@modelcontextprotocol/server';
import type { Prompt } from '../prompts/define-prompt.js';
import type { Resource } from '../resources/define-resource.js';
import type { CallScope } from '../tools/tool-context-factory.js';
import { completionAllowed, dataVisible } from './data-policy.js';
import type { PolicyMapping, PolicyTools } from './data-policy.js';

const MAX_VALUES = 100;

type Completer = (value: string) => readonly string[] | Promise<readonly string[]>;

/** Whether any resource template or prompt offers completions (the capability is declared then). */
export function offersCompletions(resources: readonly Resource<never>[], prompts: readonly Prompt<never>[]): boolean {
  return (
    resources.some((resource) => resource.kind === 'template' && Object.keys(resource.complete ?? {}).length > 0) ||
    prompts.some((prompt) => Object.keys(prompt.complete ?? {}).length > 0)
  );
}

/**
 * Answers completion/complete for the connector's resource templates and prompts. Completions
 * reveal names (files, tables) too, so the item must be visible to the caller, as for reading it,
 * and under a policy restriction its tool must carry no argument constraint; otherwise the answer
 * is empty. An item the caller cannot see is answered as an unknown one.
 */
export function handleCompletions<Ctx>(
  server: McpServer,
  resources: readonly Resource<Ctx>[],
  prompts: readonly Prompt<Ctx>[],
  tools: PolicyTools,
  scope: CallScope<Ctx>,
): void {
  const visible = (scopes: readonly string[], mapping: PolicyMapping<never> | undefined) =>
    hasScopes(scope.principal.scopes, scopes) && dataVisible(scope.policy, tools, mapping);
  server.server.setRequestHandler('completion/complete', async (request: CompleteRequest): Promise<CompleteResult> => {
    const { ref, argument } = request.params;
    let found: { complete: Completer | undefined; mapping: PolicyMapping<never> | undefined } | undefined;
    if (ref.type === 'ref/prompt') {
      const prompt = prompts.find((candidate) => candidate.name === ref.name && visible(candidate.scopes, candidate.policy));
      if (!prompt) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${ref.name} not found`);
      found = { complete: prompt.complete?.[argument.name], mapping: prompt.policy };
    } else {
      const resource = resources.find(
        (candidate) => (candidate.kind === 'template' ? candidate.uriTemplate : candidate.uri) === ref.uri && visible(candidate.scopes, candidate.policy),
      );
      if (!resource) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource template ${ref.uri} not found`);
      found = { complete: resource.kind === 'template' ? resource.complete?.[argument.name] : undefined, mapping: resource.policy };
    }
    if (!found.complete || !completionAllowed(scope.policy, tools, found.mapping)) return { completion: { values: [], total: 0, hasMore: false } };
    const values = [...(await found.complete(argument.value))];
    return { completion: { values: values.slice(0, MAX_VALUES), total: values.length, hasMore: values.length > MAX_VALUES } };
  });
}
