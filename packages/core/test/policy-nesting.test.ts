// Policy files are parsed with a nesting bound: a file nested thousands of levels deep (JSON or
// YAML, flow or block style, or through aliases) is a clear configuration problem, never a stack
// overflow or a crash of the YAML parser.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { loadPolicy } from '../src/policy/index.js';

function problemsOf(text: string, source: string): string[] {
  try {
    loadPolicy(text, { source });
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.problems.map((problem) => problem.message);
    throw error;
  }
  return [];
}

const LEVELS = 100_000;

describe('policy nesting', () => {
  it('refuses a JSON policy nested deeper than 64 levels, naming the bound and where', () => {
    const text = `{"version": 1, "x": ${'{"a":'.repeat(LEVELS)}1${'}'.repeat(LEVELS)}}`;
    expect(problemsOf(text, 'policy.json')).toEqual([
      'invalid JSON: nests mappings and sequences deeper than 64 levels; a policy needs only a few (at line 1, column 336)',
    ]);
  });

  it.each([
    ['flow sequences', `version: 1\nx: ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}\n`, 'line 2'],
    ['flow mappings', `version: 1\nx: ${'{"a": '.repeat(LEVELS)}1${'}'.repeat(LEVELS)}\n`, 'line 2'],
    ['compact block sequences', `version: 1\nx:\n  ${'- '.repeat(LEVELS)}leaf\n`, 'line 3'],
    ['block mappings', `version: 1\n${Array.from({ length: 200 }, (_, level) => `${' '.repeat(level)}k${level}:`).join('\n')} leaf\n`, 'line 66, column 65'],
  ])('refuses a YAML policy nested deeper than 64 levels in %s, naming the bound and where', (_style, text, where) => {
    const problems = problemsOf(text, 'policy.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^invalid YAML: nests mappings and sequences deeper than 64 levels; a policy needs only a few \(at line \d+, column \d+\)$/);
    expect(problems[0]).toContain(where);
  });

  it('refuses aliases that nest an anchor deeper than the bound or inside itself', () => {
    const anchor = `${'['.repeat(40)}1${']'.repeat(40)}`;
    const deepAliases = `version: 1\nx: &deep ${anchor}\ny: ${'['.repeat(40)}*deep${']'.repeat(40)}\n`;
    expect(problemsOf(deepAliases, 'policy.yaml')).toEqual([
      'invalid YAML: its aliases nest mappings and sequences deeper than 64 levels (or inside themselves)',
    ]);
    expect(problemsOf('version: 1\nx: &self [*self]\n', 'policy.yaml')).toEqual([
      'invalid YAML: its aliases nest mappings and sequences deeper than 64 levels (or inside themselves)',
    ]);
  });

  it('still reads a policy within the bound', () => {
    expect(problemsOf('version: 1\ndefault:\n  tools:\n    deny: [drop_*]\n', 'policy.yaml')).toEqual([]);
    expect(problemsOf(JSON.stringify({ version: 1, default: { tools: { deny: ['drop_*'] } } }), 'policy.json')).toEqual([]);
  });
});
