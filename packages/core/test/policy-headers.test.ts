import { describe, expect, it } from 'vitest';
import { loadPolicy, narrowByHeaders, unrestrictedPolicy } from '../src/policy/index.js';
import type { PolicyTool, PrincipalPolicy, RequestHeaders } from '../src/policy/index.js';

const tool = (name: string, toolset: string, readOnly: boolean): PolicyTool => ({
  name,
  toolset,
  annotations: { readOnlyHint: readOnly },
  scopes: [],
});
const tools = [
  tool('list_issues', 'issues', true),
  tool('create_issue', 'issues', false),
  tool('query', 'sql', true),
  tool('delete_repo', 'admin', false),
];

const policy = loadPolicy(
  `version: 1
default:
  tools: { deny: [delete_repo] }
  arguments:
    query: { database: [analytics] }
rules:
  - name: viewers
    match: { principal: viewer }
    readOnly: true
`,
  { source: 'policy.yaml' },
);
const alice = policy.forPrincipal({ id: 'alice', scopes: ['*'] });
const viewer = policy.forPrincipal({ id: 'viewer', scopes: ['*'] });

function narrow(base: PrincipalPolicy, headers: RequestHeaders): PrincipalPolicy {
  const result = narrowByHeaders(base, headers);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}
const visible = (principal: PrincipalPolicy) => tools.filter((candidate) => principal.toolVisible(candidate)).map((candidate) => candidate.name);

describe('narrowByHeaders', () => {
  it('changes nothing without the headers', () => {
    const result = narrowByHeaders(alice, { 'content-type': 'application/json' });
    expect(result).toEqual({ ok: true, policy: alice });
  });

  it('keeps only the tools an x-bastion-tools list names, by name or glob', () => {
    const narrowed = narrow(alice, { 'x-bastion-tools': 'query, list_*' });
    expect(visible(narrowed)).toEqual(['list_issues', 'query']);
    expect(narrowed.rules).toEqual(['default', 'header:x-bastion-tools']);
    expect(narrowed.checkCall(tools[1]!, {})).toEqual({
      allowed: false,
      rule: 'header:x-bastion-tools',
      reason: "tool create_issue is not in this request's x-bastion-tools (query, list_*)",
      hidden: true,
    });
    expect(narrowed.checkCall(tools[0]!, {})).toEqual({ allowed: true, rules: ['default', 'header:x-bastion-tools'] });
  });

  it('can never add a tool: naming a denied tool leaves it denied by the policy', () => {
    const narrowed = narrow(alice, { 'x-bastion-tools': 'delete_repo,*' });
    expect(visible(narrowed)).toEqual(['list_issues', 'create_issue', 'query']);
    expect(narrowed.checkCall(tools[3]!, {})).toMatchObject({ allowed: false, rule: 'default', hidden: true });
    const readOnly = narrow(viewer, { 'x-bastion-read-only': 'false', 'x-bastion-tools': '*', 'x-bastion-toolsets': '*' });
    expect(visible(readOnly)).toEqual(['list_issues', 'query']);
    const scoped = narrow(unrestrictedPolicy.forPrincipal({ id: 'bot', scopes: [] }), { 'x-bastion-tools': '*' });
    expect(scoped.toolVisible({ ...tools[0]!, scopes: ['issues:read'] })).toBe(false);
  });

  it('keeps argument constraints of the policy', () => {
    const narrowed = narrow(alice, { 'x-bastion-tools': 'query' });
    expect(narrowed.checkCall(tools[2]!, { database: 'prod' })).toMatchObject({ allowed: false, rule: 'default', hidden: false });
    expect(narrowed.checkCall(tools[2]!, { database: 'analytics' }).allowed).toBe(true);
  });

  it('drops write tools for x-bastion-read-only: true', () => {
    for (const value of ['true', ' TRUE ', ['true']]) {
      const narrowed = narrow(alice, { 'x-bastion-read-only': value });
      expect(visible(narrowed)).toEqual(['list_issues', 'query']);
      expect(narrowed.checkCall(tools[1]!, {})).toMatchObject({ allowed: false, rule: 'header:x-bastion-read-only', hidden: true });
    }
    expect(narrow(alice, { 'x-bastion-read-only': 'false' })).toBe(alice);
  });

  it('keeps only the toolsets x-bastion-toolsets names', () => {
    const narrowed = narrow(alice, { 'x-bastion-toolsets': 'issues' });
    expect(visible(narrowed)).toEqual(['list_issues', 'create_issue']);
    expect((narrowed.checkCall(tools[2]!, {}) as { reason: string }).reason).toBe(
      "tool query is in toolset sql, not in this request's x-bastion-toolsets (issues)",
    );
  });

  it('combines the headers, and finds them whatever their case', () => {
    const narrowed = narrow(alice, { 'X-Bastion-Tools': '*_issue*,query', 'X-BASTION-READ-ONLY': 'true', 'x-bastion-toolsets': ['issues', 'sql'] });
    expect(visible(narrowed)).toEqual(['list_issues', 'query']);
    expect(narrowed.rules).toEqual(['default', 'header:x-bastion-tools', 'header:x-bastion-toolsets', 'header:x-bastion-read-only']);
  });

  it('refuses malformed values clearly instead of ignoring them', () => {
    const cases: [RequestHeaders, string, RegExp][] = [
      [{ 'x-bastion-tools': '' }, 'x-bastion-tools', /item 1 is empty/],
      [{ 'x-bastion-tools': 'query,,list_issues' }, 'x-bastion-tools', /item 2 is empty/],
      [{ 'x-bastion-tools': 'query,Drop Table' }, 'x-bastion-tools', /item 2 \("Drop Table"\) is not one/],
      [{ 'x-bastion-tools': 'a'.repeat(129) }, 'x-bastion-tools', /item 1 \("a{40}\.\.\."\) is not one/],
      [{ 'x-bastion-tools': Array.from({ length: 257 }, () => 'query').join(',') }, 'x-bastion-tools', /more than 256 items/],
      [{ 'x-bastion-toolsets': 'issues;sql' }, 'x-bastion-toolsets', /is not one/],
      [{ 'x-bastion-read-only': 'yes' }, 'x-bastion-read-only', /must be true or false/],
      [{ 'x-bastion-read-only': '' }, 'x-bastion-read-only', /must be true or false/],
      [{ 'x-bastion-read-only': 'true, true' }, 'x-bastion-read-only', /must be true or false/],
      [{ 'x-bastion-read-only': ['true', 'false'] }, 'x-bastion-read-only', /sent once/],
    ];
    for (const [headers, header, message] of cases) {
      const result = narrowByHeaders(alice, headers);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.header).toBe(header);
      expect(result.message).toMatch(message);
      expect(result.message.length).toBeLessThan(300);
    }
  });
});
