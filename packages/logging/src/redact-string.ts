import { REDACTED } from './redaction-markers.js';
import type { TextRule } from './redact-text-rule.js';
import { TOKEN_PREFIX_HINT, TOKEN_SHAPE_RULES } from './redact-token-shapes.js';
import { isSecretField } from './secret-keys.js';

// Every pattern starts at a literal or behind a one-character lookbehind that stops a failed
// attempt from being retried inside the same run, and no quantified group can match the same
// text two ways, so each pass over the text is linear.

const AUTH_SCHEME = '(?:bearer|basic|token|digest|negotiate|ntlm|bot|apikey)';

const TEXT_RULES: readonly TextRule[] = [
  {
    // PEM private keys; an unterminated block is masked to the end of the text.
    pattern: new RegExp(
      '-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----' +
        '(?:[\\s\\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\\s\\S]*)',
      'g',
    ),
    replace: (_match, label) =>
      `-----BEGIN ${label}PRIVATE KEY-----${REDACTED}-----END ${label}PRIVATE KEY-----`,
  },
  {
    // "password": "..." inside JSON text, for any key the deep redactor would mask.
    pattern: /"([A-Za-z0-9_.-]{1,100})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g,
    replace: (match, key, separator, value) =>
      value !== '' && isSecretField(key, value) ? `"${key}"${separator}"${REDACTED}"` : match,
  },
  {
    // key=value in query strings, libpq keyword strings, logfmt and --flags: password=, ...
    pattern: new RegExp(
      '(?<![A-Za-z0-9_.])([A-Za-z][A-Za-z0-9_.-]{0,99})(\\s*=\\s*)' +
        `(?:(${AUTH_SCHEME})(\\s+))?` +
        `('(?:[^'\\\\]|\\\\.)*'?|"(?:[^"\\\\]|\\\\.)*"?|[^\\s&;'"]*)`,
      'gi',
    ),
    replace: (match, key, separator, scheme = '', space = '', value) =>
      value !== '' && isSecretField(key, value)
        ? `${key}${separator}${scheme}${space}${maskKeepingQuotes(value)}`
        : match,
  },
  {
    // HTTP header lines: "Authorization: Bearer <token>", "X-Api-Key: <key>".
    pattern: new RegExp(
      '(?<![A-Za-z0-9_-])((?:proxy-)?authorization|x-api-key|api-key|x-auth-token)(\\s*:\\s*)' +
        `(?:(${AUTH_SCHEME})(\\s+))?([^\\s"',;]+)`,
      'gi',
    ),
    replace: (_match, name, separator, scheme = '', space = '') =>
      `${name}${separator}${scheme}${space}${REDACTED}`,
  },
  {
    pattern: /(?<![A-Za-z0-9_-])((?:set-)?cookie)(\s*:\s*)([^\r\n"]+)/gi,
    replace: (_match, name, separator) => `${name}${separator}${REDACTED}`,
  },
  {
    // A bare "Bearer <token>" or "Basic <base64>" outside a header line.
    pattern: /(?<![A-Za-z0-9_-])(bearer|basic)(\s+)([A-Za-z0-9\-._~+/]+=*)/gi,
    replace: (match, scheme, space, credential) => {
      // Stryker disable next-line OptionalChaining,StringLiteral: /\.*$/ matches every string, so exec never returns null
      const trailingDots = /\.*$/.exec(credential)?.[0] ?? '';
      const candidate = credential.slice(0, credential.length - trailingDots.length);
      return looksLikeCredential(scheme, candidate)
        ? `${scheme}${space}${REDACTED}${trailingDots}`
        : match;
    },
  },
  {
    // The password of scheme://user:password@host; it may itself contain a raw '@'.
    pattern: /:\/\/([^\s:/?#@"'<>`\\]*):([^\s/?#"'<>`\\]*)@/g,
    replace: (match, user, password) => (password === '' ? match : `://${user}:${REDACTED}@`),
  },
  ...TOKEN_SHAPE_RULES,
];

// Every rule needs one of these somewhere in the text; most log strings have none of them.
// Stryker disable next-line Regex: a hint that matches more only skips the fast path; the result is the same
const MIGHT_HOLD_SECRET = /[=:]|-----BEGIN|bearer|basic/i;

/** Masks credentials inside free text; returns the text unchanged when nothing matched. */
export function redactString(text: string): string {
  // Stryker disable next-line ConditionalExpression: the fast path; without it every rule finds nothing and the text is unchanged
  if (!MIGHT_HOLD_SECRET.test(text) && !TOKEN_PREFIX_HINT.test(text)) return text;
  let result = text;
  for (const rule of TEXT_RULES) {
    result = result.replace(rule.pattern, rule.replace);
  }
  return result;
}

function maskKeepingQuotes(value: string): string {
  const quote = value[0];
  return quote === "'" || quote === '"' ? `${quote}${REDACTED}${quote}` : REDACTED;
}

function looksLikeCredential(scheme: string, candidate: string): boolean {
  // Stryker disable next-line ConditionalExpression,StringLiteral: documents intent; the checks below are false for '' as well
  if (candidate === '') return false;
  if (scheme.toLowerCase() === 'basic') {
    // Basic credentials are base64("user:password"); prose words do not decode to that.
    return Buffer.from(candidate, 'base64').toString('latin1').includes(':');
  }
  // Opaque bearer tokens carry digits or punctuation, or are long; "Bearer tokens" is prose.
  return /[0-9\-._~+/=]/.test(candidate) || candidate.length >= 24;
}
