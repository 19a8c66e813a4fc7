import { describe, expect, it } from 'vitest';
import { redactString } from '../src/index.js';

const PEM = (body: string) => `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`;
const MASKED_PEM = '-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----';

describe('redactString keeps what holds no secret', () => {
  it.each([
    ['an empty JSON password', '{"password": ""}'],
    ['an empty key=value password', 'password=&user=app'],
    ['a URL with an empty password', 'postgres://app:@db.internal/prod'],
    ['prose about bearer tokens, ending a sentence', 'Use Bearer tokens.'],
    ['a bearer scheme followed by dots only', 'Bearer ...'],
    ['a 23-letter word after Bearer', 'Bearer abcdefghijklmnopqrstuvw'],
    ['a word that only ends in cookie', 'xcookie: chips'],
  ])('%s', (_name, text) => {
    expect(redactString(text)).toBe(text);
  });
});

describe('redactString masks every shape of a secret', () => {
  it.each([
    ['every PEM block, not only the first', `${PEM('AAAA')} and ${PEM('BBBB')}`, `${MASKED_PEM} and ${MASKED_PEM}`],
    ['a JSON password with space before the colon', '{"password" : "hunter2"}', '{"password" : "[REDACTED]"}'],
    ['a JSON password without space after the colon', '{"password":"hunter2"}', '{"password":"[REDACTED]"}'],
    ['a single-quoted key=value password, quotes kept', "password='hunter2' user=app", "password='[REDACTED]' user=app"],
    ['a double-quoted key=value password, quotes kept', 'password="hunter2" user=app', 'password="[REDACTED]" user=app'],
    ['a bearer token followed by a full stop', 'sent Bearer abc123def. Then', 'sent Bearer [REDACTED]. Then'],
    ['a bearer token followed by an ellipsis', 'sent Bearer abc123def...', 'sent Bearer [REDACTED]...'],
    ['a bearer token after several spaces', 'sent Bearer  abc123def', 'sent Bearer  [REDACTED]'],
    ['a 24-letter bearer token', 'Bearer abcdefghijklmnopqrstuvwx', 'Bearer [REDACTED]'],
    ['a cookie header after other text', 'headers: Cookie: chips', 'headers: Cookie: [REDACTED]'],
    ['a Set-Cookie header', 'Set-Cookie: chips', 'Set-Cookie: [REDACTED]'],
    ['a cookie header with space before the colon', 'Cookie : chips', 'Cookie : [REDACTED]'],
    ['a cookie header without space after the colon', 'Cookie:chips', 'Cookie:[REDACTED]'],
    ['an AWS key id of ten letters', 'key AKIAABCDEFGHIJ here', 'key [REDACTED] here'],
  ])('%s', (_name, text, expected) => {
    expect(redactString(text)).toBe(expected);
  });
});
