import { findExcessJsonNesting, MAX_JSON_DEPTH } from '@bastion-mcp/schema';
import { Parser } from 'yaml';
import type { CST } from 'yaml';

/** A policy is a few levels deep; far deeper text would overflow the YAML parser's recursion. */
export const MAX_POLICY_DEPTH = MAX_JSON_DEPTH;

const TOO_DEEP = `nests mappings and sequences deeper than ${MAX_POLICY_DEPTH} levels; a policy needs only a few`;

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** Why a JSON policy text is refused for its nesting (checked before any parser runs), if it is. */
export function jsonNestingProblem(text: string): string | undefined {
  const offset = findExcessJsonNesting(text, MAX_POLICY_DEPTH);
  return offset === undefined ? undefined : `invalid JSON: ${TOO_DEEP} (at ${lineAndColumn(text, offset)})`;
}

function isCollection(token: CST.Token): boolean {
  return token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
}

/**
 * Why a YAML policy text is refused for its nesting, if it is. yaml's CST parser keeps an explicit
 * stack, so it reads any depth; this walks its tokens with one too, before the recursive composer
 * ever sees them.
 */
export function yamlNestingProblem(text: string): string | undefined {
  for (const document of new Parser().parse(text)) {
    const pending: [CST.Token | null | undefined, number][] = [[document, 0]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [token, depth] = next;
      if (!token) continue;
      const nested = isCollection(token) ? depth + 1 : depth;
      if (nested > MAX_POLICY_DEPTH) {
        const offset = 'offset' in token ? token.offset : 0;
        return `${TOO_DEEP} (at ${lineAndColumn(text, offset)})`;
      }
      if ('value' in token && typeof token.value === 'object') pending.push([token.value, nested]);
      if ('items' in token) for (const item of token.items) pending.push([item.key, nested], [item.value, nested]);
    }
  }
  return undefined;
}
