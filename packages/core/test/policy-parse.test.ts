import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import type { ConfigProblem } from '../src/errors.js';
import { loadPolicy, loadPolicyFile } from '../src/policy/index.js';
import type { PolicyTool } from '../src/policy/index.js';

const YAML_POLICY = `
version: 1
default:
  tools:
    deny: [drop_*]
rules:
  - name: services
    match:
      principal: svc-*
    readOnly: true
    arguments:
      query:
        database: [analytics, reporting]
`;

const JSON_POLICY = JSON.stringify({
  version: 1,
  default: { tools: { deny: ['drop_*'] } },
  rules: [{ name: 'services', match: { principal: 'svc-*' }, readOnly: true, arguments: { query: { database: ['analytics', 'reporting'] } } }],
});

const read = { readOnlyHint: true };
const tools: PolicyTool[] = [
  { name: 'query', toolset: 'sql', annotations: read, scopes: [], inputProperties: ['database', 'sql'] },
  { name: 'drop_table', toolset: 'admin', annotations: { readOnlyHint: false }, scopes: [] },
];

function problemsOf(run: () => unknown): ConfigProblem[] {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** `setting: message` lines without the `BASTION_POLICY (source)` prefix, for readable assertions. */
function lines(problems: readonly ConfigProblem[]): string[] {
  return problems.map((problem) => `${problem.setting.replace(/^BASTION_POLICY \([^)]*\) ?/, '')}: ${problem.message}`);
}

const load = (text: string, source = 'policy.yaml') => loadPolicy(text, { source });
const yamlProblems = (text: string) => lines(problemsOf(() => load(text)));

describe('loadPolicy: formats', () => {
  it('reads the same policy from YAML and from JSON', () => {
    for (const [text, source] of [
      [YAML_POLICY, 'policy.yaml'],
      [YAML_POLICY, 'policy.yml'],
      [JSON_POLICY, 'policy.json'],
      [JSON_POLICY, 'policy'],
      [YAML_POLICY, 'policy'],
    ] as const) {
      const policy = load(text, source);
      expect(policy.source).toBe(source);
      const service = policy.forPrincipal({ id: 'svc-etl', scopes: [] });
      expect(service.rules).toEqual(['default', 'services']);
      expect(service.toolVisible(tools[1]!)).toBe(false);
      expect(service.checkCall(tools[0]!, { database: 'analytics' })).toEqual({ allowed: true, rules: ['default', 'services'] });
      expect(service.checkCall(tools[0]!, { database: 'prod' }).allowed).toBe(false);
    }
  });

  it('names the file and the line of a YAML syntax error', () => {
    const problems = problemsOf(() => load('version: 1\nrules: [\n  - x\n', '/etc/bastion/policy.yaml'));
    expect(problems[0]!.setting).toBe('BASTION_POLICY (/etc/bastion/policy.yaml)');
    expect(problems[0]!.message).toMatch(/^invalid YAML: .*line \d+, column \d+/);
  });

  it('reports a JSON syntax error', () => {
    expect(lines(problemsOf(() => load('{"version": 1,', 'p.json')))[0]).toMatch(/^: invalid JSON/);
  });

  it('refuses duplicate keys in YAML and in JSON instead of keeping the last', () => {
    expect(yamlProblems('version: 1\ndefault:\n  readOnly: true\n  readOnly: false\n')[0]).toMatch(/unique/);
    const json = '{"version": 1, "default": {"tools": {"deny": ["drop_table"], "deny": []}}}';
    expect(lines(problemsOf(() => load(json, 'p.json')))[0]).toMatch(/unique/);
  });

  it('refuses an empty file and a document that is not an object', () => {
    expect(yamlProblems('   \n')[0]).toMatch(/empty/);
    expect(yamlProblems('- a\n- b\n')[0]).toMatch(/^: must be an object with version, default and rules/);
  });

  it('reads YAML 1.2: yes is a string, not true', () => {
    expect(yamlProblems('version: 1\ndefault:\n  readOnly: yes\n')).toEqual(['default.readOnly: must be true or false']);
  });

  it('caps alias expansion', () => {
    const bomb = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 0; level < 8; level += 1) {
      const refs = Array.from({ length: 10 }, () => `*${String.fromCharCode(97 + level)}`).join(',');
      bomb.push(`${String.fromCharCode(98 + level)}: &${String.fromCharCode(98 + level)} [${refs}]`);
    }
    expect(yamlProblems(bomb.join('\n')).length).toBeGreaterThan(0);
  });
});

describe('loadPolicy: validation reports every problem at once, with its path', () => {
  it('collects problems from every part of the file', () => {
    const text = `
version: 2
extra: true
default:
  readonly: true
  tools:
    allow: Query
    deny: [drop_table, 3]
rules:
  - match: {}
    toolsets: admin
  - name: analysts
    match: { scope: "reports:*" }
    arguments:
      Bad: { x: [a] }
      query:
        database: [analytics, ""]
        "bad name": [x]
      read_file:
        path: ["/srv/../etc", "/srv/a**", "/srv//x"]
      write_file:
        path: { kind: glob, allow: [] }
  - name: analysts
    match: { principal: alice }
  - "not a rule"
  - name: default
    match: { principal: bob }
`;
    expect(yamlProblems(text)).toEqual([
      'version: must be 1 (the policy format version)',
      'default.tools.allow: must be a tool name or glob: lowercase letters, digits, `_`, and the wildcards `*` and `?`',
      'default.tools.deny[1]: must be a tool name or glob (a string)',
      'default.readonly: unknown field; fields allowed here: tools, readOnly, toolsets, arguments',
      'rules[0].match: name a principal or a scope (or both) to say whom the rule applies to',
      'rules[1].arguments.Bad: is not a tool name or glob: lowercase letters, digits, `_`, and the wildcards `*` and `?`',
      'rules[1].arguments.query.database[1]: must not be empty',
      'rules[1].arguments.query["bad name"]: is not an argument name: a letter, `_` or `$`, then letters, digits, `_`, `$`, `-`',
      'rules[1].arguments.read_file.path[0]: must be a normalised path: no `.` or `..` segments (a path pattern)',
      'rules[1].arguments.read_file.path[1]: `**` must be a whole path segment, as in /srv/**/logs (a path pattern)',
      'rules[1].arguments.read_file.path[2]: must be a normalised path: no empty segments (`//`) and no trailing `/` (a path pattern)',
      'rules[1].arguments.write_file.path.kind: must be name or path',
      'rules[3]: must be a rule: an object with match and what it restricts',
      'rules[4].name: is reserved; avoid default, scopes, no-rule',
      'extra: unknown field; fields allowed here: version, default, rules',
      'rules[2].name: duplicates the name of rules[1]; rule names must be unique',
    ]);
  });

  it('reports a missing version, a missing match and wrong types', () => {
    expect(yamlProblems('rules:\n  - name: a\n    readOnly: true\n    tools: [a]\n')).toEqual([
      'version: must be 1 (the policy format version)',
      'rules[0].match: must be an object with principal and/or scope (whom the rule applies to)',
      'rules[0].tools: must be an object with allow and/or deny',
    ]);
    expect(yamlProblems('version: 1\nrules: {}\n')).toEqual(['rules: must be a list of rules']);
    expect(yamlProblems('version: 1\ndefault:\n  arguments: [a]\n')).toEqual([
      'default.arguments: must map tool names (or globs) to argument constraints',
    ]);
    expect(yamlProblems('version: 1\ndefault:\n  arguments:\n    query: [a]\n')).toEqual([
      'default.arguments.query: must map argument names to their allowed values',
    ]);
  });

  it('checks argument patterns by their kind: explicit, or inferred from / and **', () => {
    // A name-kind value may contain `..`; declared as a path it may not.
    expect(() => load('version: 1\ndefault:\n  arguments:\n    t:\n      a: ["x/../y"]\n')).not.toThrow();
    expect(yamlProblems('version: 1\ndefault:\n  arguments:\n    t:\n      a: { kind: path, allow: ["x/../y"] }\n')).toEqual([
      'default.arguments.t.a.allow[0]: must be a normalised path: no `.` or `..` segments (a path pattern)',
    ]);
    expect(yamlProblems('version: 1\ndefault:\n  arguments:\n    t:\n      a: ["x/**/../y"]\n')).toEqual([
      'default.arguments.t.a[0]: must be a normalised path: no `.` or `..` segments (a path pattern)',
    ]);
  });

  it('accepts numbers and booleans as allowed values, and single values where lists are expected', () => {
    const policy = load('version: 1\ndefault:\n  tools: { allow: query }\n  arguments:\n    query:\n      limit: [10, 50]\n      explain: false\n');
    const principal = policy.forPrincipal({ id: 'a', scopes: [] });
    const query: PolicyTool = { name: 'query', toolset: 'sql', annotations: read, scopes: [] };
    expect(principal.checkCall(query, { limit: 10, explain: false })).toMatchObject({ allowed: true });
    expect(principal.checkCall(query, { limit: 11, explain: false })).toMatchObject({ allowed: false });
    expect(principal.checkCall(query, { limit: 50, explain: true })).toMatchObject({ allowed: false });
  });
});

describe('Policy.verifyTools', () => {
  it('passes when every name in the policy exists', () => {
    expect(() => load(YAML_POLICY).verifyTools(tools)).not.toThrow();
  });

  it('reports typos in tool, toolset and argument names', () => {
    const policy = load(`
version: 1
default:
  tools: { deny: [drop_tabel, "delete_*"], allow: [query, drop_table] }
  toolsets: [sql, admn]
  arguments:
    query: { databse: [a], database: [a] }
    qurey: { database: [a] }
    "*": { sql: [a] }
`);
    expect(lines(problemsOf(() => policy.verifyTools(tools)))).toEqual([
      'default.tools.deny[0]: drop_tabel matches no tool of this connector; its tools: drop_table, query',
      'default.tools.deny[1]: delete_* matches no tool of this connector; its tools: drop_table, query',
      'default.toolsets[1]: admn matches no toolset of this connector; its toolsets: admin, sql',
      'default.arguments.query.databse: no matching tool takes an argument databse; their arguments: database, sql',
      'default.arguments.qurey: qurey matches no tool of this connector; its tools: drop_table, query',
    ]);
  });
});

describe('loadPolicyFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bastion-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a file and names it in problems', async () => {
    const good = join(dir, 'good.yaml');
    await writeFile(good, YAML_POLICY);
    expect((await loadPolicyFile(good)).source).toBe(good);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"version": 3}');
    await expect(loadPolicyFile(bad)).rejects.toMatchObject({ problems: [{ setting: `BASTION_POLICY (${bad}) version` }] });
  });

  it('refuses a missing file, a directory and an oversized file clearly', async () => {
    await expect(loadPolicyFile(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read the policy file .*missing\.yaml \(ENOENT\)/);
    const sub = join(dir, 'sub');
    await mkdir(sub);
    await expect(loadPolicyFile(sub)).rejects.toThrow(/is not a regular file/);
    const huge = join(dir, 'huge.yaml');
    await writeFile(huge, `version: 1\n#${'x'.repeat(1024 * 1024)}\n`);
    await expect(loadPolicyFile(huge)).rejects.toThrow(/larger than/);
  });
});
