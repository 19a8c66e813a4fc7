import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface PackageJson {
  name: string;
  version: string;
  mcpName?: string;
  bin?: Record<string, string>;
  files?: string[];
}

interface ServerJson {
  name: string;
  version: string;
  description: string;
  packages?: { identifier: string; version: string }[];
}

/**
 * Checks that what an app publishes agrees with itself: the MCP registry manifest (server.json)
 * names the same package and version as package.json, the bin `bastion-<name>` ships from dist only,
 * and the Dockerfile labels the image with the registry name (which the registry verifies).
 */
export function runManifestChecks(appDir: URL): void {
  const read = <T>(file: string): T => JSON.parse(readFileSync(new URL(file, appDir), 'utf8')) as T;
  const pkg = read<PackageJson>('package.json');
  const shortName = pkg.name.replace(/^@[^/]+\//, '');

  describe('published manifests', () => {
    it('names the registry entry the same in package.json and server.json, at the same version', () => {
      const server = read<ServerJson>('server.json');
      expect(server.name).toBe(pkg.mcpName);
      expect(server.version).toBe(pkg.version);
      expect(server.packages).toEqual([expect.objectContaining({ identifier: pkg.name, version: pkg.version })]);
      expect(server.description.length).toBeLessThanOrEqual(100);
    });

    it('publishes the bin from dist only', () => {
      expect(pkg.bin).toEqual({ [`bastion-${shortName}`]: './dist/index.js' });
      expect(pkg.files).toEqual(['dist']);
    });

    it.skipIf(!existsSync(new URL('Dockerfile', appDir)))('labels the image with the registry name', () => {
      const dockerfile = readFileSync(new URL('Dockerfile', appDir), 'utf8');
      expect(dockerfile).toContain(`io.modelcontextprotocol.server.name="${pkg.mcpName}"`);
      expect(dockerfile).toMatch(/^USER node$/m);
    });
  });
}
