import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST_ENTRY_URL = new URL('../../dist/index.js', import.meta.url).href;
