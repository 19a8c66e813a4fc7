import type { Database } from '../db/database.js';
import type { Session } from '../db/session.js';
import { checkConversions, checkFunctions, checkOperators } from '../sql/index.js';
import type { CheckedQuery } from '../sql/index.js';

/** Every function, operator and conversion the statement could run, checked as this session resolves them. */
export async function checkCalls(database: Database, session: Session, checked: CheckedQuery, argument: string): Promise<void> {
  const catalog = database.catalog.bind(async (text, values) => ({ rows: await session.query(text, values) }));
  await checkFunctions(checked.functions, catalog, { argument });
  await checkOperators(checked.operators, catalog, { argument });
  await checkConversions(checked, catalog, { argument });
}
