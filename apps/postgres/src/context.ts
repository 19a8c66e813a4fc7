import { toolFactory, resourceFactory } from '@bastion-mcp/core';
import type { ToolContext } from '@bastion-mcp/core';
import type { PostgresConfig } from './config.js';
import type { Database } from './db/database.js';
import type { Databases } from './db/databases.js';

export interface PostgresContext {
  readonly databases: Databases;
  readonly settings: PostgresConfig;
  /** Stops what --demo started; undefined otherwise. */
  readonly stopDemo: (() => Promise<void>) | undefined;
}

export const defineTool = toolFactory<PostgresContext>();
export const { defineResourceTemplate } = resourceFactory<PostgresContext>();

/** The database a call names (or the default one). */
export function databaseFor(ctx: ToolContext<PostgresContext>, name: string | undefined): Database {
  return ctx.databases.get(name);
}
