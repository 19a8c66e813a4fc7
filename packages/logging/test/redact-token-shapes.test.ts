import { describe, expect, it } from 'vitest';
import { REDACTED, createLogger, redact, redactString } from '../src/index.js';
import { jsonLines } from './support/run-node.js';

// Tokens are assembled from prefix and tail at runtime, so no token-shaped literal sits in the
// repository for secret scanners to flag. None of these is a real credential.
const longTail = (length: number) => 'Zq7Xw2Mv9K'.repeat(Math.ceil(length / 10)).slice(0, length);

interface Family {
  readonly prefix: string;
  /** Tails from one character up to the real length, including unusual characters. */
  readonly tails: readonly string[];
}

const ANY_TAILS = [
  'x',
  'a1',
  'Q-9',
  'ab_cd',
  'v1.Zq7',
  '1234567890-0987654321-Zq7Xw2',
  longTail(40),
];
const BASE62_TAILS = ['A1', '9', 'Zq7', 'abc-def', 'x.Y2', longTail(36)];
const AWS_TAILS = ['7Q', 'IOSFODNN7EXAMPLE', 'QWERTYUIOPASDFGH', 'B2'];

const FAMILIES: Readonly<Record<string, Family>> = {
  'Slack bot': { prefix: 'xoxb-', tails: ANY_TAILS },
  'Slack user': { prefix: 'xoxp-', tails: ANY_TAILS },
  'Slack app': { prefix: 'xoxa-', tails: ANY_TAILS },
  'Slack refresh': { prefix: 'xoxr-', tails: ANY_TAILS },
  'Slack session': { prefix: 'xoxs-', tails: ANY_TAILS },
  'Slack rotating': { prefix: 'xoxe-', tails: ANY_TAILS },
  'Slack app-level': { prefix: 'xapp-', tails: ANY_TAILS },
  'GitHub classic': { prefix: 'ghp_', tails: ANY_TAILS },
  'GitHub OAuth': { prefix: 'gho_', tails: ANY_TAILS },
  'GitHub user-to-server': { prefix: 'ghu_', tails: ANY_TAILS },
  'GitHub server-to-server': { prefix: 'ghs_', tails: ANY_TAILS },
  'GitHub refresh': { prefix: 'ghr_', tails: ANY_TAILS },
  'GitHub fine-grained': { prefix: 'github_pat_', tails: [...ANY_TAILS, `11AB_${longTail(59)}`] },
  'Stripe secret live': { prefix: 'sk_live_', tails: ANY_TAILS },
  'Stripe secret test': { prefix: 'sk_test_', tails: ANY_TAILS },
  'Stripe restricted live': { prefix: 'rk_live_', tails: ANY_TAILS },
  'Stripe restricted test': { prefix: 'rk_test_', tails: ANY_TAILS },
  'Stripe publishable live': { prefix: 'pk_live_', tails: ANY_TAILS },
  'Stripe publishable test': { prefix: 'pk_test_', tails: ANY_TAILS },
  'Stripe webhook': { prefix: 'whsec_', tails: ANY_TAILS },
  GitLab: { prefix: 'glpat-', tails: [...ANY_TAILS, `${longTail(27)}.01.${longTail(9)}`] },
  npm: { prefix: 'npm_', tails: BASE62_TAILS },
  'AWS access key id': { prefix: 'AKIA', tails: AWS_TAILS },
  'AWS temporary key id': { prefix: 'ASIA', tails: AWS_TAILS },
};

const JWTS = {
  short: 'eyJa.b.c',
  'empty first tail': 'eyJ.x.y',
  unsigned: ['eyJhbGciOiJub25lIn0', 'ewogICJzdWIiOiAiMSIKfQ', ''].join('.'),
  full: [
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
    'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  ].join('.'),
};

const TOKENS: readonly (readonly [string, string])[] = [
  ...Object.entries(FAMILIES).flatMap(([family, { prefix, tails }]) =>
    tails.map((tail) => [`${family} ${JSON.stringify(tail)}`, `${prefix}${tail}`] as const),
  ),
  ...Object.entries(JWTS).map(([kind, jwt]) => [`JWT ${kind}`, jwt] as const),
];

describe.each(TOKENS)('redactString: %s', (_name, token) => {
  it('masks the whole token in prose', () => {
    expect(redactString(`using ${token} now`)).toBe(`using ${REDACTED} now`);
  });

  it('stops at the delimiter that follows', () => {
    expect(redactString(`(${token}), then ${token}; last ${token}`)).toBe(
      `(${REDACTED}), then ${REDACTED}; last ${REDACTED}`,
    );
  });

  it('masks it at the start and the end of the text', () => {
    expect(redactString(token)).toBe(REDACTED);
    expect(redactString(`${token} `)).toBe(`${REDACTED} `);
  });

  it('masks it inside JSON strings, also after an escaped newline', () => {
    const body = `line\n${token}\tend`;
    const text = JSON.stringify({ note: `key ${token}`, list: [token], body });
    const result = redactString(text);
    expect(result).not.toContain(token);
    expect(JSON.parse(result)).toEqual({
      note: `key ${REDACTED}`,
      list: [REDACTED],
      body: `line\n${REDACTED}\tend`,
    });
  });

  it('masks it in a URL path and query', () => {
    expect(redactString(`GET https://api.example.com/v1/${token}/x?q=${token}&page=2`)).toBe(
      `GET https://api.example.com/v1/${REDACTED}/x?q=${REDACTED}&page=2`,
    );
  });

  it('masks it in nested values and error messages', () => {
    expect(redact({ notes: [`bot ${token}`], error: new Error(`rejected ${token}`) })).toEqual({
      notes: [`bot ${REDACTED}`],
      error: { name: 'Error', message: `rejected ${REDACTED}` },
    });
  });
});

describe('redactString: passwords in URLs', () => {
  it.each([
    ['a one-character password', 'https://u:p@h/x', `https://u:${REDACTED}@h/x`],
    [
      'a long password',
      `postgres://app:${longTail(64)}@db:5432/prod`,
      `postgres://app:${REDACTED}@db:5432/prod`,
    ],
    [
      'punctuation in the password',
      'amqp://guest:a-b_c.d~e!$&*+,;=%40@mq/vhost',
      `amqp://guest:${REDACTED}@mq/vhost`,
    ],
    [
      'a token as the password',
      `https://x-access-token:${'ghs_'}a1@github.com/o/r.git`,
      `https://x-access-token:${REDACTED}@github.com/o/r.git`,
    ],
    ['no user name', 'redis://:p@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
  ])('keeps scheme, user and host of %s', (_name, input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('masks the password inside a JSON string', () => {
    const text = JSON.stringify({ target: 'mysql://root:pw@127.0.0.1:3306/app' });
    expect(JSON.parse(redactString(text))).toEqual({
      target: `mysql://root:${REDACTED}@127.0.0.1:3306/app`,
    });
  });
});

describe('redactString: words that only resemble a token prefix', () => {
  it.each([
    'task_live_mode is on',
    'desk_test_results.csv',
    'risk_live_feed',
    'the ask_test_ helper',
    'mask_live_x',
    'myghp_abc and theghs_x',
    'my_github_pat_x',
    'axoxb-1 and pxapp-2',
    'thanks, xoxo-Anna',
    'aglpat-x',
    'snpm_A1',
    'npm_config_cache=/tmp/npm',
    'npm_package_version is 1.2.0',
    'npm_lifecycle_event npm_execpath npm_token',
    'ASIAN markets and ASIATIC ASIAPACIFIC',
    'MALAKIA5 KASIA9',
    'duplicate key value violates unique constraint "pk_users"',
    'sk_id and rk_id and pk_id',
    'keys start with sk_live_ or whsec_ or xoxb- or ghp_',
    'eyJ alone, eyJa.b with two parts',
    'theyJa.b.c',
  ])('leaves %j alone', (text) => {
    expect(redactString(text)).toBe(text);
  });
});

describe('token shapes in log records', () => {
  const token = `${'xoxb-'}a1`;

  it('are masked in a log record and its message', () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => lines.push(line) };
    const logger = createLogger({ name: 'tokens', destination });
    logger.info({ note: `bot ${token}` }, 'posted with %s', token);
    expect(lines.join('')).not.toContain(token);
    expect(jsonLines(lines.join(''))[0]).toMatchObject({
      note: `bot ${REDACTED}`,
      msg: `posted with ${REDACTED}`,
    });
  });
});

describe('redactString: cost of token shapes', () => {
  // 200 kB of each shape takes seconds under a backtracking pattern and milliseconds otherwise.
  it.each([
    ['xoxb-.'.repeat(33_000)],
    ['glpat-a.'.repeat(25_000)],
    ['npm_a_'.repeat(33_000)],
    ['ASIA'.repeat(50_000)],
    ['\\neyJ-'.repeat(33_000)],
    ['eyJ.'.repeat(50_000)],
    [`ghp_${'a.'.repeat(100_000)}`],
    [`eyJ${'a'.repeat(200_000)}.`],
  ])('stays fast on adversarial input %#', (text) => {
    const started = performance.now();
    redactString(text);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
