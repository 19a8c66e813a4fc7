import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { danglingMapReferences, packedFiles } from './packed-files.js';

const REPOSITORY = 'https://github.com/bastion-mcp/bastion';
const LICENSE_HEADER = 'MIT License\n\nCopyright (c) 2026 Bastion contributors\n';
// The sources ship beside dist, so the source and declaration maps resolve for users too.
const PUBLISHED_FILES = ['dist', 'src', 'LICENSE'];

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: unknown;
  homepage?: string;
  bugs?: unknown;
  mcpName?: string;
  bin?: Record<string, string>;
  exports?: unknown;
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
 * names the same package and version as package.json, the bin `bastion-<name>` ships from dist,
 * the Dockerfile labels the image with the registry name (which the registry verifies), and
 * everything `runPublishedPackageChecks` asks of a published package.
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

    it('publishes the bin from dist', () => {
      expect(pkg.bin).toEqual({ [`bastion-${shortName}`]: './dist/index.js' });
    });

    it.skipIf(!existsSync(new URL('Dockerfile', appDir)))('labels the image with the registry name', () => {
      const dockerfile = readFileSync(new URL('Dockerfile', appDir), 'utf8');
      expect(dockerfile).toContain(`io.modelcontextprotocol.server.name="${pkg.mcpName}"`);
      expect(dockerfile).toMatch(/^USER node$/m);
    });
  });

  runPublishedPackageChecks(appDir);
}

/**
 * Checks a package that goes to the npm registry: it ships the repository's MIT LICENSE, names
 * the repository (with its directory), homepage and issue tracker, and its tarball, as
 * `pnpm pack` lists it, holds every file that package.json, a source map or a map reference
 * points at. Needs the package built.
 */
export function runPublishedPackageChecks(packageDir: URL): void {
  const directoryPath = fileURLToPath(packageDir);
  const root = workspaceRoot(directoryPath);
  const directory = relative(root, directoryPath).split(sep).join('/');
  const pkg = JSON.parse(readFileSync(join(directoryPath, 'package.json'), 'utf8')) as PackageJson;

  describe(`published package ${pkg.name}`, () => {
    let packed: string[] = [];
    beforeAll(() => {
      packed = packedFiles(directoryPath);
    }, 60_000);

    it('is public', () => {
      expect(pkg.private, `${directory} is private: it needs no published-package checks`).not.toBe(true);
    });

    it('ships the MIT LICENSE of the repository', () => {
      expect(pkg.license).toBe('MIT');
      const license = readFileSync(join(root, 'LICENSE'), 'utf8');
      expect(license.startsWith(LICENSE_HEADER), 'the root LICENSE is not the MIT license of Bastion').toBe(true);
      const copy = join(directoryPath, 'LICENSE');
      const copied = existsSync(copy) && readFileSync(copy, 'utf8') === license;
      expect(copied, `copy the root LICENSE to ${directory}/LICENSE`).toBe(true);
      expect(packed).toContain('LICENSE');
    });

    it('names the repository with its directory, the homepage and the issue tracker', () => {
      expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory });
      expect(pkg.homepage).toBe(`${REPOSITORY}/tree/main/${directory}#readme`);
      expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    });

    it('publishes dist with the sources its maps point at, and the LICENSE', () => {
      // Beyond these, a package may ship a data file that one of its exports points at.
      expect(pkg.files?.slice(0, PUBLISHED_FILES.length)).toEqual(PUBLISHED_FILES);
      const exported = new Set(fileTargets(pkg.exports).map((target) => target.replace(/^\.\//, '')));
      expect(pkg.files?.slice(PUBLISHED_FILES.length).filter((file) => !exported.has(file))).toEqual([]);
    });

    it('packs package.json, the README and every file that exports and bin point at', () => {
      const targets = [...fileTargets(pkg.exports), ...Object.values(pkg.bin ?? {})];
      expect(targets.length, 'package.json names no entry point').toBeGreaterThan(0);
      const expected = ['package.json', 'README.md', ...targets.map((target) => target.replace(/^\.\//, ''))];
      const missing = expected.filter((file) => !packed.includes(file));
      expect(missing, 'missing from the pack; run `pnpm build` first').toEqual([]);
    });

    it('packs every file that a packed source map or map reference points at', () => {
      const dangling = danglingMapReferences(directoryPath, packed);
      const advice = 'ship what the maps point at, or remove stale output: rm -rf dist && pnpm build';
      expect(dangling, advice).toEqual([]);
    });
  });
}

function fileTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (typeof exports !== 'object' || exports === null) return [];
  return Object.values(exports).flatMap(fileTargets);
}

function workspaceRoot(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'pnpm-workspace.yaml'))) return directory;
    if (dirname(directory) === directory) {
      throw new Error(`no pnpm-workspace.yaml above ${start}: published-package checks run inside the repository`);
    }
  }
}
