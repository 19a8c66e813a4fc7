import { strykerConfig } from '../../scripts/stryker-base.mjs';

export default strykerConfig({
  mutate: ['src/untrusted.ts', 'src/sanitize.ts', 'src/json-depth.ts'],
});
