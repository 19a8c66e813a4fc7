import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ToolError, write } from '@bastion-mcp/core';
import { z } from 'zod';
import { show } from '../../access/messages.js';
import { writableTarget, writeAtomically } from '../../access/write-atomic.js';
import { accessFor, defineTool } from '../../context.js';
import { contentWithinLimit } from './write-limits.js';

export const writeFile = defineTool({
  name: 'write_file',
  toolset: 'write',
  title: 'Write a file',
  description:
    'Create a file with the given UTF-8 content, written atomically (a reader sees the old file or the new one). ' +
    'An existing file is replaced only with overwrite: true; to add to a file use append_file, to change part of it use edit_file. ' +
    'The parent directory must exist (create_directory makes it).',
  scopes: ['files:write'],
  annotations: write({ destructive: true, idempotent: true, openWorld: false }),
  input: z.object({
    path: z.string().describe('File path, absolute or relative to the first allowed directory'),
    content: z.string().describe('The complete new content'),
    overwrite: z.boolean().default(false).describe('Replace the file if it exists'),
  }),
  output: z.object({
    path: z.string(),
    bytes: z.number().int(),
    created: z.boolean().describe('True when the file did not exist before'),
  }),
  async handler({ path, content, overwrite }, ctx) {
    contentWithinLimit('content', content, ctx.settings.FILESYSTEM_MAX_WRITE_BYTES);
    const access = await accessFor(ctx);
    const resolved = await access.resolve('path', path, 'write');
    const target = writableTarget(resolved, access.allowHardlinks);
    if (resolved.exists && !overwrite) {
      throw new ToolError(
        `\`path\` ${show(resolved.path)} already exists; pass overwrite: true to replace it, or use append_file or edit_file to change it.`,
      );
    }
    const parent = await stat(dirname(resolved.real)).catch(() => undefined);
    if (!parent?.isDirectory()) {
      throw new ToolError(`The directory of ${show(resolved.path)} does not exist; create it with create_directory first.`);
    }
    const bytes = await writeAtomically(resolved, target, (put) => put(content));
    return { path: resolved.path, bytes, created: !resolved.exists };
  },
});
