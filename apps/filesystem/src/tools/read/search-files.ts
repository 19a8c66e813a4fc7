import { readOnly } from '@bastion-mcp/core';
import { cursorSchema, sanitizeText, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { accessFor, defineTool } from '../../context.js';
import { fingerprint, readCursor, walkCursor, writeCursor } from './walk/cursor.js';
import { compileGlob, compileGlobs } from '../../access/glob.js';
import { excludeArgument, respectGitignoreArgument } from './walk/schemas.js';
import { resolveStartDirectory } from './walk/start.js';
import { Walker } from './walk/walker.js';
import type { WalkEntry } from './walk/walker.js';
import { renderPaths } from '../render.js';

const DEFAULT_RESULTS = 1000;
const MAX_RESULTS = 10_000;

export const searchFiles = defineTool({
  name: 'search_files',
  toolset: 'read',
  title: 'Find files by name',
  description:
    'Find files and directories whose path matches a glob, searching path and everything below it. The glob is matched against the path relative to path: ' +
    '"*.ts" or "README*" (no "/") match the name at any depth; "src/**/*.test.ts" matches from path; ** spans directories, {a,b} gives alternatives, [abc] a character class; names starting with "." match too. ' +
    'Returns relative paths in a stable order (depth first, sorted by name). When truncated is true, call again with cursor = nextCursor and the same other arguments. ' +
    'By default follows .gitignore and skips .git/. Symbolic links are listed but never followed; protected secret files are never returned. To search file contents use grep_files.',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    path: z.string().describe('Directory to search in, absolute or relative to the first allowed directory'),
    pattern: z.string().min(1).max(1000).describe('Glob matched against paths relative to path, e.g. "*.md", "**/test/*.ts", "src/{a,b}/**"'),
    exclude: excludeArgument,
    respect_gitignore: respectGitignoreArgument,
    max_results: z
      .number()
      .int()
      .min(1)
      .max(MAX_RESULTS)
      .default(DEFAULT_RESULTS)
      .describe(`Most paths to return in one call (default ${DEFAULT_RESULTS}, at most ${MAX_RESULTS})`),
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    path: z.string().describe('The directory searched, as given (absolute)'),
    matches: z.array(untrustedText({ description: 'Path relative to path; control and invisible characters are removed.' })),
    truncated: z.boolean().describe('More matches exist; continue with cursor = nextCursor'),
    nextCursor: z.string().optional().describe('Pass as cursor, with the same other arguments, for the next matches'),
  }),
  list: 'matches',
  text: renderPaths,
  async handler(args, ctx) {
    const access = await accessFor(ctx);
    const start = await resolveStartDirectory(access, 'path', args.path);
    const glob = compileGlob('pattern', args.pattern);
    const exclude = compileGlobs('exclude', args.exclude);
    const key = fingerprint(['search_files', start.real, args.pattern, args.exclude, args.respect_gitignore]);
    const after = args.cursor === undefined ? undefined : readCursor(args.cursor, walkCursor, key, 'search_files').after;
    const walker = new Walker(access, start, { exclude, respectGitignore: args.respect_gitignore, signal: ctx.signal });

    const limit = Math.min(args.max_results, ctx.budget.maxItems);
    const room = ctx.budget.maxBytes * 0.9 - 200 - Buffer.byteLength(start.path);
    const matches: string[] = [];
    let bytes = 0;
    let last: WalkEntry | undefined;
    let truncated = false;
    await walker.depthFirst(
      (entry) => {
        if (!glob.matches(entry.path, entry.name)) return true;
        const shown = sanitizeText(entry.path);
        bytes += Buffer.byteLength(shown) + 3;
        // One match past the limit tells that there are more (the walk itself is cheap).
        if (matches.length >= limit || (bytes > room && matches.length > 0)) {
          truncated = true;
          return false;
        }
        matches.push(shown);
        last = entry;
        return true;
      },
      after === undefined ? undefined : { components: after, inclusive: false },
    );
    const nextCursor = truncated && last ? writeCursor({ k: key, after: last.path.split('/') }) : undefined;
    return { path: start.path, matches, truncated, ...(nextCursor === undefined ? {} : { nextCursor }) };
  },
});
