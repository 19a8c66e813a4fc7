import { describe, expect, it } from 'vitest';
import { REDACTED, redactString } from '../src/index.js';
import { FAKE } from './support/fake-secrets.js';

describe('redactString: URL and DSN passwords', () => {
  it.each([
    ['postgres://user:pass@host/db', 'postgres://user:[REDACTED]@host/db'],
    [
      'postgresql://app:s3cr3t@db.internal:5432/prod?sslmode=require',
      'postgresql://app:[REDACTED]@db.internal:5432/prod?sslmode=require',
    ],
    ['mysql://root:hunter2@127.0.0.1:3306/app', 'mysql://root:[REDACTED]@127.0.0.1:3306/app'],
    [
      'mongodb+srv://admin:Pa55word@cluster0.example.net/db?retryWrites=true',
      'mongodb+srv://admin:[REDACTED]@cluster0.example.net/db?retryWrites=true',
    ],
    ['redis://:only-a-password@cache:6379/0', 'redis://:[REDACTED]@cache:6379/0'],
    ['amqps://guest:guest@mq.example.com/vhost', 'amqps://guest:[REDACTED]@mq.example.com/vhost'],
    [
      'https://bot:tok3n@git.example.com/org/repo.git',
      'https://bot:[REDACTED]@git.example.com/org/repo.git',
    ],
    ['postgres://user:p@ss@host/db', 'postgres://user:[REDACTED]@host/db'],
  ])('%s', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('masks every DSN in a longer message', () => {
    const text = 'primary=postgres://a:one@h1/db, replica mysql://b:two@h2/db failed';
    const result = redactString(text);
    expect(result).not.toMatch(/one|two/);
    expect(result).toContain('mysql://b:[REDACTED]@h2/db');
  });

  it.each([
    'https://example.com:8443/path?email=a@b.com',
    'postgres://user@host/db',
    'see https://docs.example.com/a:b for details',
    'contact a@b.com or ops@example.org',
  ])('leaves %s alone', (text) => {
    expect(redactString(text)).toBe(text);
  });
});

describe('redactString: key=value secrets', () => {
  it('masks only the password of a libpq keyword string', () => {
    expect(redactString('host=db.internal port=5432 user=app password=s3cret dbname=prod')).toBe(
      'host=db.internal port=5432 user=app password=[REDACTED] dbname=prod',
    );
  });

  it('masks quoted libpq values containing spaces', () => {
    expect(redactString("host=x password='my secret phrase' sslmode=require")).toBe(
      "host=x password='[REDACTED]' sslmode=require",
    );
  });

  it('masks password, pwd, token, secret, api_key and apikey query parameters', () => {
    const url = '/cb?password=a1&pwd=a2&token=a3&secret=a4&api_key=a5&apikey=a6&page=2';
    expect(redactString(url)).toBe(
      '/cb?password=[REDACTED]&pwd=[REDACTED]&token=[REDACTED]&secret=[REDACTED]' +
        '&api_key=[REDACTED]&apikey=[REDACTED]&page=2',
    );
  });

  it('masks composite names such as access_token and client_secret', () => {
    expect(redactString('grant?access_token=abc&client_secret=def&state=xyz')).toBe(
      'grant?access_token=[REDACTED]&client_secret=[REDACTED]&state=xyz',
    );
  });

  it('masks command-line flags and dotted property names', () => {
    expect(redactString('psql --host=db --password=hunter2 -c "select 1"')).toBe(
      'psql --host=db --password=[REDACTED] -c "select 1"',
    );
    expect(redactString('spring.datasource.password=hunter2')).toBe(
      'spring.datasource.password=[REDACTED]',
    );
  });

  it('masks secret fields of JSON embedded in text', () => {
    expect(redactString('upstream said {"password": "hunter2", "user": "bob"}')).toBe(
      'upstream said {"password": "[REDACTED]", "user": "bob"}',
    );
  });
});

describe('redactString: authorization credentials', () => {
  it('masks an Authorization header, keeping the scheme', () => {
    expect(redactString('Authorization: Bearer abc.def-123')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expect(redactString('proxy-authorization: Basic dXNlcjpwYXNz')).toBe(
      `proxy-authorization: Basic ${REDACTED}`,
    );
    expect(redactString('authorization=Bearer xyz789')).toBe(`authorization=Bearer ${REDACTED}`);
    expect(redactString('X-Api-Key: k-12345')).toBe(`X-Api-Key: ${REDACTED}`);
  });

  it('masks a bare bearer token and Basic credentials', () => {
    expect(redactString('sent Bearer 0123456789abcdef.')).toBe(`sent Bearer ${REDACTED}.`);
    expect(redactString('header Basic dXNlcjpwYXNz was rejected')).toBe(
      `header Basic ${REDACTED} was rejected`,
    );
  });

  it('masks cookies in header lines', () => {
    expect(redactString('Set-Cookie: session=abc123; HttpOnly')).toBe(`Set-Cookie: ${REDACTED}`);
  });

  it.each([
    'Bearer tokens are required.',
    'missing bearer token',
    'Basic auth failed for this request',
    'the Authorization header is missing',
  ])('leaves prose alone: %s', (text) => {
    expect(redactString(text)).toBe(text);
  });
});

describe('redactString: token shapes', () => {
  it.each(Object.entries(FAKE).filter(([name]) => name !== 'pemBody'))('%s', (_name, token) => {
    const result = redactString(`using ${token} now`);
    expect(result).toBe(`using ${REDACTED} now`);
  });

  it('masks tokens wherever they sit in JSON text', () => {
    const text = JSON.stringify({ note: `bot ${FAKE.slackBot}`, ids: [FAKE.awsAccessKeyId] });
    const result = redactString(text);
    expect(result).not.toContain(FAKE.slackBot);
    expect(result).not.toContain(FAKE.awsAccessKeyId);
    expect(JSON.parse(result)).toEqual({ note: `bot ${REDACTED}`, ids: [REDACTED] });
  });
});

describe('redactString: PEM private keys', () => {
  it.each(['RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', ''])('masks a %sPRIVATE KEY block', (label) => {
    const block = [
      `-----BEGIN ${label}PRIVATE KEY-----`,
      FAKE.pemBody,
      `-----END ${label}PRIVATE KEY-----`,
    ].join('\n');
    const result = redactString(`key:\n${block}\ndone`);
    expect(result).toBe(
      `key:\n-----BEGIN ${label}PRIVATE KEY-----${REDACTED}-----END ${label}PRIVATE KEY-----\ndone`,
    );
  });

  it('masks a truncated block to the end of the text', () => {
    const result = redactString(`-----BEGIN PRIVATE KEY-----\n${FAKE.pemBody}`);
    expect(result).not.toContain('MIIE');
  });

  it('leaves public keys and certificates alone', () => {
    const text = '-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----';
    expect(redactString(text)).toBe(text);
  });
});

describe('redactString: innocent text', () => {
  it.each([
    'the token count is 5',
    'tokens_used: 5',
    'invalid password: must be at least 12 characters',
    'GET /api/v1/items?page=2&limit=50',
    'user a@b.com signed in from 10.0.0.1:443',
    'key=value pairs such as mode=fast are fine',
    '',
  ])('returns %j unchanged', (text) => {
    expect(redactString(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redactString(`postgres://u:p@h/db token=${FAKE.githubClassic} Bearer abc123`);
    expect(redactString(once)).toBe(once);
  });
});

describe('redactString: cost', () => {
  // Backtracking blow-ups grow quadratically or worse; 200 kB of each adversarial shape would
  // take many seconds with such a pattern, and takes milliseconds with linear ones.
  it.each([
    ['eyJ-'.repeat(50_000)],
    ['eyJa.'.repeat(40_000)],
    ['://'.repeat(66_000)],
    ['"a":'.repeat(50_000)],
    ['a-'.repeat(100_000)],
    ["password='".repeat(20_000)],
    ['Bearer '.repeat(28_000)],
    ['-----BEGIN PRIVATE KEY-----'.repeat(7_000)],
    [`://x:${'@'.repeat(200_000)}`],
    [`password${' '.repeat(200_000)}x`],
  ])('stays fast on adversarial input %#', (text) => {
    const started = performance.now();
    redactString(text);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
