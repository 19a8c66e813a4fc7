import { ToolError, write } from '@bastion-mcp/core';
import { z } from 'zod';
import { show } from '../../access/messages.js';
import { openVerified } from '../../access/open-verified.js';
import type { OpenedFile } from '../../access/open-verified.js';
import { writableTarget, writeAtomically } from '../../access/write-atomic.js';
import { accessFor, defineTool } from '../../context.js';
import { parentMustExist } from './entry.js';
import { openedIsEntry, pipeFile, unchangedSinceRead } from './stream.js';
import { contentWithinLimit } from './write-limits.js';

export const appendFile = defineTool({
  name: 'append_file',
  toolset: 'write',
  title: 'Append to a file',
  description:
    'Add UTF-8 content to the end of a file, keeping what is there (nothing is inserted between: include a leading newline if the file does not end with one). ' +
    'Use it instead of write_file to add to logs, notes or a file written in parts. The file is replaced atomically with the old content plus the new, ' +
    'and keeps its permissions. A missing file is created unless create is false; the parent directory must exist.',
  scopes: ['files:write'],
  annotations: write({ destructive: false, idempotent: false, openWorld: false }),
  input: z.object({
    path: z.string().describe('File path, absolute or relative to the first allowed directory'),
    content: z.string().describe('The text to add at the end of the file'),
    create: z.boolean().default(true).describe('Create the file when it does not exist (false: refuse instead)'),
  }),
  output: z.object({
    path: z.string(),
    bytes: z.number().int().describe('Bytes appended'),
    totalBytes: z.number().int().describe('Size of the file afterwards'),
    created: z.boolean().describe('True when the file did not exist before'),
  }),
  async handler({ path, content, create }, ctx) {
    const maxBytes = ctx.settings.FILESYSTEM_MAX_WRITE_BYTES;
    contentWithinLimit('content', content, maxBytes);
    const access = await accessFor(ctx);
    const resolved = await access.resolve('path', path, 'write');
    const target = writableTarget(resolved, access.allowHardlinks);
    if (!resolved.exists) {
      if (!create) {
        throw new ToolError(`\`path\` ${show(resolved.path)} does not exist and create is false; pass create: true to create it, or check the path.`);
      }
      await parentMustExist(resolved);
    }
    let opened: OpenedFile | undefined;
    if (resolved.exists) {
      opened = await openVerified(resolved, access.allowHardlinks);
      try {
        openedIsEntry(resolved, opened.stat);
      } catch (error) {
        await opened.handle.close();
        throw error;
      }
    }
    try {
      const totalBytes = await writeAtomically(resolved, target, async (put, current) => {
        if (opened) {
          await pipeFile(opened.handle, put);
          await unchangedSinceRead(resolved, opened.stat, current);
        }
        await put(content);
      });
      return { path: resolved.path, bytes: Buffer.byteLength(content, 'utf8'), totalBytes, created: !resolved.exists };
    } finally {
      await opened?.handle.close();
    }
  },
});
