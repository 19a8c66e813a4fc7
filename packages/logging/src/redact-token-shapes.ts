import { REDACTED } from './redaction-markers.js';
import type { TextRule } from './redact-text-rule.js';

// A prefix counts where a word starts ("task_live_x" holds no Stripe key), and also right after
// a JSON escape such as \n, where the escape's letter would otherwise hide the word start.
const START = String.raw`(?:(?<![A-Za-z0-9_])|(?<=\\[nrt]))`;

// Everything after the prefix up to a delimiter, however short; dots inside the run belong to it
// (GitLab's newer tokens have them), a dot that ends it is punctuation.
const TAIL = String.raw`[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*`;

const SEGMENT = '[A-Za-z0-9_-]';
// Also refuses a '-' before it, so a long "eyJ-eyJ-..." run is scanned only once.
const JWT_START = String.raw`(?:(?<![A-Za-z0-9_-])|(?<=\\[nrt]))`;

const tokenAfter = (prefixes: string) => new RegExp(`${START}(?:${prefixes})${TAIL}`, 'g');

/** Credentials recognisable by their shape alone; each match is masked whole. */
export const TOKEN_SHAPE_RULES: readonly TextRule[] = [
  {
    // JWT first: its segments may hold text that looks like the start of another token.
    pattern: new RegExp(String.raw`${JWT_START}eyJ${SEGMENT}*\.${SEGMENT}+\.${SEGMENT}*`, 'g'),
    replace: mask,
  },
  { pattern: tokenAfter('gh[pousr]_|github_pat_'), replace: mask },
  // Only the listed Slack kinds: "xoxo-" is a sign-off, not a token.
  { pattern: tokenAfter('xox[abeprs]-|xapp-'), replace: mask },
  // Stripe keys only with their mode: a bare "pk_" names database primary keys.
  { pattern: tokenAfter('[spr]k_(?:live|test)_|whsec_'), replace: mask },
  { pattern: tokenAfter('glpat-'), replace: mask },
  {
    pattern: new RegExp(`${START}npm_(${TAIL})`, 'g'),
    // npm sets lower-case snake_case variables such as npm_config_cache; its tokens are base62.
    replace: (match, tail) => (/^[a-z]+(?:_[a-z0-9]+)*$/.test(tail) ? match : REDACTED),
  },
  {
    pattern: new RegExp(`${START}(?:AKIA|ASIA)([A-Z0-9]+)`, 'g'),
    // Key ids are upper-case base32, which words such as ASIAN or ASIATIC also are.
    replace: (match, tail) => (/[0-9]/.test(tail) || tail.length >= 10 ? REDACTED : match),
  },
];

/** Matches wherever one of TOKEN_SHAPE_RULES could; most log text has none of these. */
// Stryker disable ArrayDeclaration,StringLiteral: a hint that matches more only skips the fast path
export const TOKEN_PREFIX_HINT = new RegExp(
  [
    'gh[pousr]_|github_pat_|xox[abeprs]-|xapp-|[spr]k_(?:live|test)_|whsec_',
    'glpat-|npm_|AKIA|ASIA|eyJ',
  ].join('|'),
);
// Stryker restore ArrayDeclaration,StringLiteral

function mask(): string {
  return REDACTED;
}
