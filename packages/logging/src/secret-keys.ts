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
  const compact = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_STEMS.test(compact)) return true;
  if (splitWords(key).some((word) => SECRET_WORDS.has(word))) return true;
  if (compact.includes('token')) return !isCountLike(value);
  return false;
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
