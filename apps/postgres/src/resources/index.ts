import type { Resource } from '@bastion-mcp/core';
import type { PostgresContext } from '../context.js';
import { tableResource } from './table-resource.js';

/** postgres://{database}/{table}: the schema of each table and view, as describe_table gives it. */
export const schemaResources: Resource<PostgresContext>[] = [tableResource];
