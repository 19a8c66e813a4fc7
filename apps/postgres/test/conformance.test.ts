import { fileURLToPath } from 'node:url';
import { runConformance } from '@bastion-mcp/testing';
import { inject } from 'vitest';
import { connector } from '../src/connector.js';

runConformance(connector, {
  env: { POSTGRES_URL: inject('readerUrl') },
  snapshotDir: fileURLToPath(new URL('./__toolsnaps__', import.meta.url)),
  readme: fileURLToPath(new URL('../README.md', import.meta.url)),
});
