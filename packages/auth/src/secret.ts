import { inspect } from 'node:util';
import { z } from 'zod';

const SECRET_MARKER = Symbol.for('bastion.secret');
const REDACTED = '[REDACTED]';

/**
 * A credential read from configuration. It prints, serialises and inspects as `[REDACTED]`;
 * only `reveal()` returns the value, so it cannot leak through a log line or an error message.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  get [SECRET_MARKER](): true {
    return true;
  }
}

export interface SecretOptions {
  /** Accepted prefixes (for example `['ghp_', 'github_pat_']`); a value with another prefix is rejected. */
  prefixes?: readonly string[];
  /** Minimum length, to catch truncated copies. Default 1. */
  minLength?: number;
}

/** A config field holding a credential; validation messages never contain the value. */
export function secret(options: SecretOptions = {}) {
  const { prefixes, minLength = 1 } = options;
  let schema = z
    .string({ error: 'required: set it to the credential (it is never printed or logged)' })
    .min(minLength, { error: `must be at least ${minLength} characters long` });
  if (prefixes && prefixes.length > 0) {
    schema = schema.refine((value) => prefixes.some((prefix) => value.startsWith(prefix)), {
      error: `must start with ${prefixes.map((prefix) => `"${prefix}"`).join(' or ')}`,
    });
  }
  return schema.transform((value) => new Secret(value)).meta({ 'x-bastion-secret': true });
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

/** True when a config field was declared with `secret()`, so its value must never be shown. */
export function isSecretSchema(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 8; depth += 1) {
    if (z.globalRegistry.get(current)?.['x-bastion-secret'] === true) return true;
    const def = current.def as { innerType?: z.ZodType; in?: z.ZodType; valueType?: z.ZodType };
    // A record of credentials (one per name) is as secret as one credential.
    current = def.innerType ?? def.in ?? def.valueType;
  }
  return false;
}
