import { strykerConfig } from '../../scripts/stryker-base.mjs';

export default strykerConfig({
  mutate: ['src/jwt-verifier.ts', 'src/token-claims.ts', 'src/api-keys.ts'],
});
