import type { Session } from '../../db/session.js';
import type { Relation } from '../relation-arg.js';
import { readColumns } from './describe/columns.js';
import { readConstraints, readIncomingForeignKeys } from './describe/constraints.js';
import { readIndexes } from './describe/indexes.js';
import { readPartitions } from './describe/partitions.js';
import { readPolicies } from './describe/policies.js';
import { readRelationFacts } from './describe/relation-facts.js';
import { MAX_LISTED } from './describe/schema.js';
import type { TableDescription } from './describe/schema.js';
import { readTriggers } from './describe/triggers.js';

export { MAX_LISTED, tableDescriptionOutput } from './describe/schema.js';
export type { TableDescription } from './describe/schema.js';

type Listed<T> = { items: T[]; total: number };
const none = <T>(): Listed<T> => ({ items: [], total: 0 });

/**
 * Everything describe_table and the table resource return about one relation, in a fixed
 * number of catalog queries (about eight, whatever the number of columns), all in the caller's
 * read-only transaction so they see one snapshot.
 */
export async function describeRelation(session: Session, database: string, relation: Relation): Promise<TableDescription> {
  const { oid, kind } = relation;
  const isView = kind === 'view';
  const facts = await readRelationFacts(session, oid, kind);
  const columns = await readColumns(session, oid);
  const constraints = isView ? [] : await readConstraints(session, oid);
  const referencedBy = isView ? none<never>() : await readIncomingForeignKeys(session, oid, MAX_LISTED);
  const indexes = isView ? none<never>() : await readIndexes(session, oid, MAX_LISTED);
  const triggers = await readTriggers(session, oid, MAX_LISTED);
  const policies = isView ? none<never>() : await readPolicies(session, oid, MAX_LISTED);
  const partitions = kind === 'partitioned table' ? await readPartitions(session, oid, MAX_LISTED) : undefined;

  const omitted: NonNullable<TableDescription['omitted']> = {};
  const count = (key: keyof typeof omitted, listed: Listed<unknown> | undefined) => {
    if (listed && listed.total > listed.items.length) omitted[key] = listed.total - listed.items.length;
  };
  count('referencedBy', referencedBy);
  count('indexes', indexes);
  count('triggers', triggers);
  count('policies', policies);
  count('partitions', partitions);

  const partitioning =
    partitions || facts.parent
      ? {
          ...(facts.partitionKey === undefined ? {} : { key: facts.partitionKey }),
          ...(partitions ? { partitions: partitions.items } : {}),
          ...(facts.parent ? { parent: facts.parent } : {}),
        }
      : undefined;

  return {
    database,
    schema: relation.schema,
    name: relation.name,
    kind,
    owner: facts.owner,
    comment: facts.comment,
    columns,
    constraints,
    referencedBy: referencedBy.items,
    indexes: indexes.items,
    triggers: triggers.items,
    rowEstimate: facts.rowEstimate,
    sizes: facts.sizes,
    maintenance: facts.maintenance,
    rowSecurity: { ...facts.rowSecurity, policies: policies.items },
    ...(partitioning ? { partitioning } : {}),
    ...(facts.view ? { view: facts.view } : {}),
    ...(facts.foreignServer === undefined ? {} : { foreignServer: facts.foreignServer }),
    privileges: facts.privileges,
    ...(Object.keys(omitted).length > 0 ? { omitted } : {}),
  };
}
