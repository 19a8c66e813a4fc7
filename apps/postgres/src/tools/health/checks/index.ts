import { bloat } from './bloat.js';
import { cacheHit } from './cache-hit.js';
import { connections } from './connections.js';
import { constraints } from './constraints.js';
import { duplicateIndexes } from './duplicate-indexes.js';
import { CHECK_NAMES } from './health-check.js';
import type { CheckName, HealthCheck } from './health-check.js';
import { invalidIndexes } from './invalid-indexes.js';
import { replication } from './replication.js';
import { sequences } from './sequences.js';
import { unusedIndexes } from './unused-indexes.js';
import { vacuum } from './vacuum.js';
import { wraparound } from './wraparound.js';

const CHECKS: Record<CheckName, HealthCheck> = {
  invalid_indexes: invalidIndexes,
  duplicate_indexes: duplicateIndexes,
  unused_indexes: unusedIndexes,
  bloat,
  vacuum,
  wraparound,
  sequences,
  cache_hit: cacheHit,
  connections,
  replication,
  constraints,
};

/** The named checks (all by default), each once, in the order of CHECK_NAMES. */
export function healthChecks(names?: readonly CheckName[]): HealthCheck[] {
  const wanted = new Set(names ?? CHECK_NAMES);
  return CHECK_NAMES.filter((name) => wanted.has(name)).map((name) => CHECKS[name]);
}
