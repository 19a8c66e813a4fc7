import type { Tool } from '@bastion-mcp/core';
import type { PostgresContext } from '../../context.js';

export const healthTools: Tool<PostgresContext>[] = [];
