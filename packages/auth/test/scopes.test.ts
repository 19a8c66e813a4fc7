import { describe, expect, it } from 'vitest';
import { hasScopes, isValidScope, missingScopes } from '../src/index.js';

describe('scopes', () => {
  it('validates the resource:action shape', () => {
    expect(isValidScope('issues:read')).toBe(true);
    expect(isValidScope('repo:*')).toBe(true);
    expect(isValidScope('*')).toBe(true);
    expect(isValidScope('Issues:read')).toBe(false);
    expect(isValidScope('issues')).toBe(false);
    expect(isValidScope('issues:')).toBe(false);
  });

  it('grants exact, wildcard-action and global scopes only', () => {
    expect(hasScopes(['issues:read'], ['issues:read'])).toBe(true);
    expect(hasScopes(['issues:*'], ['issues:read', 'issues:write'])).toBe(true);
    expect(hasScopes(['*'], ['anything:write'])).toBe(true);
    expect(hasScopes(['issues:read'], ['issues:write'])).toBe(false);
    expect(hasScopes(['issue:*'], ['issues:read'])).toBe(false);
    expect(missingScopes(['issues:read'], ['issues:read', 'pulls:read', 'repo:write'])).toEqual([
      'pulls:read',
      'repo:write',
    ]);
    expect(hasScopes([], [])).toBe(true);
  });
});
