import type { Database } from '../db/database.js';
import type { Session } from '../db/session.js';
import { checkConversions, checkFunctions, checkOperators, checkRelations } from '../sql/index.js';
import type { CheckedQuery, RelationRef } from '../sql/index.js';

/** Every function, operator, conversion, view and policy the statement could run, checked as this session resolves them. */
export async function checkCalls(database: Database, session: Session, checked: CheckedQuery, argument: string): Promise<void> {
  const catalog = database.catalog.bind(async (text, values) => ({ rows: await session.query(text, values) }));
  await checkFunctions(checked.functions, catalog, { argument });
  await checkOperators(checked.operators, catalog, { argument });
  await checkConversions(checked, catalog, { argument });
  await checkRelations(checked.relations, catalog, { argument });
}

/** What reading these relations runs (view definitions, row-level security policies), checked as this session resolves it. */
export async function checkReads(database: Database, session: Session, relations: readonly RelationRef[], argument: string): Promise<void> {
  const catalog = database.catalog.bind(async (text, values) => ({ rows: await session.query(text, values) }));
  await checkRelations(relations, catalog, { argument });
}
