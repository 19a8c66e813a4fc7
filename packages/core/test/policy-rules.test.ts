import { describe, expect, it } from 'vitest';
import { loadPolicy, unrestrictedPolicy } from '../src/policy/index.js';
import type { PolicyPrincipal, PolicyTool } from '../src/policy/index.js';

const tool = (name: string, options: { toolset?: string; readOnly?: boolean; scopes?: string[]; inputs?: string[] } = {}): PolicyTool => ({
  name,
  toolset: options.toolset ?? 'default',
  annotations: { readOnlyHint: options.readOnly ?? true },
  scopes: options.scopes ?? [],
  ...(options.inputs ? { inputProperties: options.inputs } : {}),
});

const listIssues = tool('list_issues', { toolset: 'issues', scopes: ['issues:read'] });
const createIssue = tool('create_issue', { toolset: 'issues', readOnly: false, scopes: ['issues:write'] });
const deleteRepo = tool('delete_repo', { toolset: 'admin', readOnly: false, scopes: ['repos:admin'] });
const query = tool('query', { toolset: 'sql' });
const readFile = tool('read_file', { toolset: 'files' });
const all = [listIssues, createIssue, deleteRepo, query, readFile];

const everything: PolicyPrincipal = { id: 'alice', scopes: ['*'] };
const visible = (policy: ReturnType<typeof loadPolicy>, principal: PolicyPrincipal) =>
  all.filter((candidate) => policy.forPrincipal(principal).toolVisible(candidate)).map((candidate) => candidate.name);
const load = (text: string) => loadPolicy(`version: 1\n${text}`, { source: 'policy.yaml' });

describe('without a policy file', () => {
  it('allows whatever the scopes cover, and hides the rest', () => {
    const reader = unrestrictedPolicy.forPrincipal({ id: 'bot', scopes: ['issues:read'] });
    expect(all.filter((candidate) => reader.toolVisible(candidate)).map((candidate) => candidate.name)).toEqual(['list_issues', 'query', 'read_file']);
    expect(reader.checkCall(listIssues, {})).toEqual({ allowed: true, rules: [] });
    expect(reader.checkCall(createIssue, {})).toEqual({
      allowed: false,
      rule: 'scopes',
      reason: 'tool create_issue needs scope issues:write, which was not granted',
      hidden: true,
    });
    const writer = unrestrictedPolicy.forPrincipal({ id: 'bot', scopes: ['issues:*'] });
    expect(writer.toolVisible(createIssue)).toBe(true);
    expect(writer.toolVisible(deleteRepo)).toBe(false);
  });
});

describe('with a policy file', () => {
  it('denies everything to a principal no rule matches when there is no default (fail closed)', () => {
    const policy = load('rules:\n  - match: { principal: alice }\n');
    const stranger = policy.forPrincipal({ id: 'mallory', scopes: ['*'] });
    expect(all.some((candidate) => stranger.toolVisible(candidate))).toBe(false);
    expect(stranger.checkCall(listIssues, {})).toMatchObject({ allowed: false, rule: 'no-rule', hidden: true });
    expect((stranger.checkCall(listIssues, {}) as { reason: string }).reason).toMatch(/no policy rule applies/);
    // An empty rule admits its principals with no further narrowing.
    expect(visible(policy, everything)).toEqual(all.map((candidate) => candidate.name));
    expect(policy.forPrincipal(everything).checkCall(deleteRepo, {})).toEqual({ allowed: true, rules: ['rules[0]'] });
  });

  it('still checks scopes under a policy: a rule cannot grant what the scopes do not', () => {
    const policy = load('default:\n  tools: { allow: ["*"] }\n');
    expect(visible(policy, { id: 'bot', scopes: ['issues:read'] })).toEqual(['list_issues', 'query', 'read_file']);
  });

  it('applies the default to everyone', () => {
    const policy = load('default:\n  tools: { deny: [delete_*] }\n');
    expect(visible(policy, everything)).toEqual(['list_issues', 'create_issue', 'query', 'read_file']);
    expect(policy.forPrincipal(everything).checkCall(deleteRepo, {})).toEqual({
      allowed: false,
      rule: 'default',
      reason: 'tool delete_repo is denied (policy default, tools.deny)',
      hidden: true,
    });
  });

  it('lets deny win over allow, inside one rule and across rules', () => {
    const policy = load(`
default:
  tools: { allow: ["*"], deny: [delete_repo] }
rules:
  - name: admins
    match: { principal: admin-* }
    tools: { allow: [delete_repo, list_issues] }
  - match: { principal: admin-root }
    tools: { allow: [list_*], deny: [list_*] }
`);
    expect(visible(policy, { id: 'admin-ann', scopes: ['*'] })).toEqual(['list_issues']);
    expect(visible(policy, { id: 'admin-root', scopes: ['*'] })).toEqual([]);
    expect(policy.forPrincipal({ id: 'admin-root', scopes: ['*'] }).checkCall(listIssues, {})).toMatchObject({ rule: 'rules[1]' });
  });

  it('intersects every matching rule: each can only narrow', () => {
    const policy = load(`
default:
  tools: { allow: [list_issues, create_issue, query] }
rules:
  - name: by-name
    match: { principal: [svc-*] }
    tools: { allow: [create_issue, query, read_file] }
  - name: by-scope
    match: { scope: "issues:*" }
    readOnly: true
  - name: wide-open
    match: { principal: svc-* }
    readOnly: false
    tools: { allow: ["*"] }
`);
    expect(visible(policy, { id: 'svc-a', scopes: ['*'] })).toEqual(['create_issue', 'query']);
    expect(visible(policy, { id: 'svc-a', scopes: ['*', 'issues:read'] })).toEqual(['query']);
    expect(visible(policy, { id: 'alice', scopes: ['*'] })).toEqual(['list_issues', 'create_issue', 'query']);
    const decision = policy.forPrincipal({ id: 'svc-a', scopes: ['*', 'issues:read'] }).checkCall(query, {});
    expect(decision).toEqual({ allowed: true, rules: ['default', 'by-name', 'by-scope', 'wide-open'] });
  });

  it('matches scope selectors against the scopes as granted, and needs both selectors when both are given', () => {
    const policy = load(`
default: {}
rules:
  - name: readers
    match: { scope: "*:read" }
    readOnly: true
  - name: ci
    match: { principal: ci-*, scope: deploy }
    toolsets: [sql]
`);
    expect(visible(policy, { id: 'ci-1', scopes: ['*'] })).toEqual(all.map((candidate) => candidate.name));
    expect(visible(policy, { id: 'ci-1', scopes: ['*', 'deploy'] })).toEqual(['query']);
    expect(visible(policy, { id: 'bob', scopes: ['*', 'deploy'] })).toEqual(all.map((candidate) => candidate.name));
    expect(visible(policy, { id: 'bob', scopes: ['*', 'issues:read'] })).toEqual(['list_issues', 'query', 'read_file']);
    // The cache keys on the scopes too: the same id with other scopes gets its own answer.
    expect(visible(policy, { id: 'ci-1', scopes: ['*'] })).toHaveLength(5);
  });

  it('keeps only read-only tools under readOnly, naming the rule', () => {
    const policy = load('rules:\n  - name: viewers\n    match: { principal: "*" }\n    readOnly: true\n');
    expect(visible(policy, everything)).toEqual(['list_issues', 'query', 'read_file']);
    expect(policy.forPrincipal(everything).checkCall(createIssue, {})).toEqual({
      allowed: false,
      rule: 'viewers',
      reason: 'tool create_issue can change state and only read-only tools are allowed (policy rule viewers, readOnly)',
      hidden: true,
    });
    const unannotated: PolicyTool = { name: 'mystery', toolset: 'default', annotations: {}, scopes: [] };
    expect(policy.forPrincipal(everything).toolVisible(unannotated)).toBe(false);
  });

  it('keeps only the allowed toolsets', () => {
    const policy = load('default:\n  toolsets: [issues, s*]\n');
    expect(visible(policy, everything)).toEqual(['list_issues', 'create_issue', 'query']);
    expect((policy.forPrincipal(everything).checkCall(readFile, {}) as { reason: string }).reason).toBe(
      'tool read_file is in toolset files, which is not allowed (policy default, toolsets: issues, s*)',
    );
  });
});

describe('argument constraints', () => {
  const policy = load(`
default:
  arguments:
    query:
      database: [analytics, reporting]
    read_file:
      path: ["/srv/data/**", "/srv/shared/*.csv"]
    "*_issue*":
      repo: ["acme/*"]
rules:
  - name: analysts
    match: { principal: analyst-* }
    arguments:
      query:
        database: [analytics]
`);
  const alice = policy.forPrincipal({ id: 'alice', scopes: ['*'] });
  const analyst = policy.forPrincipal({ id: 'analyst-1', scopes: ['*'] });

  it('allows listed values and globs', () => {
    expect(alice.checkCall(query, { database: 'reporting', sql: 'select 1' })).toEqual({ allowed: true, rules: ['default'] });
    expect(alice.checkCall(readFile, { path: '/srv/data/2024/q1.csv' }).allowed).toBe(true);
    expect(alice.checkCall(readFile, { path: '/srv/shared/a.csv' }).allowed).toBe(true);
    expect(alice.checkCall(listIssues, { repo: 'acme/api' }).allowed).toBe(true);
  });

  it('refuses other values, naming the argument and what is allowed but never the value', () => {
    const decision = alice.checkCall(query, { database: 'prod-secret-db' });
    expect(decision).toEqual({
      allowed: false,
      rule: 'default',
      reason: 'argument database is not allowed (policy default); allowed values: analytics, reporting',
      hidden: false,
    });
    expect(JSON.stringify(decision)).not.toContain('prod-secret-db');
    expect(alice.checkCall(readFile, { path: '/srv/data/../../etc/passwd' })).toMatchObject({
      allowed: false,
      reason: 'argument path is not allowed (policy default); allowed paths: /srv/data/**, /srv/shared/*.csv',
    });
    expect(alice.checkCall(readFile, { path: '/srv/data_evil/x' }).allowed).toBe(false);
    expect(alice.checkCall(readFile, { path: '/srv/shared/sub/a.csv' }).allowed).toBe(false);
    expect(alice.checkCall(listIssues, { repo: 'other/api' }).allowed).toBe(false);
    expect(alice.checkCall(listIssues, { repo: 'acme/api/../../other/x' }).allowed).toBe(false);
  });

  it('intersects constraints from several rules', () => {
    expect(analyst.checkCall(query, { database: 'analytics' })).toEqual({ allowed: true, rules: ['default', 'analysts'] });
    expect(analyst.checkCall(query, { database: 'reporting' })).toMatchObject({
      allowed: false,
      rule: 'analysts',
      reason: 'argument database is not allowed (policy rule analysts); allowed values: analytics',
    });
  });

  it('refuses a missing constrained argument, since the tool default could lie outside the policy', () => {
    expect(alice.checkCall(query, {})).toMatchObject({
      allowed: false,
      reason: 'argument database is required (policy default); allowed values: analytics, reporting',
    });
    expect(alice.checkCall(query, undefined).allowed).toBe(false);
    expect(alice.checkCall(query, Object.create({ database: 'analytics' })).allowed).toBe(false);
  });

  it('refuses values it cannot check', () => {
    for (const args of [
      { database: { name: 'analytics' } },
      { database: null },
      { database: ['analytics', ['reporting']] },
      { database: 'a'.repeat(5000) },
      { database: Array.from({ length: 1001 }, () => 'analytics') },
    ]) {
      expect(alice.checkCall(query, args).allowed).toBe(false);
    }
    for (const args of [null, 'database=analytics', ['analytics'], 42]) {
      expect(alice.checkCall(query, args)).toMatchObject({ allowed: false, reason: expect.stringMatching(/must be an object/) });
    }
  });

  it('checks every element of a list', () => {
    const multi = load('default:\n  arguments:\n    read_files:\n      paths: ["/srv/**"]\n').forPrincipal(everything);
    const readFiles = tool('read_files');
    expect(multi.checkCall(readFiles, { paths: ['/srv/a', '/srv/b/c'] }).allowed).toBe(true);
    expect(multi.checkCall(readFiles, { paths: [] }).allowed).toBe(true);
    expect(multi.checkCall(readFiles, { paths: ['/srv/a', '/etc/shadow'] })).toMatchObject({
      allowed: false,
      reason: 'argument paths[1] is not allowed (policy default); allowed paths: /srv/**',
    });
  });

  it('skips tools that declare their inputs without the argument, and checks the rest', () => {
    const byGlob = load('default:\n  arguments:\n    "*":\n      repo: ["acme/*"]\n').forPrincipal(everything);
    expect(byGlob.checkCall(tool('list_orgs', { inputs: ['cursor'] }), {}).allowed).toBe(true);
    expect(byGlob.checkCall(tool('list_prs', { inputs: ['repo'] }), {}).allowed).toBe(false);
    expect(byGlob.checkCall(tool('list_prs', { inputs: ['repo'] }), { repo: 'acme/x' }).allowed).toBe(true);
    expect(byGlob.checkCall(tool('unknown_inputs'), {}).allowed).toBe(false);
  });

  it('compares numbers and booleans by their text, and treats name values literally', () => {
    const literal = load('default:\n  arguments:\n    t:\n      a: ["x.y", "1"]\n').forPrincipal(everything);
    const t = tool('t');
    expect(literal.checkCall(t, { a: 'x.y' }).allowed).toBe(true);
    expect(literal.checkCall(t, { a: 'xzy' }).allowed).toBe(false);
    expect(literal.checkCall(t, { a: 1 }).allowed).toBe(true);
    expect(literal.checkCall(t, { a: true }).allowed).toBe(false);
  });

  it('leaves the tool listed: argument refusals are per call', () => {
    expect(alice.toolVisible(query)).toBe(true);
  });
});
