import { describe, expect, it } from 'vitest';
import { apiKeyVerifier, hashApiKey } from '../src/api-keys.js';

const HASH = hashApiKey('bsk_example');

describe('apiKeyVerifier configuration', () => {
  it('needs a name', () => {
    expect(() => apiKeyVerifier([{ name: '  ', hash: HASH, scopes: [] }])).toThrow('apiKeys[0]: name is required');
  });

  it.each([
    ['too short', 'abc'],
    ['led by other text', `zz${HASH}`],
    ['followed by other text', `${HASH}zz`],
  ])('refuses a hash that is %s', (_name, hash) => {
    expect(() => apiKeyVerifier([{ name: 'ci', hash, scopes: [] }])).toThrow(
      'apiKeys[0] (ci): hash must be the 64-character hex SHA-256 of the key (run hashApiKey on it); never put the key itself in config',
    );
  });

  it('names the invalid scopes', () => {
    expect(() => apiKeyVerifier([{ name: 'ci', hash: HASH, scopes: ['items:read', 'bad scope', ''] }])).toThrow(
      'apiKeys[0] (ci): invalid scopes "bad scope", ""',
    );
  });
});
