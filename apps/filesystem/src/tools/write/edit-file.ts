import { basename } from 'node:path';
import { ToolError, write } from '@bastion-mcp/core';
import { untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { show } from '../../access/messages.js';
import { openVerified } from '../../access/open-verified.js';
import { writableTarget, writeAtomically } from '../../access/write-atomic.js';
import { accessFor, defineTool } from '../../context.js';
import { applyEdits } from './edit/apply.js';
import { fitDiff, unifiedDiff } from './edit/diff.js';
import { openedIsEntry, sameFile, unchangedSinceRead } from './stream.js';
import { renderEdit } from '../render.js';

const MAX_EDITS = 100;

function tooLarge(path: string, what: string, bytes: number, maxBytes: number): ToolError {
  return new ToolError(
    `\`path\` ${show(path)}: ${what} ${bytes} bytes, over the limit of ${maxBytes} bytes per write (--max-write-bytes); nothing was written.`,
  );
}

export const editFile = defineTool({
  name: 'edit_file',
  toolset: 'write',
  title: 'Edit a text file',
  description:
    'Replace exact text in a UTF-8 text file and return a git-style unified diff of the change. Edits apply in order, each to the result of the previous one, ' +
    'all or nothing: each old_text must occur exactly once (include enough surrounding lines to make it unique) unless replace_all is true. ' +
    'When old_text is not found, the error names the line of the closest text and what differs (indentation, tabs, trailing spaces, line endings). ' +
    "Line endings follow the file (LF text is matched and written as CRLF in a CRLF file). Use dry_run: true to see the diff without writing. " +
    'Prefer it to rewriting whole files; to add at the end use append_file.',
  scopes: ['files:write'],
  annotations: write({ destructive: true, idempotent: false, openWorld: false }),
  input: z.object({
    path: z.string().describe('File path, absolute or relative to the first allowed directory'),
    edits: z
      .array(
        z.object({
          old_text: z
            .string()
            .min(1, { error: 'old_text is empty; give the exact text to replace (to add text, include a neighbouring line and repeat it in new_text)' })
            .describe('Exact text to find, whitespace included; must occur exactly once unless replace_all'),
          new_text: z.string().describe('The text that replaces it ("" deletes it)'),
          replace_all: z.boolean().default(false).describe('Replace every occurrence instead of requiring exactly one'),
        }),
      )
      .min(1)
      .max(MAX_EDITS)
      .describe(`The replacements to make, in order (1 to ${MAX_EDITS})`),
    dry_run: z.boolean().default(false).describe('Return the diff without writing the file'),
  }),
  output: z.object({
    path: z.string(),
    applied: z.boolean().describe('Whether the file was changed on disk (false for a dry run)'),
    replacements: z.number().int().describe('How many occurrences were replaced, over all edits'),
    diff: untrustedText({ description: 'Unified diff (git style) of the whole change' }),
  }),
  text: renderEdit,
  async handler({ path, edits, dry_run }, ctx) {
    const maxBytes = ctx.settings.FILESYSTEM_MAX_WRITE_BYTES;
    const access = await accessFor(ctx);
    const resolved = await access.resolve('path', path, 'write');
    if (!resolved.exists) {
      throw new ToolError(`\`path\` ${show(resolved.path)} does not exist; create it with write_file.`);
    }
    const target = writableTarget(resolved, access.allowHardlinks);

    const opened = await openVerified(resolved, access.allowHardlinks);
    let original: string;
    let read: typeof opened.stat;
    try {
      openedIsEntry(resolved, opened.stat);
      if (opened.stat.size > maxBytes) throw tooLarge(resolved.path, 'the file is', opened.stat.size, maxBytes);
      const buffer = await opened.handle.readFile();
      read = await opened.handle.stat();
      if (!sameFile(read, opened.stat) || buffer.length !== read.size) {
        throw new ToolError(`\`path\` ${show(resolved.path)} changed while it was being read (another process wrote to it); nothing was written. Try again.`);
      }
      if (buffer.length > maxBytes) throw tooLarge(resolved.path, 'the file is', buffer.length, maxBytes);
      if (buffer.includes(0)) {
        throw new ToolError(`\`path\` ${show(resolved.path)} looks binary (it contains NUL bytes); edit_file edits text files only.`);
      }
      try {
        original = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
      } catch {
        throw new ToolError(`\`path\` ${show(resolved.path)} is not valid UTF-8 text; edit_file edits UTF-8 text files only.`);
      }
    } finally {
      await opened.handle.close();
    }

    const { text, replacements } = applyEdits(original, edits, resolved.path, maxBytes);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) throw tooLarge(resolved.path, 'the edited file would be', bytes, maxBytes);

    // Leave room in the response budget for the other fields and the JSON around them.
    const diffBudget = Math.max(1024, Math.floor(ctx.budget.maxBytes * 0.8) - Buffer.byteLength(resolved.path) - 200);
    const diff = fitDiff(await unifiedDiff(resolved.relative || basename(resolved.real), original, text), diffBudget);
    if (!dry_run && text !== original) {
      await writeAtomically(resolved, target, async (put, current) => {
        await put(text);
        await unchangedSinceRead(resolved, read, current);
      });
    }
    return { path: resolved.path, applied: !dry_run, replacements, diff };
  },
});
