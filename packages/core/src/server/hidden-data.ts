import { hasScopes } from '@bastion-mcp/auth';
import type { Principal } from '@bastion-mcp/auth';
import { UriTemplate } from '@modelcontextprotocol/server';
import type { PrincipalPolicy } from '../policy/types.js';
import type { Prompt } from '../prompts/define-prompt.js';
import type { Resource } from '../resources/define-resource.js';
import { dataVisible } from './data-policy.js';
import type { PolicyTools } from './data-policy.js';

/** A resources/read or prompts/get of something the connector offers but this caller may not see. */
export interface HiddenData {
  /** As the audit names it: `resource:<name>` or `prompt:<name>`. */
  readonly label: string;
  readonly args: Record<string, unknown>;
  readonly id: string | number | undefined;
}

/**
 * Finds the resource or prompt a JSON-RPC body reads when the caller's scopes or policy hide it,
 * so the HTTP layer can audit the refusal as it does for a hidden tool (the SDK answers it as an
 * unknown one and records nothing).
 */
export function hiddenDataTarget(
  body: unknown,
  resources: readonly Resource<never>[],
  prompts: readonly Prompt<never>[],
  tools: PolicyTools,
  principal: Principal,
  policy: PrincipalPolicy,
): HiddenData | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as { method?: unknown; id?: unknown; params?: { uri?: unknown; name?: unknown; arguments?: unknown } };
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : undefined;
  const hidden = (item: { scopes: readonly string[]; policy?: Resource<never>['policy'] | Prompt<never>['policy'] }) =>
    !hasScopes(principal.scopes, item.scopes) || !dataVisible(policy, tools, item.policy);
  if (message.method === 'resources/read' && typeof message.params?.uri === 'string') {
    const uri = message.params.uri.slice(0, 4096);
    const resource = resources.find((candidate) =>
      candidate.kind === 'static' ? candidate.uri === uri : new UriTemplate(candidate.uriTemplate).match(uri) !== null,
    );
    return resource && hidden(resource) ? { label: `resource:${resource.name}`, args: { uri }, id } : undefined;
  }
  if (message.method === 'prompts/get' && typeof message.params?.name === 'string') {
    const prompt = prompts.find((candidate) => candidate.name === message.params?.name);
    const args = typeof message.params.arguments === 'object' && message.params.arguments !== null ? (message.params.arguments as Record<string, unknown>) : {};
    return prompt && hidden(prompt) ? { label: `prompt:${prompt.name}`, args, id } : undefined;
  }
  return undefined;
}
