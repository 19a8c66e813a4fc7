/**
 * Scopes are `resource:action` strings (`issues:read`, `messages:write`). A granted `resource:*`
 * covers every action on that resource, and `*` covers everything.
 */
export type Scope = string;

const SCOPE_PATTERN = /^[a-z][a-z0-9_-]*(?::[a-z*][a-z0-9_*-]*)+$/;

export function isValidScope(scope: string): boolean {
  return scope === '*' || SCOPE_PATTERN.test(scope);
}

function grants(granted: Scope, required: Scope): boolean {
  if (granted === '*' || granted === required) return true;
  if (!granted.endsWith(':*')) return false;
  return required.startsWith(granted.slice(0, -1));
}

export function missingScopes(granted: readonly Scope[], required: readonly Scope[]): Scope[] {
  return required.filter((scope) => !granted.some((held) => grants(held, scope)));
}

export function hasScopes(granted: readonly Scope[], required: readonly Scope[]): boolean {
  return missingScopes(granted, required).length === 0;
}
