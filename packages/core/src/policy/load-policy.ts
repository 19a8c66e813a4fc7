import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { compileDefault, compileRule } from './compile-rule.js';
import type { CompiledRule } from './compile-rule.js';
import { parsePolicyText } from './parse-policy-text.js';
import { duplicateRuleNames, POLICY_SETTING, policyProblem, schemaProblems } from './policy-problems.js';
import { policySchema } from './policy-schema.js';
import { createPrincipalPolicy } from './principal-policy.js';
import type { IdentitySources, Policy, PolicyPrincipal, PolicyTool, PrincipalPolicy } from './types.js';
import { ambiguousPrincipals, unmatchedReferences } from './verify-policy.js';

const MAX_POLICY_BYTES = 1024 * 1024;
const CACHED_PRINCIPALS = 1024;

export interface LoadPolicyOptions {
  /** The file the text came from: named in every problem, and its extension picks YAML or JSON. */
  source: string;
}

/** Principal policies are immutable, so the last ones built are kept for the next request. */
function cached(build: (principal: PolicyPrincipal) => PrincipalPolicy): (principal: PolicyPrincipal) => PrincipalPolicy {
  const cache = new Map<string, PrincipalPolicy>();
  return (principal) => {
    const key = JSON.stringify([principal.id, principal.subject ?? null, principal.scopes]);
    const hit = cache.get(key);
    if (hit) return hit;
    const built = build(principal);
    if (cache.size >= CACHED_PRINCIPALS) cache.delete(cache.keys().next().value!);
    cache.set(key, built);
    return built;
  };
}

function compiledPolicy(source: string, defaults: CompiledRule | undefined, rules: readonly CompiledRule[]): Policy {
  const references = [...(defaults?.references ?? []), ...rules.flatMap((rule) => rule.references)];
  return Object.freeze({
    source,
    forPrincipal: cached((principal) => {
      const matching = rules.filter((rule) => rule.selects?.(principal));
      const restrictions = [...(defaults ? [defaults.restriction] : []), ...matching.map((rule) => rule.restriction)];
      if (restrictions.length > 0) return createPrincipalPolicy(principal, restrictions);
      return createPrincipalPolicy(principal, [], {
        rule: 'no-rule',
        reason: 'no policy rule applies to this principal and the policy has no default, so no tool is allowed',
      });
    }),
    verifyTools(tools: readonly PolicyTool[]) {
      const problems = unmatchedReferences(source, references, tools);
      if (problems.length > 0) throw new ConfigError(problems);
    },
    verifyPrincipals(sources: IdentitySources) {
      const problems = ambiguousPrincipals(source, rules.flatMap((rule) => rule.barePrincipals), sources);
      if (problems.length > 0) throw new ConfigError(problems);
    },
  });
}

/**
 * Parses and validates a policy file's text; throws ConfigError with one problem per bad field,
 * each naming the file and the field's path.
 */
export function loadPolicy(text: string, options: LoadPolicyOptions): Policy {
  const { source } = options;
  const parsed = parsePolicyText(text, source);
  if (!parsed.ok) throw new ConfigError(parsed.problems.map((message) => policyProblem(source, '', message)));
  const result = policySchema.safeParse(parsed.value);
  const problems = [
    ...(result.success ? [] : schemaProblems(source, parsed.value, result.error.issues)),
    ...duplicateRuleNames(source, parsed.value),
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const document = result.data;
  return compiledPolicy(
    source,
    document.default ? compileDefault(document.default) : undefined,
    document.rules.map((rule, index) => compileRule(rule, index)),
  );
}

/** Reads `BASTION_POLICY`'s file and loads it; an unreadable or oversized file is a ConfigError too. */
export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigError([{ setting: POLICY_SETTING, message: `${path} is not a regular file` }]);
    if (info.size > MAX_POLICY_BYTES) {
      throw new ConfigError([{ setting: POLICY_SETTING, message: `${path} is larger than ${MAX_POLICY_BYTES} bytes` }]);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError([{ setting: POLICY_SETTING, message: `cannot read the policy file ${path} (${code}); check the path and its permissions` }]);
  }
  return loadPolicy(text, { source: path });
}
