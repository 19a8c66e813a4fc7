import { createHash } from 'node:crypto';
import type { Principal } from './principal.js';

export interface TokenCacheOptions {
  /** Most tokens remembered; the oldest entry goes first. Default 10000. */
  readonly maxEntries?: number;
  /** Longest a verified token is trusted without checking again, so a revocation or a removed key takes effect this soon. Default 60000. */
  readonly maxTtlMs?: number;
}

export interface TokenCacheEntry {
  readonly principal: Principal;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** The key a token is remembered under: its SHA-256, so a heap dump or a shared cache never holds a usable token. */
export function tokenCacheKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Principals of tokens already verified (a JWT signature) or introspected, until min(token exp, maxTtlMs); bounded in size. */
export class TokenCache {
  readonly maxEntries: number;
  readonly maxTtlMs: number;
  readonly #entries = new Map<string, TokenCacheEntry>();

  constructor(options: TokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxTtlMs = options.maxTtlMs ?? 60_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new Error('maxEntries must be a positive integer');
    if (!(this.maxTtlMs >= 0)) throw new Error('maxTtlMs must not be negative');
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, now = Date.now()): Principal | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a principal until the token's expiry (epoch seconds) or the TTL cap, whichever is sooner. */
  set(key: string, principal: Principal, tokenExpiresAtSeconds: number, now = Date.now()): void {
    const expiresAt = Math.min(tokenExpiresAtSeconds * 1000, now + this.maxTtlMs);
    if (expiresAt <= now) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { principal, expiresAt });
  }

  /** What is stored, for tests and diagnostics: token hashes and principals only. */
  entries(): IterableIterator<[string, TokenCacheEntry]> {
    return this.#entries.entries();
  }

  clear(): void {
    this.#entries.clear();
  }
}
