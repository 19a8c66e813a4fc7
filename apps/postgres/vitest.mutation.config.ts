import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// For mutation testing (stryker.config.mjs): only the tests aimed at the query policy and the
// read-only transaction. The other suites start servers for every tool and would only slow each
// mutant down without checking the policy any further.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['test/sql-*.test.ts', 'test/attacks.test.ts', 'test/query.test.ts', 'test/explain.test.ts', 'test/read-only-transaction.test.ts'],
    },
  }),
);
