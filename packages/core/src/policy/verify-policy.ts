import type { ConfigProblem } from '../errors.js';
import type { BarePrincipal, PolicyReference } from './compile-rule.js';
import { listPatterns } from './restriction.js';
import { policyProblem } from './policy-problems.js';
import type { IdentitySources, PolicyTool } from './types.js';

function sorted(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}

/**
 * Every tool, toolset and argument the policy names must exist in the connector: an unmatched
 * deny pattern is almost always a typo that would leave the tool it meant enabled.
 */
export function unmatchedReferences(
  source: string,
  references: readonly PolicyReference[],
  tools: readonly PolicyTool[],
): ConfigProblem[] {
  const toolNames = sorted(tools.map((tool) => tool.name));
  const toolsets = sorted(tools.map((tool) => tool.toolset));
  const problems: ConfigProblem[] = [];
  for (const reference of references) {
    if (reference.what === 'tool' && !toolNames.some(reference.matches)) {
      problems.push(policyProblem(source, reference.path, `${reference.pattern} matches no tool of this connector; its tools: ${listPatterns(toolNames)}`));
    } else if (reference.what === 'toolset' && !toolsets.some(reference.matches)) {
      problems.push(policyProblem(source, reference.path, `${reference.pattern} matches no toolset of this connector; its toolsets: ${listPatterns(toolsets)}`));
    } else if (reference.what === 'argument') {
      const candidates = tools.filter((tool) => reference.toolMatches?.(tool.name));
      // Only tools that declare their inputs can prove an argument missing.
      const declared = candidates.filter((tool) => tool.inputProperties !== undefined);
      if (declared.length === 0 || declared.length < candidates.length) continue;
      if (!declared.some((tool) => tool.inputProperties!.includes(reference.pattern))) {
        const inputs = sorted(declared.flatMap((tool) => tool.inputProperties ?? []));
        problems.push(policyProblem(source, reference.path, `no matching tool takes an argument ${reference.pattern}; their arguments: ${listPatterns(inputs)}`));
      }
    }
  }
  return problems;
}

function describeSources(sources: IdentitySources): string {
  const parts = [
    ...(sources.jwtIssuers.length > 0 ? [`${sources.jwtIssuers.length} JWT issuer${sources.jwtIssuers.length > 1 ? 's' : ''}`] : []),
    ...(sources.introspection ? ['token introspection'] : []),
    ...(sources.apiKeys ? ['API keys'] : []),
  ];
  return parts.join(', ');
}

/**
 * With more than one identity source, a principal pattern must say which one it means: the same
 * name from two issuers, introspection or an API key is a different principal each time.
 */
export function ambiguousPrincipals(source: string, bare: readonly BarePrincipal[], sources: IdentitySources): ConfigProblem[] {
  const count = sources.jwtIssuers.length + (sources.introspection ? 1 : 0) + (sources.apiKeys ? 1 : 0);
  if (count <= 1) return [];
  const issuer = sources.jwtIssuers[0] ?? '<issuer>';
  return bare.map(({ path, rule, pattern }) => {
    const forms = [
      ...(sources.apiKeys ? [`apikey:${pattern}`] : []),
      ...(sources.jwtIssuers.length > 0 ? [`jwt:${issuer}#${pattern}`] : []),
      ...(sources.introspection ? [`introspection:${pattern}`] : []),
    ];
    return policyProblem(
      source,
      path,
      `rule ${rule} names principal ${pattern} without its source, and several are configured (${describeSources(sources)}), so it would apply to each of them; write ${forms.join(' or ')}`,
    );
  });
}
