import { readFileSync } from 'node:fs';

/** The published version, from this package's manifest. */
export const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;
