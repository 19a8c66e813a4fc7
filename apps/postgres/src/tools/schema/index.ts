import { describeTable } from './describe-table.js';
import { getColumnStats } from './get-column-stats.js';
import { listDatabases } from './list-databases.js';
import { listObjects } from './list-objects.js';
import { listRelationships } from './list-relationships.js';
import { listSchemas } from './list-schemas.js';
import { searchSchema } from './search-schema.js';

export const schemaTools = [listDatabases, listSchemas, listObjects, searchSchema, listRelationships, describeTable, getColumnStats];
