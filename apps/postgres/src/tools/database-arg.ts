import { z } from 'zod';

/** Every tool's optional `database` argument. */
export const databaseArg = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,63}$/, { error: 'a configured database name: letters, digits and underscores (see list_databases)' })
  .optional()
  .describe('Which configured database (list_databases); omit for the default one');
