import { stat } from 'node:fs/promises';
import { ToolError, write } from '@bastion-mcp/core';
import { z } from 'zod';
import { show } from '../../access/messages.js';
import { openVerified } from '../../access/open-verified.js';
import { writableTarget, writeAtomically } from '../../access/write-atomic.js';
import { accessFor, defineTool } from '../../context.js';
import { describeEntry, parentMustExist } from './entry.js';
import { pipeFile } from './stream.js';

function overLimit(path: string, bytes: number, maxBytes: number): ToolError {
  return new ToolError(
    `\`source\` ${show(path)} is ${bytes} bytes, over the limit of ${maxBytes} bytes per write (--max-write-bytes); it was not copied.`,
  );
}

export const copyFile = defineTool({
  name: 'copy_file',
  toolset: 'write',
  title: 'Copy a file',
  description:
    'Copy one regular file to a new path, byte for byte (text or binary), without reading it into the conversation: ' +
    'use it instead of reading a file and writing it again. The copy is written atomically; an existing destination is replaced only with ' +
    'overwrite: true (and keeps its permissions; a new copy gets default permissions). Directories are not copied: create_directory, then copy each file. ' +
    'The destination directory must exist.',
  scopes: ['files:write'],
  annotations: write({ destructive: false, idempotent: true, openWorld: false }),
  input: z.object({
    source: z.string().describe('The file to copy, absolute or relative to the first allowed directory'),
    destination: z.string().describe('The path of the copy, including its file name'),
    overwrite: z.boolean().default(false).describe('Replace the destination if it exists'),
  }),
  output: z.object({
    source: z.string(),
    destination: z.string(),
    bytes: z.number().int().describe('Bytes copied'),
  }),
  async handler({ source, destination, overwrite }, ctx) {
    const maxBytes = ctx.settings.FILESYSTEM_MAX_WRITE_BYTES;
    const access = await accessFor(ctx);
    const from = await access.resolve('source', source, 'read');
    const fromStats = await stat(from.real);
    if (!fromStats.isFile()) {
      const hint = fromStats.isDirectory()
        ? 'copy_file copies one regular file; create the directory with create_directory and copy its files one by one'
        : 'only regular files can be copied';
      throw new ToolError(`\`source\` ${show(from.path)} is ${describeEntry(fromStats)}; ${hint}.`);
    }
    if (fromStats.size > maxBytes) throw overLimit(from.path, fromStats.size, maxBytes);

    const to = await access.resolve('destination', destination, 'write');
    if (to.entry?.isDirectory()) {
      throw new ToolError(
        `\`destination\` ${show(to.path)} is a directory; give the full path of the copy, including its file name (e.g. ${show(`${to.path}/name`)}).`,
      );
    }
    const target = writableTarget(to, access.allowHardlinks);
    if (to.exists && to.real === from.real) {
      throw new ToolError(`\`source\` and \`destination\` are the same file (${show(from.path)}); nothing was copied.`);
    }
    if (to.exists && !overwrite) {
      throw new ToolError(`\`destination\` ${show(to.path)} already exists; pass overwrite: true to replace it, or choose another path.`);
    }
    if (!to.exists) await parentMustExist(to);

    const { handle } = await openVerified(from, access.allowHardlinks);
    try {
      const bytes = await writeAtomically(to, target, (put) =>
        pipeFile(handle, put, {
          maxBytes,
          beyond: (bytes) => {
            throw overLimit(from.path, bytes, maxBytes);
          },
        }).then(() => undefined),
      );
      return { source: from.path, destination: to.path, bytes };
    } finally {
      await handle.close();
    }
  },
});
