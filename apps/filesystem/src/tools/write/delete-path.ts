import { rmdir, unlink } from 'node:fs/promises';
import { ToolError, write } from '@bastion-mcp/core';
import { z } from 'zod';
import { HeldDirectory, holding } from '../../access/held-directory.js';
import type { Subject } from '../../access/held-directory.js';
import { show } from '../../access/messages.js';
import { accessFor, defineTool } from '../../context.js';
import { errnoCode, existingEntryOrLink, refuseRoots } from './entry.js';
import type { Entry } from './entry.js';
import { descend, listProtected, removeContents, scanTree } from './tree.js';

function failed(entry: Entry, error: unknown, removed: number): ToolError {
  if (ToolError.isInstance(error)) {
    return removed > 0 ? new ToolError(`${error.message} ${removed} entries were removed before it stopped.`) : error;
  }
  const reason = errnoCode(error) === 'EACCES' || errnoCode(error) === 'EPERM' ? 'permission denied by the operating system' : (errnoCode(error) ?? (error as Error).message);
  return new ToolError(
    `\`path\` ${show(entry.path)} could not be deleted completely (${reason}); ${removed} entr${removed === 1 ? 'y was' : 'ies were'} removed before it stopped.`,
  );
}

export const deletePath = defineTool({
  name: 'delete_path',
  toolset: 'write',
  title: 'Delete a file or directory',
  description:
    'Delete a file, a symbolic link (the link itself, never its target) or a directory. A non-empty directory needs recursive: true, ' +
    'which removes everything in it without following links, and is refused when the tree holds protected files (credentials are never deleted). ' +
    'The allowed directories themselves are never deleted. There is no undo.',
  scopes: ['files:delete'],
  annotations: write({ destructive: true, idempotent: true, openWorld: false }),
  input: z.object({
    path: z.string().describe('The file, link or directory to delete, absolute or relative to the first allowed directory'),
    recursive: z.boolean().default(false).describe('Also delete a directory that is not empty, with everything in it'),
  }),
  output: z.object({
    path: z.string(),
    type: z.enum(['file', 'directory', 'symlink', 'other']).describe('What was deleted (other: a named pipe, socket or device)'),
    deleted: z.literal(true),
    entries: z.number().int().describe('Entries removed, the path itself included'),
  }),
  async handler({ path, recursive }, ctx) {
    const access = await accessFor(ctx);
    const entry = await existingEntryOrLink(access, 'path', path);
    refuseRoots(entry, [...access.roots, ...ctx.files.roots], 'deleted');
    const subject: Subject = { argument: 'path', path: entry.path, doing: 'deleted' };
    const { parent, name } = await HeldDirectory.reachParent(entry.root, entry.relative, subject);
    return holding(parent, async () => {
      await parent.verify(subject);
      if (entry.type !== 'directory') {
        // unlink never follows the name: a link is removed, its target untouched.
        await unlink(parent.at(name)).catch((error: unknown) => {
          throw failed(entry, error, 0);
        });
        return { path: entry.path, type: entry.type, deleted: true as const, entries: 1 };
      }

      if (!recursive) {
        try {
          await rmdir(parent.at(name));
        } catch (error) {
          if (errnoCode(error) !== 'ENOTEMPTY' && errnoCode(error) !== 'EEXIST') throw failed(entry, error, 0);
          const count = await holding(await descend(parent, name, subject), async (top) => (await top.list()).length);
          throw new ToolError(
            `\`path\` ${show(entry.path)} is a directory that is not empty (${count} entr${count === 1 ? 'y' : 'ies'}); pass recursive: true to delete it and everything in it.`,
          );
        }
        return { path: entry.path, type: 'directory' as const, deleted: true as const, entries: 1 };
      }

      const isProtected = (location: string) => access.protectedPattern(entry.root, location);
      const top = await descend(parent, name, subject);
      const progress = { removed: 0 };
      await holding(top, async () => {
        const scan = await scanTree(top, isProtected, subject).catch((error: unknown) => {
          throw failed(entry, error, 0);
        });
        if (scan.protectedCount > 0) {
          throw new ToolError(
            `\`path\` ${show(entry.path)} contains protected files: ${listProtected(scan)}; a recursive delete never removes credentials, so nothing was deleted. ` +
              'Delete the other entries individually, or ask an operator to remove the protected files.',
          );
        }
        await removeContents(top, isProtected, progress, subject);
        await parent.verify(subject);
        await rmdir(parent.at(name));
        progress.removed += 1;
      }).catch((error: unknown) => {
        throw failed(entry, error, progress.removed);
      });
      return { path: entry.path, type: 'directory' as const, deleted: true as const, entries: progress.removed };
    });
  },
});
