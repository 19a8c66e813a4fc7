import { strykerConfig } from '../../scripts/stryker-base.mjs';

export default strykerConfig({
  mutate: ['src/redact*.ts'],
});
