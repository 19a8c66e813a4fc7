import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { secret } from '@bastion-mcp/auth';
import { ConfigError, cliAction, formatHelp, allSettings, loadConfig } from '../src/index.js';

const shape = {
  name: 'demo',
  config: z.object({
    DEMO_TOKEN: secret().describe('API token'),
    DEMO_API_URL: z.url().default('https://api.example.com').describe('API base URL'),
    DEMO_VERBOSE: z.boolean().default(false),
    DEMO_ROOTS: z.array(z.string()).default([]),
  }),
  positionals: 'DEMO_ROOTS',
};

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.problems.map((problem) => `${problem.setting}: ${problem.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults and reads the environment', () => {
    const loaded = loadConfig<{ DEMO_API_URL: string; DEMO_VERBOSE: boolean }>(shape, {
      argv: [],
      env: { DEMO_TOKEN: 'tok_123', DEMO_VERBOSE: 'yes' },
    });
    expect(loaded.core.transport).toBe('stdio');
    expect(loaded.core.host).toBe('127.0.0.1');
    expect(loaded.core.maxResultBytes).toBe(1024 * 1024);
    expect(loaded.connector.DEMO_API_URL).toBe('https://api.example.com');
    expect(loaded.connector.DEMO_VERBOSE).toBe(true);
  });

  it('lets flags override environment variables and fills positionals', () => {
    const loaded = loadConfig<{ DEMO_API_URL: string; DEMO_ROOTS: string[] }>(shape, {
      argv: ['--api-url', 'https://other.example.com', '--port', '9001', '--read-only', '/a', '/b'],
      env: { DEMO_TOKEN: 'tok', DEMO_API_URL: 'https://env.example.com', BASTION_PORT: '7000' },
    });
    expect(loaded.connector.DEMO_API_URL).toBe('https://other.example.com');
    expect(loaded.connector.DEMO_ROOTS).toEqual(['/a', '/b']);
    expect(loaded.core.port).toBe(9001);
    expect(loaded.core.readOnly).toBe(true);
  });

  it('parses comma-separated lists', () => {
    const loaded = loadConfig(shape, { argv: ['--toolsets', 'repos, issues'], env: { DEMO_TOKEN: 't', BASTION_EXCLUDE_TOOLS: 'a,b' } });
    expect(loaded.core.toolsets).toEqual(['repos', 'issues']);
    expect(loaded.core.excludeTools).toEqual(['a', 'b']);
  });

  it('names every bad or missing setting at once', () => {
    const problems = problemsOf(() =>
      loadConfig(shape, {
        argv: ['--port', 'abc', '--transport', 'carrier-pigeon', '--max-result-items', '0'],
        env: { DEMO_API_URL: 'not a url' },
      }),
    );
    const text = problems.join('\n');
    expect(text).toContain('--port / BASTION_PORT: must be a number (got "abc")');
    expect(text).toContain('--transport / BASTION_TRANSPORT: must be one of stdio, http (got "carrier-pigeon")');
    expect(text).toContain('--max-result-items / BASTION_MAX_RESULT_ITEMS: must be at least 1 (got 0)');
    expect(text).toContain('--transport / BASTION_TRANSPORT');
    expect(text).toContain('--max-result-items / BASTION_MAX_RESULT_ITEMS');
    expect(text).toContain('--api-url / DEMO_API_URL');
    expect(text).toMatch(/DEMO_TOKEN: required/);
    expect(problems).toHaveLength(5);
  });

  it('never echoes the value of a secret', () => {
    const wrong = z.object({ DEMO_TOKEN: secret({ prefixes: ['ghp_'] }) });
    const problems = problemsOf(() => loadConfig({ name: 'demo', config: wrong }, { argv: [], env: { DEMO_TOKEN: 'hunter2-super-secret' } }));
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.join('\n')).toContain('DEMO_TOKEN: must start with "ghp_"');
  });

  it('reports unknown flags with a pointer to --help, and the flag meant when it is a near miss', () => {
    const problems = problemsOf(() => loadConfig(shape, { argv: ['--no-such-flag', '--api-ulr', 'https://x.example'], env: { DEMO_TOKEN: 't' } }));
    expect(problems).toEqual([
      '--no-such-flag: unknown option (run with --help to see every option)',
      '--api-ulr: unknown option; did you mean --api-url? (run with --help to see every option)',
    ]);
  });

  it('goes on after a bad argument, so the later ones still count and every problem shows at once', () => {
    const required = { name: 'demo', config: z.object({ DEMO_ROOTS: z.array(z.string()).min(1, { error: 'required: give a root' }) }), positionals: 'DEMO_ROOTS' };
    // A negative number is a value, judged by the setting; the positional after the bad flag is kept.
    expect(problemsOf(() => loadConfig(required, { argv: ['--port', '-5', '--bogus', '--max-result-items', 'x', '/root-a'], env: {} }))).toEqual([
      '--bogus: unknown option (run with --help to see every option)',
      '--port / BASTION_PORT: must be at least 0 (got -5)',
      '--max-result-items / BASTION_MAX_RESULT_ITEMS: must be a number (got "x")',
    ]);
    expect(loadConfig<{ DEMO_ROOTS: string[] }>(required, { argv: ['--port=9000', '/a', '--', '--b'], env: {} }).connector.DEMO_ROOTS).toEqual(['/a', '--b']);
  });

  it('names a flag without its value once, and not again as missing', () => {
    const required = { name: 'demo', config: z.object({ DEMO_ROOTS: z.array(z.string()).min(1, { error: 'required: give a root' }) }), positionals: 'DEMO_ROOTS' };
    expect(problemsOf(() => loadConfig(required, { argv: ['--roots'], env: {} }))).toEqual(['--roots / DEMO_ROOTS: --roots needs a value; give one after it']);
    expect(problemsOf(() => loadConfig(required, { argv: ['--port', '--read-only', '/a'], env: {} }))).toEqual([
      '--port / BASTION_PORT: --port needs a value; put one between --port and --read-only',
    ]);
    expect(problemsOf(() => loadConfig(required, { argv: ['/a', '--port', '--bogus'], env: {} }))).toEqual([
      '--port / BASTION_PORT: --port needs a value, but the unknown option --bogus follows it; if that is the value, write --port=--bogus',
    ]);
  });

  it('refuses arguments a connector without positionals does not take, but not the word after an unknown option', () => {
    const bare = { name: 'demo', config: z.object({}) };
    expect(problemsOf(() => loadConfig(bare, { argv: ['stray', '--bogus', 'value'], env: {} }))).toEqual([
      '--bogus: unknown option (run with --help to see every option)',
      'command line: unexpected argument "stray": this command takes options only; run with --help to see every option',
    ]);
  });

  it('joins several problems of one setting into one entry', () => {
    const twice = { name: 'demo', config: z.object({ DEMO_CODE: z.string().min(5).regex(/^\d+$/, { error: 'digits only' }) }) };
    expect(problemsOf(() => loadConfig(twice, { argv: ['--code', 'ab'], env: {} }))).toEqual([
      '--code / DEMO_CODE: must be at least 5 characters long; digits only',
    ]);
  });

  it('refuses HTTP on a non-loopback address without authentication', () => {
    const problems = problemsOf(() =>
      loadConfig(shape, { argv: ['--transport', 'http', '--host', '0.0.0.0'], env: { DEMO_TOKEN: 't' } }),
    );
    expect(problems.join('\n')).toMatch(/0\.0\.0\.0 is not a loopback address.*--insecure-no-auth/);
    const accepted = loadConfig(shape, {
      argv: ['--transport', 'http', '--host', '0.0.0.0', '--insecure-no-auth'],
      env: { DEMO_TOKEN: 't' },
    });
    expect(accepted.core.insecureNoAuth).toBe(true);
    expect(loadConfig(shape, { argv: ['--transport', 'http', '--host', '::1'], env: { DEMO_TOKEN: 't' } }).core.host).toBe('::1');
  });

  it('treats an empty environment variable as unset', () => {
    expect(loadConfig(shape, { argv: [], env: { DEMO_TOKEN: 't', BASTION_PORT: '' } }).core.port).toBe(8080);
  });

  it('skips connector settings in lenient mode but still checks flags', () => {
    expect(loadConfig(shape, { argv: [], env: {} }, { connectorSettings: 'lenient' }).core.transport).toBe('stdio');
    expect(problemsOf(() => loadConfig(shape, { argv: ['--bogus'], env: {} }, { connectorSettings: 'lenient' }))).toHaveLength(1);
  });
});

describe('cliAction and help', () => {
  it('recognises the actions before validation', () => {
    expect(cliAction(['--port', 'x', '--help'])).toBe('help');
    expect(cliAction(['-V'])).toBe('version');
    expect(cliAction(['--print-tools'])).toBe('print-tools');
    expect(cliAction([])).toBe('serve');
  });

  it('lists every flag and environment variable with its default', () => {
    const settings = allSettings(shape);
    const help = formatHelp({ bin: 'bastion-demo', version: '1.2.3', description: 'Demo.', usage: 'bastion-demo [options]', settings });
    for (const setting of settings) {
      if (setting.flag) expect(help).toContain(`--${setting.flag}`);
      if (setting.env) expect(help).toContain(setting.env);
    }
    expect(help).toContain('(default: https://api.example.com)');
    expect(help).toContain('(default: 8080)');
    expect(help).toMatch(/\(env only\)\s+DEMO_TOKEN\s+API token \(required\) \(secret, never printed\)/);
  });
});

describe('a family of variables (PREFIX_<NAME>)', () => {
  const family = {
    name: 'pg',
    config: z.object({
      PG_URL: secret().optional().describe('Default database'),
      PG_URL_TIMEOUT: z.number().default(5).describe('A plain setting that shares the prefix'),
      'PG_URL_<NAME>': z.record(z.string(), secret({ prefixes: ['postgres://'] })).default({}).describe('More databases'),
      'PG_LABEL_<NAME>': z.record(z.string(), z.string().max(10)).default({}).describe('Labels'),
    }),
  };

  it('reads every variable of the family into a record keyed by the name, leaving declared settings alone', () => {
    const loaded = loadConfig<{ PG_URL_TIMEOUT: number; 'PG_URL_<NAME>': Record<string, { reveal(): string }>; 'PG_LABEL_<NAME>': Record<string, string> }>(family, {
      argv: [],
      env: { PG_URL_SALES: 'postgres://s', PG_URL_Analytics_2: 'postgres://a', PG_URL_TIMEOUT: '9', PG_URL_: 'postgres://x', 'PG_URL_A-B': 'postgres://y', PG_URL_EMPTY: '', PG_LABEL_SALES: 'orders' },
    });
    const urls = loaded.connector['PG_URL_<NAME>'];
    expect(Object.keys(urls).sort()).toEqual(['Analytics_2', 'SALES']);
    expect(urls.SALES?.reveal()).toBe('postgres://s');
    expect(String(urls.SALES)).toBe('[REDACTED]');
    expect(loaded.connector.PG_URL_TIMEOUT).toBe(9);
    expect(loaded.connector['PG_LABEL_<NAME>']).toEqual({ SALES: 'orders' });
  });

  it('names the variable that is wrong and never echoes a secret', () => {
    const problems = problemsOf(() => loadConfig(family, { argv: [], env: { PG_URL_SALES: 'mysql://user:hunter2@x', PG_LABEL_SALES: 'far too long a label' } }));
    expect(problems).toEqual([expect.stringMatching(/^PG_URL_SALES: must start with "postgres:\/\/"/), expect.stringMatching(/^PG_LABEL_SALES: /)]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('is env-only, secret when its values are, and shown with its placeholder in --help', () => {
    const settings = allSettings(family);
    const urls = settings.find((setting) => setting.env === 'PG_URL_<NAME>');
    expect(urls).toMatchObject({ flag: undefined, kind: 'named', secret: true });
    expect(settings.find((setting) => setting.env === 'PG_LABEL_<NAME>')).toMatchObject({ flag: undefined, secret: false });
    const help = formatHelp({ bin: 'bastion-pg', version: '1', description: 'd', usage: '', settings });
    expect(help).toMatch(/\(env only, any NAME\)\s+PG_URL_<NAME>\s+More databases/);
    expect(help).not.toContain('[object Object]');
    expect(help).not.toMatch(/PG_URL_<NAME>.*\(default/);
  });

  it('rejects a family that is not declared as a record, and a record without the placeholder', () => {
    expect(() => allSettings({ name: 'pg', config: z.object({ 'PG_URL_<NAME>': z.string() }) })).toThrow(/PREFIX_<NAME>/);
    expect(() => allSettings({ name: 'pg', config: z.object({ PG_URLS: z.record(z.string(), z.string()) }) })).toThrow(/PREFIX_<NAME>/);
  });
});
