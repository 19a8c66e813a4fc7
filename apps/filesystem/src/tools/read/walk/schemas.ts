import { z } from 'zod';
import { ENTRY_TYPES } from './entry.js';

/** Input fields shared by the walking tools. */
export const pathArgument = z.string().describe('Directory to start in, absolute or relative to the first allowed directory');

export const excludeArgument = z
  .array(z.string().min(1).max(1000))
  .max(100)
  .default([])
  .describe(
    'Globs of entries to leave out, matched against the path relative to `path` (a glob without "/" matches the name at any depth, e.g. "node_modules" or "*.log"); an excluded directory is not entered',
  );

export const respectGitignoreArgument = z
  .boolean()
  .default(true)
  .describe('Leave out what .gitignore files in `path` and below exclude, and the .git directory');

export const entryTypeSchema = z
  .enum(ENTRY_TYPES)
  .describe('"symlink" for a symbolic link (never followed), "other" for pipes, sockets and devices');
