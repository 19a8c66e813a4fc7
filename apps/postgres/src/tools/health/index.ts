import type { Tool } from '@bastion-mcp/core';
import type { PostgresContext } from '../../context.js';
import { dbHealth } from './db-health.js';
import { listExtensions } from './list-extensions.js';
import { listSettings } from './list-settings.js';

export const healthTools: Tool<PostgresContext>[] = [dbHealth, listSettings, listExtensions];
