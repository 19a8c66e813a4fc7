import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Resolved from the repository root: pnpm keeps the runner out of the core's own node_modules,
// so Stryker's default plugin lookup beside @stryker-mutator/core would not find it.
const vitestRunner = fileURLToPath(import.meta.resolve('@stryker-mutator/vitest-runner'));

/**
 * Stryker settings shared by every package: each package lists only the security modules it mutates.
 * @param {{ mutate: string[], vitest?: Record<string, unknown> }} options
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerConfig({ mutate, vitest = {} }) {
  return {
    packageManager: 'pnpm',
    testRunner: 'vitest',
    plugins: [vitestRunner],
    vitest,
    coverageAnalysis: 'perTest',
    mutate,
    concurrency: 2,
    timeoutMS: 30_000,
    timeoutFactor: 3,
    dryRunTimeoutMinutes: 20,
    // Outside the package, so that a plain `vitest run` there never collects the sandbox's tests.
    tempDirName: strykerTempDir(process.cwd()),
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: 'reports/mutation/mutation.html' },
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    thresholds: { high: 90, low: 80, break: null },
  };
}

/**
 * Where Stryker puts the sandboxes of the package in `packageDir`: <root>/.stryker-tmp/packages/<name>
 * for packages/<name>. The sandbox is then as deep below the root as Stryker expects when it rewrites
 * the package's `extends: ../../tsconfig.base.json` for the sandbox (two more levels).
 */
export function strykerTempDir(packageDir) {
  return join(root, '.stryker-tmp', relative(root, packageDir));
}
