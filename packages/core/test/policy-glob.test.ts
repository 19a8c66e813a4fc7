import { describe, expect, it } from 'vitest';
import { compileGlob, globProblem } from '../src/policy/index.js';

const name = (pattern: string, value: string) => compileGlob(pattern, 'name')(value);
const path = (pattern: string, value: string) => compileGlob(pattern, 'path')(value);

describe('name globs', () => {
  it('matches exact names and nothing else', () => {
    expect(name('query', 'query')).toBe(true);
    expect(name('query', 'query_admin')).toBe(false);
    expect(name('query', 'Query')).toBe(false);
  });

  it('treats * as any run without /, ** as any run, ? as one character', () => {
    expect(name('svc-*', 'svc-billing')).toBe(true);
    expect(name('svc-*', 'svc-')).toBe(true);
    expect(name('svc-*', 'xsvc-billing')).toBe(false);
    expect(name('acme/*', 'acme/api')).toBe(true);
    expect(name('acme/*', 'acme/api/extra')).toBe(false);
    expect(name('acme/*', 'acmex/api')).toBe(false);
    expect(name('spiffe://acme/**', 'spiffe://acme/ns/prod/sa')).toBe(true);
    expect(name('v?', 'v1')).toBe(true);
    expect(name('v?', 'v10')).toBe(false);
    expect(name('a?c', 'a/c')).toBe(false);
    expect(name('*_issue*', 'create_issue_comment')).toBe(true);
    expect(name('*a*b', 'xaxbxab')).toBe(true);
    expect(name('*a*b', 'xaxbxa')).toBe(false);
  });

  it('keeps regular-expression and bracket characters literal', () => {
    expect(name('a.c', 'abc')).toBe(false);
    expect(name('a.c', 'a.c')).toBe(true);
    expect(name('[ab]', 'a')).toBe(false);
    expect(name('(x|y)*', '(x|y)z')).toBe(true);
    expect(name('^$+', '^$+')).toBe(true);
  });

  it('matches code points, not UTF-16 halves', () => {
    expect(name('?', '😀')).toBe(true);
    expect(name('é*', 'éa')).toBe(true);
  });

  it('stays fast on patterns that make backtracking matchers explode', () => {
    const pattern = `${'*a'.repeat(30)}b`;
    const value = 'a'.repeat(4000);
    const started = performance.now();
    expect(name(pattern, value)).toBe(false);
    expect(path(`/${'*a*'.repeat(20)}/**/x`, `/${'a'.repeat(4000)}/y`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('path globs', () => {
  it('matches a tree with ** and never a prefix sibling', () => {
    expect(path('/srv/data/**', '/srv/data')).toBe(true);
    expect(path('/srv/data/**', '/srv/data/')).toBe(true);
    expect(path('/srv/data/**', '/srv/data/a/b/c.csv')).toBe(true);
    expect(path('/srv/data/**', '/srv/data_evil/x')).toBe(false);
    expect(path('/srv/data/**', '/srv/dat')).toBe(false);
    expect(path('/srv/data/**', '/srv')).toBe(false);
  });

  it('normalises the value before matching, so traversal cannot escape', () => {
    expect(path('/srv/data/**', '/srv/data/../../etc/passwd')).toBe(false);
    expect(path('/srv/data/**', '/srv/data/sub/../x')).toBe(true);
    expect(path('/srv/data/**', '/srv//data///x')).toBe(true);
    expect(path('/srv/data/**', '/srv/./data/x')).toBe(true);
    expect(path('/srv/data/*', '/srv/data/..')).toBe(false);
    expect(path('/srv/data/**', '/../srv/data/x')).toBe(true);
  });

  it('keeps * and ? inside one segment', () => {
    expect(path('/srv/*/logs', '/srv/app/logs')).toBe(true);
    expect(path('/srv/*/logs', '/srv/a/b/logs')).toBe(false);
    expect(path('/srv/**/logs', '/srv/a/b/logs')).toBe(true);
    expect(path('/srv/**/logs', '/srv/logs')).toBe(true);
    expect(path('/srv/*.csv', '/srv/a.csv')).toBe(true);
    expect(path('/srv/*.csv', '/srv/a/b.csv')).toBe(false);
  });

  it('never matches relative values against absolute patterns, values climbing above their base, or NUL', () => {
    expect(path('/srv/data/**', 'srv/data/x')).toBe(false);
    expect(path('reports/**', 'reports/q1.csv')).toBe(true);
    expect(path('reports/**', 'reports/../../x')).toBe(false);
    expect(path('**', '../x')).toBe(false);
    expect(path('*/x', '/x')).toBe(false);
    expect(path('/srv/**', '/srv/a\0b')).toBe(false);
    expect(path('/srv/**', '')).toBe(false);
    expect(path('/', '/')).toBe(true);
    expect(path('/', '/etc')).toBe(false);
  });
});

describe('globProblem', () => {
  it('accepts normalised patterns', () => {
    for (const pattern of ['/srv/**', '/', 'reports/*.csv', '/a/**/b']) expect(globProblem(pattern, 'path')).toBeUndefined();
    expect(globProblem('svc-**', 'name')).toBeUndefined();
  });

  it('names what is wrong with a pattern', () => {
    expect(globProblem('', 'name')).toMatch(/empty/);
    expect(globProblem('a\nb', 'name')).toMatch(/control/);
    expect(globProblem('/srv/../etc', 'path')).toMatch(/`\.\.`/);
    expect(globProblem('/srv//x', 'path')).toMatch(/empty segments/);
    expect(globProblem('/srv/', 'path')).toMatch(/trailing/);
    expect(globProblem('/srv/a**', 'path')).toMatch(/whole path segment/);
  });
});
