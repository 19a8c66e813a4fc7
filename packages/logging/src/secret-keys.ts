// Matched against the key lower-cased with separators removed, so `DB_PASSWORD`, `x-api-key`
// and `clientSecret` all hit.
const SECRET_STEMS = new RegExp(
  [
    'password',
    'passwd',
    'passphrase',
    'secret',
    'apikey',
    'authorization',
    'cookie',
    'privatekey',
    'credential',
    'connectionstring',
  ].join('|'),
);

// Too short to match inside other words ('fieldsNames' contains "dsn"), so whole words only.
const SECRET_WORDS = new Set(['pwd', 'dsn']);

/**
 * True when the value stored under `key` must be replaced by REDACTED. Token-named keys keep
 * counts (`tokens_used: 5`, `maxTokens: 100`) but lose anything that could hold a token.
 */
export function isSecretField(key: string, value: unknown): boolean {
  const kind = keyKind(key);
  return kind === 'secret' || (kind === 'token' && !isCountLike(value));
}

type KeyKind = 'secret' | 'token' | 'plain';

// Log records repeat the same few keys; classifying each name once keeps redaction cheap.
const KIND_CACHE = new Map<string, KeyKind>();
const KIND_CACHE_LIMIT = 4096;

function keyKind(key: string): KeyKind {
  let kind = KIND_CACHE.get(key);
  if (kind !== undefined) return kind;
  const compact = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_STEMS.test(compact) || splitWords(key).some((word) => SECRET_WORDS.has(word))) kind = 'secret';
  else kind = compact.includes('token') ? 'token' : 'plain';
  if (KIND_CACHE.size >= KIND_CACHE_LIMIT) KIND_CACHE.clear();
  KIND_CACHE.set(key, kind);
  return kind;
}

function splitWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
}

function isCountLike(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  );
}
