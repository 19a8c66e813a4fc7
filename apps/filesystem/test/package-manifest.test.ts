import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (relative: string) => JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('published manifests', () => {
  const pkg = read('../package.json') as { name: string; version: string; mcpName: string; bin: Record<string, string>; files: string[] };
  const server = read('../server.json') as { name: string; version: string; description: string; packages: { identifier: string; version: string }[] };

  it('names the registry entry the same in package.json and server.json, at the same version', () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toEqual([expect.objectContaining({ identifier: pkg.name, version: pkg.version })]);
    expect(server.description.length).toBeLessThanOrEqual(100);
  });

  it('publishes the bin from dist only', () => {
    expect(pkg.bin).toEqual({ 'bastion-filesystem': './dist/index.js' });
    expect(pkg.files).toEqual(['dist']);
  });
});
