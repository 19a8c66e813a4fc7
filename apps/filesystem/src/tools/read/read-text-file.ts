import { ToolError, readOnly } from '@bastion-mcp/core';
import { untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { openVerified } from '../../access/open-verified.js';
import { show } from '../../access/messages.js';
import { accessFor, defineTool } from '../../context.js';
import { countLines, looksBinary, readLineRange } from './line-reader.js';
import type { LineRange } from './line-reader.js';
import { renderFileRange } from '../render.js';

const DEFAULT_LIMIT = 2000;

/** The result fields naming the lines that were cut, present only when some were. */
function cuts(range: LineRange, maxBytes: number): { cutLines?: number[]; maxLineBytes?: number } {
  return range.cutLines.length === 0 ? {} : { cutLines: range.cutLines, maxLineBytes: maxBytes };
}

export const readTextFile = defineTool({
  name: 'read_text_file',
  toolset: 'read',
  title: 'Read a text file',
  description:
    'Read a UTF-8 text file, or a range of its lines. Use offset (1-based line) and limit for a range, head for the first N lines, or tail for the last N. ' +
    `Without them it reads from the start, up to ${DEFAULT_LIMIT} lines and the response budget; when truncated is true, call again with offset = nextOffset. ` +
    'A line too long for one response is cut at a character boundary (to at most maxLineBytes bytes) and listed in cutLines; the rest of that line is not returned, and the next call continues with the line after it. ' +
    'Binary files are refused (use read_media_file or get_file_info).',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z
    .object({
      path: z.string().describe('File path, absolute or relative to the first allowed directory'),
      offset: z.number().int().min(1).optional().describe('First line to read (1-based)'),
      limit: z.number().int().min(1).max(100_000).optional().describe(`Most lines to read (default ${DEFAULT_LIMIT})`),
      head: z.number().int().min(1).max(100_000).optional().describe('Read only the first N lines'),
      tail: z.number().int().min(1).max(100_000).optional().describe('Read only the last N lines'),
    })
    .refine((args) => !(args.head !== undefined && args.tail !== undefined), { error: 'give head or tail, not both', path: ['tail'] })
    .refine((args) => !((args.head !== undefined || args.tail !== undefined) && (args.offset !== undefined || args.limit !== undefined)), {
      error: 'head and tail cannot be combined with offset or limit',
      path: ['offset'],
    }),
  output: z.object({
    path: z.string(),
    content: untrustedText({ description: 'The lines read, joined by newlines' }),
    startLine: z.number().int().describe('Line number of the first line returned'),
    endLine: z.number().int().describe('Line number of the last line returned'),
    totalLines: z.number().int().optional().describe('Lines in the file, when the read reached its end or counted it'),
    truncated: z.boolean().describe('More lines follow; continue with offset = nextOffset'),
    nextOffset: z.number().int().optional(),
    cutLines: z
      .array(z.number().int())
      .optional()
      .describe('Lines longer than maxLineBytes: content holds at most their first maxLineBytes bytes, cut at a character boundary'),
    maxLineBytes: z.number().int().optional().describe('The bound in bytes at which the lines in cutLines were cut'),
  }),
  text: renderFileRange,
  async handler(args, ctx) {
    const access = await accessFor(ctx);
    const resolved = await access.resolve('path', args.path, 'read');
    const { handle } = await openVerified(resolved, access.allowHardlinks);
    try {
      const binary = () =>
        new ToolError(`\`path\` ${show(resolved.path)} looks binary (it contains NUL bytes); use read_media_file or get_file_info.`);
      // Leave room in the budget for the rest of the result and JSON escaping.
      const maxBytes = Math.max(1024, Math.floor(ctx.budget.maxBytes * 0.8));
      if (args.tail !== undefined) {
        if (await looksBinary(handle)) throw binary();
        const totalLines = await countLines(handle);
        const from = Math.max(1, totalLines - args.tail + 1);
        const range = await readLineRange(handle, from, args.tail, maxBytes);
        const endLine = from + range.lines.length - 1;
        return {
          path: resolved.path,
          content: range.lines.join('\n'),
          startLine: from,
          endLine,
          totalLines,
          truncated: endLine < totalLines,
          ...(endLine < totalLines ? { nextOffset: endLine + 1 } : {}),
          ...cuts(range, maxBytes),
        };
      }
      const from = args.offset ?? 1;
      const limit = args.head ?? args.limit ?? DEFAULT_LIMIT;
      const range = await readLineRange(handle, from, limit, maxBytes, true);
      if (range.binary) throw binary();
      const endLine = from + range.lines.length - 1;
      const truncated = !range.reachedEnd;
      if (range.reachedEnd && range.totalLines !== undefined && from > range.totalLines && range.totalLines > 0) {
        throw new ToolError(`\`offset\` ${from} is past the end of ${show(resolved.path)}, which has ${range.totalLines} lines.`);
      }
      return {
        path: resolved.path,
        content: range.lines.join('\n'),
        startLine: from,
        endLine,
        ...(range.totalLines === undefined ? {} : { totalLines: range.totalLines }),
        truncated,
        ...(truncated ? { nextOffset: endLine + 1 } : {}),
        ...cuts(range, maxBytes),
      };
    } finally {
      await handle.close();
    }
  },
});
