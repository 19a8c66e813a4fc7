import type { Resource } from '@bastion-mcp/core';
import type { PostgresContext } from '../context.js';

export const schemaResources: Resource<PostgresContext>[] = [];
