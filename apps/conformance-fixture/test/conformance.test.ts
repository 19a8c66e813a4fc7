import { fileURLToPath } from 'node:url';
import { runConformance } from '@bastion-mcp/testing';
import { connector } from '../src/connector.js';

runConformance(connector, {
  requireOutputSchema: false,
  snapshotDir: fileURLToPath(new URL('./__toolsnaps__', import.meta.url)),
});
