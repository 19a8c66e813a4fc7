import { fileURLToPath } from 'node:url';
import { runConformance } from '@bastion-mcp/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connector } from '../src/connector.js';

runConformance(connector, {
  env: { FILESYSTEM_ROOTS: mkdtempSync(join(tmpdir(), 'bastion-fs-conformance-')), FILESYSTEM_WRITE: 'true', FILESYSTEM_ALLOW_DELETE: 'true' },
  snapshotDir: fileURLToPath(new URL('./__toolsnaps__', import.meta.url)),
  readme: fileURLToPath(new URL('../README.md', import.meta.url)),
});
