import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A synchronous or callback stat writes Node's process-wide stat buffer, which module resolution
// reads back: after a named pipe or socket was stat-ed that way, lazy imports stop following pnpm's
// symlinks (nodejs/node#51142). Sources use fs/promises, `{ bigint: true }`, or the helper that
// scrubs the buffer afterwards.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ALLOWED_FILES = new Set(['apps/filesystem/src/access/sync-stat.ts']);
const SYNC_STAT = /\b(?:f|l)?statSync\s*\(([^)]*)\)/g;
const CALLBACK_STAT_IMPORT = /import\s*\{([^}]*)\}\s*from\s*['"](?:node:)?fs['"]/g;

function sources(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...sources(path));
    else if (/\.(?:ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

function runtimeSources(): string[] {
  const roots = ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(REPO, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(REPO, group, entry.name, 'src')),
  );
  return roots.flatMap((root) => {
    try {
      return sources(root);
    } catch {
      return [];
    }
  });
}

describe("runtime sources and Node's shared stat buffer", () => {
  it('finds the sources to check', () => {
    expect(runtimeSources().length).toBeGreaterThan(50);
  });

  it('use no plain synchronous stat outside the scrubbing helper', () => {
    const offenders: string[] = [];
    for (const file of runtimeSources()) {
      const name = relative(REPO, file);
      if (ALLOWED_FILES.has(name)) continue;
      for (const match of readFileSync(file, 'utf8').matchAll(SYNC_STAT)) {
        if (!/bigint:\s*true/.test(match[1] ?? '')) offenders.push(`${name}: ${match[0]}`);
      }
    }
    expect(offenders, 'use fs/promises, { bigint: true } or apps/filesystem/src/access/sync-stat.ts').toEqual([]);
  });

  it('import no callback stat from node:fs', () => {
    const offenders: string[] = [];
    for (const file of runtimeSources()) {
      for (const match of readFileSync(file, 'utf8').matchAll(CALLBACK_STAT_IMPORT)) {
        const names = (match[1] ?? '').split(',').map((name) => name.trim().split(/\s+as\s+/)[0]);
        if (names.some((name) => name === 'stat' || name === 'lstat' || name === 'fstat')) {
          offenders.push(`${relative(REPO, file)}: ${match[0]}`);
        }
      }
    }
    expect(offenders, 'use node:fs/promises for asynchronous stats').toEqual([]);
  });
});
