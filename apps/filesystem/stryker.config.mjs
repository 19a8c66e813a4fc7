import { strykerConfig } from '../../scripts/stryker-base.mjs';

export default strykerConfig({
  mutate: [
    'src/access/containment.ts',
    'src/access/file-access.ts',
    'src/access/deny-list.ts',
    'src/access/path-patterns.ts',
    'src/access/exec-config.ts',
    'src/tools/read/walk/deny-filter.ts',
  ],
  vitest: { configFile: 'vitest.mutation.config.ts' },
});
