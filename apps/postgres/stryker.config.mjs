import { strykerConfig } from '../../scripts/stryker-base.mjs';

export default strykerConfig({
  mutate: [
    'src/sql/policy.ts',
    'src/sql/walk.ts',
    'src/sql/explain.ts',
    'src/sql/functions.ts',
    'src/sql/denied-functions.ts',
    'src/sql/safe-volatile-functions.ts',
    'src/db/timeouts.ts',
  ],
  vitest: { configFile: 'vitest.mutation.config.ts' },
});
