import { readOnly } from '@bastion-mcp/core';
import { cursorSchema, sanitizeText, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { accessFor, defineTool } from '../../context.js';
import { fingerprint, grepCursor, readCursor, writeCursor } from './walk/cursor.js';
import { compileGlob, compileGlobs } from '../../access/glob.js';
import { excludeArgument, respectGitignoreArgument } from './walk/schemas.js';
import { resolveStartDirectory } from './walk/start.js';
import { MAX_LINE_TEXT, MAX_PATTERN_LENGTH, compileTextSearch } from './walk/text-search.js';
import { Walker } from './walk/walker.js';
import { renderGrep } from '../render.js';

const MIB = 1024 * 1024;
const DEFAULT_MATCHES = 200;
const MAX_MATCHES = 5000;
const DEFAULT_FILE_BYTES = 10 * MIB;
const MAX_FILE_BYTES = 64 * MIB;
/** A NUL byte in this much of the start of a file makes it binary, as grep and git decide. */
const BINARY_PROBE = 8192;
/** How long, and over how many files, grep looks for one more match after max_matches. */
const PEEK_MS = 25;
const PEEK_FILES = 500;

const lineText = (description: string) => untrustedText({ maxLength: MAX_LINE_TEXT, description });

interface Match {
  path: string;
  line: number;
  text: string;
  before?: string[];
  after?: string[];
}

export const grepFiles = defineTool({
  name: 'grep_files',
  toolset: 'read',
  title: 'Search file contents',
  description:
    'Search the contents of the text files under path for a regular expression (RE2 syntax: JavaScript syntax without lookahead or backreferences) or, with literal: true, for exact text; one result per matching line, with its file (relative to path), line number and text. ' +
    'Narrow with glob (e.g. "*.ts" or "src/**/*.py"), exclude and context_lines. By default follows .gitignore and skips .git/; binary files and files over max_file_bytes are skipped and counted. ' +
    `Stops at max_matches (default ${DEFAULT_MATCHES}): when truncated is true, call again with cursor = nextCursor and the same other arguments. ` +
    'Symbolic links are never followed; protected secret files are never searched. Matching takes time linear in the text, whatever the pattern. To find files by name use search_files.',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    path: z.string().describe('Directory to search in, absolute or relative to the first allowed directory'),
    pattern: z
      .string()
      .min(1)
      .max(MAX_PATTERN_LENGTH)
      .describe('Regular expression (RE2 syntax: JavaScript syntax without lookahead or backreferences; matched within one line), or exact text with literal: true'),
    literal: z.boolean().default(false).describe('Search for pattern as exact text rather than as a regular expression (default false)'),
    case_sensitive: z.boolean().default(true).describe('Match case exactly (default true)'),
    glob: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('Only files whose path relative to path matches this glob; without "/" it matches the name, e.g. "*.ts"'),
    exclude: excludeArgument,
    respect_gitignore: respectGitignoreArgument,
    context_lines: z.number().int().min(0).max(10).default(0).describe('Lines of context before and after each match (0-10, default 0)'),
    max_matches: z
      .number()
      .int()
      .min(1)
      .max(MAX_MATCHES)
      .default(DEFAULT_MATCHES)
      .describe(`Most matching lines to return in one call (default ${DEFAULT_MATCHES}, at most ${MAX_MATCHES})`),
    max_file_bytes: z
      .number()
      .int()
      .min(1)
      .max(MAX_FILE_BYTES)
      .default(DEFAULT_FILE_BYTES)
      .describe('Skip (and count) files larger than this many bytes (default 10 MiB, at most 64 MiB)'),
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    path: z.string().describe('The directory searched, as given (absolute)'),
    matches: z.array(
      z.object({
        path: untrustedText({ description: 'File path relative to path; control and invisible characters are removed.' }),
        line: z.number().int().describe('Line number (1-based)'),
        text: lineText(`The line, sanitized, at most ${MAX_LINE_TEXT} characters (a longer line is cut around the match, marked with …).`),
        before: z.array(lineText('A line before the match.')).optional().describe('Context lines before, oldest first'),
        after: z.array(lineText('A line after the match.')).optional().describe('Context lines after'),
      }),
    ),
    filesSearched: z.number().int().describe('Files whose contents were searched in this call'),
    filesSkipped: z
      .object({
        binary: z.number().int().describe('Files with a NUL byte near the start'),
        tooLarge: z.number().int().describe('Files over max_file_bytes'),
        unreadable: z.number().int().describe('Files that could not be opened or read'),
        hardLinked: z.number().int().describe('Files with several hard links, refused unless the server allows them'),
      })
      .describe('Files not searched, by reason'),
    truncated: z
      .boolean()
      .describe('The search stopped at max_matches or the response size limit and more matches follow (or may: a large tree is not scanned to the end to find out); continue with cursor = nextCursor'),
    nextCursor: z.string().optional().describe('Pass as cursor, with the same other arguments, to continue after the last match'),
  }),
  list: 'matches',
  text: renderGrep,
  async handler(args, ctx) {
    const access = await accessFor(ctx);
    const start = await resolveStartDirectory(access, 'path', args.path);
    const search = compileTextSearch({
      pattern: args.pattern,
      literal: args.literal,
      caseSensitive: args.case_sensitive,
      contextLines: args.context_lines,
    });
    const only = args.glob === undefined ? undefined : compileGlob('glob', args.glob);
    const exclude = compileGlobs('exclude', args.exclude);
    const key = fingerprint([
      'grep_files',
      start.real,
      args.pattern,
      args.literal,
      args.case_sensitive,
      args.glob ?? null,
      args.exclude,
      args.respect_gitignore,
      args.max_file_bytes,
    ]);
    const resume = args.cursor === undefined ? undefined : readCursor(args.cursor, grepCursor, key, 'grep_files');
    const resumePath = resume?.file.join('/');
    const walker = new Walker(access, start, { exclude, respectGitignore: args.respect_gitignore, signal: ctx.signal });
    const reader = walker.createReader();

    const limit = Math.min(args.max_matches, ctx.budget.maxItems);
    const room = ctx.budget.maxBytes * 0.9 - 400 - Buffer.byteLength(start.path);
    const matches: Match[] = [];
    const counts = { searched: 0, binary: 0, tooLarge: 0, unreadable: 0, hardLinked: 0 };
    let bytes = 0;
    let truncated = false;
    let last: { file: string; line: number } | undefined;
    // After max_matches, the walk peeks ahead for a little while: finding another match, or
    // reaching the end, makes `truncated` exact in most cases without scanning a big tree to the
    // end for nothing. Files peeked at are counted only when there is no next page (the next
    // call searches them again).
    let peekingSince: number | undefined;
    const peeked = { searched: 0, binary: 0, tooLarge: 0, unreadable: 0, hardLinked: 0 };
    let peekedFiles = 0;

    try {
      await walker.depthFirst(
        (entry) => {
          // Only regular files are opened: links, pipes, sockets and devices never are.
          if (entry.type !== 'file') return true;
          if (only && !only.matches(entry.path, entry.name)) return true;
          if (peekingSince !== undefined && (peekedFiles >= PEEK_FILES || performance.now() - peekingSince > PEEK_MS)) {
            truncated = true;
            return false;
          }
          const tally = peekingSince === undefined ? counts : peeked;
          if (peekingSince !== undefined) peekedFiles += 1;
          const read = reader.read(entry.absolute, args.max_file_bytes);
          if (read.kind !== 'read') {
            if (read.kind !== 'notRegular') tally[read.kind] += 1;
            return true;
          }
          const { data } = read;
          if (data.subarray(0, BINARY_PROBE).indexOf(0) !== -1) {
            tally.binary += 1;
            return true;
          }
          tally.searched += 1;
          const shownPath = sanitizeText(entry.path);
          let full = false;
          search.search(data, entry.path === resumePath ? (resume?.line ?? 0) : 0, (hit) => {
            const match: Match = { path: shownPath, ...hit };
            const size = Buffer.byteLength(JSON.stringify(match)) + 1;
            if (matches.length >= limit || (bytes + size > room && matches.length > 0)) {
              full = true;
              return false;
            }
            bytes += size;
            matches.push(match);
            last = { file: entry.path, line: hit.line };
            return true;
          });
          if (full) {
            truncated = true;
            return false;
          }
          if (matches.length >= limit) peekingSince ??= performance.now();
          return true;
        },
        resume === undefined ? undefined : { components: resume.file, inclusive: true },
      );
    } finally {
      reader.close();
    }
    if (!truncated) for (const field of Object.keys(counts) as (keyof typeof counts)[]) counts[field] += peeked[field];
    const filesSkipped = { binary: counts.binary, tooLarge: counts.tooLarge, unreadable: counts.unreadable, hardLinked: counts.hardLinked };
    const filesSearched = counts.searched;
    const position: { file: string; line: number } | undefined = last;
    const nextCursor = truncated && position ? writeCursor({ k: key, file: position.file.split('/'), line: position.line }) : undefined;
    return {
      path: start.path,
      matches,
      filesSearched,
      filesSkipped,
      truncated,
      ...(nextCursor === undefined ? {} : { nextCursor }),
    };
  },
});
