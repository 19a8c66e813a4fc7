import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPublishedPackageChecks } from '../src/manifests.js';

// The libraries cannot depend on this package (it depends on them), so their checks run here.
const packagesDir = new URL('../../', import.meta.url);
const published = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => new URL(`${entry.name}/`, packagesDir))
  .filter((dir) => existsSync(new URL('package.json', dir)))
  .filter((dir) => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { private?: boolean };
    return pkg.private !== true;
  });

describe('published libraries', () => {
  it('are every library in packages/', () => {
    expect(published.map((dir) => dir.pathname.split('/').at(-2)).sort()).toEqual([
      'auth',
      'core',
      'logging',
      'schema',
      'testing',
    ]);
  });
});

for (const dir of published) runPublishedPackageChecks(dir);
