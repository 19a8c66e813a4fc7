import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { apiKeyPrincipalId } from './principal.js';
import type { Principal } from './principal.js';
import { isValidScope } from './scopes.js';
import type { Scope } from './scopes.js';

/** Marks a Bastion API key, so it is told apart from an OAuth token and found by secret scanners. */
export const API_KEY_PREFIX = 'bsk_';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** One configured key: only its hash is stored, bound to a principal name and its scopes. */
export interface ApiKeyEntry {
  readonly name: string;
  /** Hex SHA-256 of the whole key, as `hashApiKey()` prints it. */
  readonly hash: string;
  readonly scopes: readonly Scope[];
}

/** `bsk_` + 32 random bytes in base64url: 256 bits from the OS CSPRNG. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * Hex SHA-256 of a key, the form stored in configuration. A fast unsalted hash is enough here,
 * unlike for passwords: the keys are 256-bit random values, so there is no dictionary to try and
 * no precomputed table can cover the space; a slow KDF (bcrypt, scrypt, argon2) only pays off for
 * low-entropy secrets, and running one on every request would hand attackers a CPU-exhaustion lever.
 * A leaked config file therefore reveals no usable key. Keys not made by `generateApiKey()` must be
 * equally random.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

interface StoredKey {
  readonly digest: Buffer;
  readonly principal: Principal;
}

function validated(entries: readonly ApiKeyEntry[]): StoredKey[] {
  const names = new Set<string>();
  const hashes = new Set<string>();
  return entries.map((entry, index) => {
    const where = `apiKeys[${index}]`;
    if (typeof entry.name !== 'string' || entry.name.trim() === '') throw new Error(`${where}: name is required`);
    if (names.has(entry.name)) throw new Error(`${where}: the name "${entry.name}" is used twice`);
    if (typeof entry.hash !== 'string' || !HEX_SHA256.test(entry.hash)) {
      throw new Error(`${where} (${entry.name}): hash must be the 64-character hex SHA-256 of the key (run hashApiKey on it); never put the key itself in config`);
    }
    // Stryker disable next-line MethodExpression: hex decoding and the duplicate check ignore case as long as every hash is folded the same way
    const hash = entry.hash.toLowerCase();
    if (hashes.has(hash)) throw new Error(`${where} (${entry.name}): the same key is configured twice`);
    const invalid = entry.scopes.filter((scope) => !isValidScope(scope));
    if (invalid.length > 0) throw new Error(`${where} (${entry.name}): invalid scopes ${invalid.map((scope) => `"${scope}"`).join(', ')}`);
    names.add(entry.name);
    hashes.add(hash);
    const principal: Principal = Object.freeze({
      id: apiKeyPrincipalId(entry.name),
      subject: entry.name,
      kind: 'api-key',
      scopes: Object.freeze([...entry.scopes]),
    });
    return { digest: Buffer.from(hash, 'hex'), principal };
  });
}

/**
 * Returns the principal a presented key belongs to, or undefined. The presented key is hashed, so
 * every comparison is between two 32-byte digests whatever its length, and every entry is compared
 * with `timingSafeEqual` without stopping at a match: the time taken says nothing about which
 * entry matched, or how much of a digest did.
 */
export function apiKeyVerifier(entries: readonly ApiKeyEntry[]): (key: string) => Principal | undefined {
  const stored = validated(entries);
  return (key) => {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: Principal | undefined;
    for (const entry of stored) {
      const equal = timingSafeEqual(digest, entry.digest);
      found = equal ? entry.principal : found;
    }
    return found;
  };
}
