import { valueExceedsDepth } from '@bastion-mcp/schema';
import { parseDocument } from 'yaml';
import { jsonNestingProblem, MAX_POLICY_DEPTH, yamlNestingProblem } from './policy-nesting.js';

export type PolicyFormat = 'yaml' | 'json';

export type ParsedText = { ok: true; format: PolicyFormat; value: unknown } | { ok: false; format: PolicyFormat; problems: string[] };

/** By extension; otherwise JSON when the text starts with `{`, else YAML. */
export function policyFormat(text: string, source: string): PolicyFormat {
  const lower = source.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** yaml's pretty messages end with a code excerpt on later lines; the first line has the position. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/:$/, '');
}

function parseYaml(text: string): { value: unknown; problems: string[] } {
  const tooDeep = yamlNestingProblem(text);
  if (tooDeep) return { value: undefined, problems: [tooDeep] };
  // Aliases are capped so a small file cannot expand into a huge document.
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, version: '1.2' });
  const problems = document.errors.map((error) => firstLine(error.message));
  if (problems.length > 0) return { value: undefined, problems };
  try {
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    // An alias can place a deep anchor deeper still, or inside itself.
    if (valueExceedsDepth(value, MAX_POLICY_DEPTH)) {
      return { value: undefined, problems: [`its aliases nest mappings and sequences deeper than ${MAX_POLICY_DEPTH} levels (or inside themselves)`] };
    }
    return { value, problems: [] };
  } catch (error) {
    return { value: undefined, problems: [error instanceof Error ? firstLine(error.message) : 'unreadable YAML'] };
  }
}

export function parsePolicyText(text: string, source: string): ParsedText {
  const format = policyFormat(text, source);
  if (text.trim().length === 0) return { ok: false, format, problems: ['the policy file is empty; it needs at least `version: 1`'] };
  if (format === 'json') {
    const tooDeep = jsonNestingProblem(text);
    if (tooDeep) return { ok: false, format, problems: [tooDeep] };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, format, problems: [`invalid JSON: ${error instanceof Error ? error.message : String(error)}`] };
    }
    // JSON.parse keeps the last of two equal keys; a repeated `deny` must not silently replace the first.
    const duplicates = parseDocument(text, { prettyErrors: true, uniqueKeys: true }).errors.filter(
      (error) => error.code === 'DUPLICATE_KEY',
    );
    if (duplicates.length > 0) return { ok: false, format, problems: duplicates.map((error) => firstLine(error.message)) };
    return { ok: true, format, value };
  }
  const { value, problems } = parseYaml(text);
  if (problems.length > 0) return { ok: false, format, problems: problems.map((problem) => `invalid YAML: ${problem}`) };
  return { ok: true, format, value };
}
