/**
 * Sets an own enumerable property. Plain assignment of a `__proto__` key would change the
 * object's prototype instead of creating a property, so that key is defined explicitly.
 */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
