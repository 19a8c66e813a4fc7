import { defineConfig } from 'vitest/config';

// For mutation testing (stryker.config.mjs): every test that goes through the access checks in this
// process. Left out: the suites that start the built server or a container (bin, conformance,
// deployed, package manifest, module resolution), which never run the mutated source, and the
// timing-based race and memory suites, whose outcome under a mutant says nothing about the checks.
export default defineConfig({
  test: {
    exclude: [
      '**/node_modules/**',
      'test/bin.test.ts',
      'test/conformance.test.ts',
      'test/deployed.test.ts',
      'test/package-manifest.test.ts',
      'test/module-resolution.test.ts',
      'test/races.test.ts',
      'test/swap-races.test.ts',
      'test/long-line-memory.test.ts',
    ],
  },
});
