import { fileURLToPath } from 'node:url';
import { runBin } from '@bastion-mcp/testing';
import { describe, expect, it } from 'vitest';

// A Redis URL the client library cannot use was once accepted at start and failed later with a
// bare "Invalid URL" and exit 1; it is a configuration problem like any other.
const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const PASSWORD = 'Sekr3t-pw';

describe('BASTION_REDIS_URL', () => {
  it.each([
    ['a port out of range', `redis://:${PASSWORD}@127.0.0.1:99999`],
    ['a password with an unencoded "@" and "/"', `redis://:${PASSWORD}@x/y@127.0.0.1:6379`],
    ['no host', 'redis://'],
    ['another scheme', `http://:${PASSWORD}@127.0.0.1:6379`],
  ])('refuses %s with exit 2, naming the setting and never the value', async (_, url) => {
    for (const env of [{ BASTION_REDIS_URL: url }, { BASTION_REDIS_URL: url, BASTION_RATE_LIMIT: '10/min' }]) {
      const result = await runBin(bin, { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/BASTION_REDIS_URL: (is not a valid URL|must start with)/);
      expect(result.stderr).not.toContain(PASSWORD);
      expect(result.stderr).not.toMatch(/Invalid URL|\n\s+at /);
      expect(result.stdout).toBe('');
    }
  });

  it('accepts a percent-encoded password and a database number', async () => {
    const result = await runBin(bin, { env: { BASTION_REDIS_URL: 'rediss://user:p%40ss%2Fw@127.0.0.1:6380/2' }, input: '' });
    expect(result.code).toBe(0);
  });
});
