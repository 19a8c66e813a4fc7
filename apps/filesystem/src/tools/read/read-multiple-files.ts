import type { FileHandle } from 'node:fs/promises';
import { ToolError, readOnly } from '@bastion-mcp/core';
import { untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { show } from '../../access/messages.js';
import { openVerified } from '../../access/open-verified.js';
import { accessFor, defineTool } from '../../context.js';
import { looksBinary } from './line-reader.js';
import { renderFiles } from '../render.js';
import { fitText, jsonBytes, utf8Boundary } from './text-fit.js';

const KIB = 1024;
const DEFAULT_BYTES_EACH = 64 * KIB;
const MAX_BYTES_EACH = 1024 * KIB;
const MAX_FILES = 50;

interface FileResult {
  path: string;
  content?: string;
  error?: string;
  truncated: boolean;
  bytes: number;
}

interface Readable {
  readonly result: FileResult;
  readonly handle: FileHandle;
  readonly size: number;
}

/** A per-file failure as the caller sees it; unexpected errors (not from the file) still fail the call. */
function failureMessage(argument: string, input: string, error: unknown): string {
  if (ToolError.isInstance(error)) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return `\`${argument}\` ${show(input)} cannot be read (${code}).`;
  throw error;
}

async function readPrefix(handle: FileHandle, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

export const readMultipleFiles = defineTool({
  name: 'read_multiple_files',
  toolset: 'read',
  title: 'Read several text files',
  description:
    `Read up to ${MAX_FILES} UTF-8 text files in one call, each up to max_bytes_each (default ${DEFAULT_BYTES_EACH / KIB} KiB). ` +
    'Each file succeeds or fails on its own: a file that is missing, outside the allowed directories, protected, binary or a directory ' +
    'gets an error and the others are still returned. truncated: true means content holds only the start of the file ' +
    '(max_bytes_each or the response budget ran out); read_text_file with offset reads the rest. Binary files: read_media_file.',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    paths: z
      .array(z.string())
      .min(1)
      .max(MAX_FILES)
      .describe('File paths, absolute or relative to the first allowed directory'),
    max_bytes_each: z
      .number()
      .int()
      .min(1)
      .max(MAX_BYTES_EACH)
      .default(DEFAULT_BYTES_EACH)
      .describe(`Most bytes of each file to return (1 to ${MAX_BYTES_EACH}); longer files are cut at a character boundary`),
  }),
  output: z.object({
    files: z
      .array(
        z.object({
          path: z.string().describe('The path, absolute once resolved; as given when it could not be resolved'),
          content: untrustedText({ description: 'The text read: the whole file, or its start when truncated.' }).optional(),
          error: z.string().optional().describe('Why this file could not be read; the other files are unaffected'),
          truncated: z.boolean().describe('Only the start of the file is in content'),
          bytes: z.number().int().describe('Size of the file in bytes (0 when it could not be opened)'),
        }),
      )
      .describe('One entry per requested path, in the order given'),
  }),
  text: renderFiles,
  async handler({ paths, max_bytes_each: maxBytesEach }, ctx) {
    const access = await accessFor(ctx);
    const files: FileResult[] = [];
    const readable: Readable[] = [];
    try {
      // First pass: resolve, open and probe every file, so the size of the answer without any
      // content is known before content is added.
      for (const [index, input] of paths.entries()) {
        const argument = `paths[${index}]`;
        let path = input;
        let handle: FileHandle | undefined;
        try {
          const resolved = await access.resolve(argument, input, 'read');
          path = resolved.path;
          const opened = await openVerified(resolved, access.allowHardlinks);
          handle = opened.handle;
          if (await looksBinary(handle)) {
            handle = undefined;
            await opened.handle.close();
            files.push({
              path,
              error: `\`${argument}\` ${show(path)} looks binary (it contains NUL bytes); use read_media_file for images and audio, or get_file_info.`,
              truncated: false,
              bytes: opened.stat.size,
            });
            continue;
          }
          const result: FileResult = { path, content: '', truncated: opened.stat.size > 0, bytes: opened.stat.size };
          files.push(result);
          readable.push({ result, handle, size: opened.stat.size });
        } catch (error) {
          await handle?.close();
          files.push({ path, error: failureMessage(argument, input, error), truncated: false, bytes: 0 });
        }
      }

      // Second pass: content in order, while the response budget lasts. Every truncated flag may
      // still flip from true to false (one more byte each), hence the margin.
      let remaining = ctx.budget.maxBytes - jsonBytes({ files }) - readable.length - 64;
      for (const { result, handle, size } of readable) {
        const length = Math.min(maxBytesEach, size, Math.max(0, remaining));
        if (length === 0) continue;
        const bytes = await readPrefix(handle, length);
        const end = bytes.length < size ? utf8Boundary(bytes, bytes.length) : bytes.length;
        let text = bytes.subarray(0, end).toString('utf8');
        let truncated = end < size;
        let growth = jsonBytes(text) - 2;
        if (growth > remaining) {
          text = fitText(text, remaining);
          truncated = true;
          growth = jsonBytes(text) - 2;
        }
        remaining -= growth;
        result.content = text;
        result.truncated = truncated;
      }
      return { files };
    } finally {
      await Promise.all(readable.map(({ handle }) => handle.close().catch(() => undefined)));
    }
  },
});
