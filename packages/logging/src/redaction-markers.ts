export const REDACTED = '[REDACTED]';

/** `true` (own or inherited) on values that must never be logged, such as auth's `Secret`. */
export const SECRET_MARKER: unique symbol = Symbol.for('bastion.secret');

export function isMarkedSecret(value: object): boolean {
  try {
    return (value as Record<symbol, unknown>)[SECRET_MARKER] === true;
  } catch {
    // A throwing getter or proxy trap: treat it as secret rather than risk printing it.
    return true;
  }
}
