import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Secret, isSecret, isSecretSchema, secret } from '../src/index.js';

describe('secret()', () => {
  const config = z.object({ TOKEN: secret({ prefixes: ['ghp_', 'github_pat_'], minLength: 8 }) });

  it('parses into a Secret whose value only reveal() returns', () => {
    const parsed = config.parse({ TOKEN: 'ghp_abcdefgh' });
    expect(isSecret(parsed.TOKEN)).toBe(true);
    expect(parsed.TOKEN.reveal()).toBe('ghp_abcdefgh');
    expect(String(parsed.TOKEN)).toBe('[REDACTED]');
    expect(`${parsed.TOKEN}`).toBe('[REDACTED]');
    expect(JSON.stringify(parsed)).toBe('{"TOKEN":"[REDACTED]"}');
    expect(inspect(parsed)).not.toContain('abcdefgh');
  });

  it('carries the secret marker other packages recognise', () => {
    const value = new Secret('x');
    expect((value as unknown as Record<symbol, unknown>)[Symbol.for('bastion.secret')]).toBe(true);
  });

  it('rejects a wrong prefix, a short value and a missing value without echoing them', () => {
    for (const input of [{ TOKEN: 'xoxb-1234567890' }, { TOKEN: 'ghp_1' }, {}]) {
      const result = config.safeParse(input);
      expect(result.success).toBe(false);
      const text = JSON.stringify(result.error?.issues);
      expect(text).not.toContain('xoxb-1234567890');
      expect(text).not.toContain('ghp_1"');
    }
    const prefix = config.safeParse({ TOKEN: 'xoxb-1234567890' });
    expect(prefix.error?.issues[0]?.message).toBe('must start with "ghp_" or "github_pat_"');
    const missing = config.safeParse({});
    expect(missing.error?.issues[0]?.message).toMatch(/^required/);
  });

  it('is recognisable as a secret field, also when optional', () => {
    expect(isSecretSchema(secret())).toBe(true);
    expect(isSecretSchema(secret().optional())).toBe(true);
    expect(isSecretSchema(z.string())).toBe(false);
  });
});
