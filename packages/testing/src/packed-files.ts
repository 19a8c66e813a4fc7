import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';

interface PackListing {
  files?: { path: string }[];
}

/**
 * The paths `pnpm pack` would put in the tarball of the package in `packageDir`, relative to it
 * with `/` separators. Nothing is written: the listing comes from `pnpm pack --dry-run --json`.
 */
export function packedFiles(packageDir: string): string[] {
  const args = ['pack', '--dry-run', '--json'];
  // Under `pnpm test` the running pnpm is named here, so the check needs no pnpm on PATH.
  const running = process.env.npm_execpath;
  const [command, commandArgs] =
    running !== undefined && basename(running).startsWith('pnpm')
      ? [process.execPath, [running, ...args]]
      : ['pnpm', args];
  let output: string;
  try {
    output = execFileSync(command, commandArgs, {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `\`pnpm pack --dry-run --json\` failed in ${packageDir}: ${String(stderr || (error as Error).message).trim()}. ` +
        'Run the test through `pnpm test`, or put pnpm on PATH.',
    );
  }
  const listing = JSON.parse(output.slice(output.indexOf('{'))) as PackListing;
  if (!Array.isArray(listing.files)) {
    throw new Error(`\`pnpm pack --dry-run --json\` in ${packageDir} printed no file list: ${output.slice(0, 200)}`);
  }
  return listing.files.map((file) => file.path.split('\\').join('/')).sort();
}

/**
 * Every reference from a packed file that the pack cannot satisfy: a `.map` whose `sources`
 * name a file outside the pack, or a script or declaration whose `sourceMappingURL` names a map
 * outside it. Each entry reads "<packed file> -> <missing path>".
 */
export function danglingMapReferences(packageDir: string, files: readonly string[]): string[] {
  const packed = new Set(files);
  const dangling: string[] = [];
  for (const file of files) {
    const targets = file.endsWith('.map')
      ? mapSources(packageDir, file)
      : /\.[cm]?(?:js|ts)$/.test(file)
        ? mappingUrls(packageDir, file)
        : [];
    for (const target of targets) {
      if (!packed.has(target)) dangling.push(`${file} -> ${target}`);
    }
  }
  return dangling;
}

function mapSources(packageDir: string, mapFile: string): string[] {
  const map = JSON.parse(readFileSync(join(packageDir, mapFile), 'utf8')) as {
    sourceRoot?: string;
    sources?: (string | null)[];
  };
  return (map.sources ?? [])
    .filter((source): source is string => typeof source === 'string')
    .map((source) => resolveFrom(mapFile, withSourceRoot(map.sourceRoot ?? '', source)));
}

function mappingUrls(packageDir: string, file: string): string[] {
  const text = readFileSync(join(packageDir, file), 'utf8');
  return Array.from(text.matchAll(/^\/\/# sourceMappingURL=(\S+)\s*$/gm), ([, url]) => url!)
    .filter((url) => !url.startsWith('data:'))
    .map((url) => resolveFrom(file, decodeURIComponent(url)));
}

// A URL (https:, webpack:, file:) is kept as written: it is never a packed path, so it is reported.
function resolveFrom(file: string, reference: string): string {
  if (isUrl(reference)) return reference;
  return posix.normalize(posix.join(posix.dirname(file), reference));
}

function withSourceRoot(sourceRoot: string, source: string): string {
  if (isUrl(source)) return source;
  return isUrl(sourceRoot) ? `${sourceRoot.replace(/\/?$/, '/')}${source}` : posix.join(sourceRoot, source);
}

function isUrl(reference: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(reference);
}
