import type { Tool } from '@bastion-mcp/core';
import type { PostgresContext } from '../../context.js';
import { activeQueries } from './active-queries.js';
import { explain } from './explain.js';
import { locks } from './locks.js';
import { topQueries } from './top-queries.js';

export const performanceTools: Tool<PostgresContext>[] = [explain, topQueries, activeQueries, locks];
