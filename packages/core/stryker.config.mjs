import { strykerConfig } from '../../scripts/stryker-base.mjs';

export default strykerConfig({
  mutate: ['src/limits/**/*.ts', '!src/limits/index.ts', '!src/limits/types.ts'],
});
