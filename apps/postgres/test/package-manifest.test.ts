import { runManifestChecks } from '@bastion-mcp/testing';

runManifestChecks(new URL('../', import.meta.url));
