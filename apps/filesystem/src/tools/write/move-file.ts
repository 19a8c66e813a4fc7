import { readdir, rename } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ToolError, write } from '@bastion-mcp/core';
import { z } from 'zod';
import { isInside } from '../../access/containment.js';
import type { ExecConfigMatch } from '../../access/exec-config.js';
import { execConfigMessage } from '../../access/file-access.js';
import { HeldDirectory, holding } from '../../access/held-directory.js';
import type { Subject } from '../../access/held-directory.js';
import { show } from '../../access/messages.js';
import { accessFor, defineTool } from '../../context.js';
import { describeEntry, entryItself, errnoCode, parentMustExist, refuseRoots } from './entry.js';
import { descend, listProtected, scanTree } from './tree.js';

export const moveFile = defineTool({
  name: 'move_file',
  toolset: 'write',
  title: 'Move or rename a file or directory',
  description:
    'Move or rename a file, a directory or a symbolic link (the link itself moves, never its target) within the allowed directories. ' +
    'The destination is the new full path, not a directory to move into. An existing destination file is replaced only with overwrite: true; ' +
    'a non-empty directory is never replaced. Moving between file systems is not supported: use copy_file, then delete_path.',
  scopes: ['files:write'],
  annotations: write({ destructive: true, idempotent: false, openWorld: false }),
  input: z.object({
    source: z.string().describe('The file, directory or link to move, absolute or relative to the first allowed directory'),
    destination: z.string().describe('Its new path, including the name'),
    overwrite: z.boolean().default(false).describe('Replace an existing destination file (or empty directory, when moving a directory)'),
  }),
  output: z.object({
    source: z.string(),
    destination: z.string(),
  }),
  async handler({ source, destination, overwrite }, ctx) {
    const access = await accessFor(ctx);
    const allRoots = [...access.roots, ...ctx.files.roots];
    const from = await access.resolve('source', source, 'remove');
    if (!from.exists) throw new ToolError(`\`source\` ${show(from.path)} does not exist.`);
    const moved = await entryItself(access, from);
    refuseRoots(moved, allRoots, 'moved');

    const to = await access.resolve('destination', destination, 'write');
    if (to.real === moved.location) {
      throw new ToolError(`\`source\` and \`destination\` are the same entry (${show(moved.path)}); nothing was moved.`);
    }
    if (moved.type === 'symlink' && to.real === from.real) {
      throw new ToolError(
        `\`destination\` ${show(to.path)} is the target of the link \`source\` ${show(moved.path)}; moving the link onto it would destroy the file.`,
      );
    }
    if (moved.type === 'directory' && isInside(moved.location, to.real)) {
      throw new ToolError(`\`destination\` ${show(to.path)} is inside \`source\` ${show(moved.path)}; a directory cannot be moved into itself.`);
    }
    if (to.exists && to.entry) {
      const existing = to.entry;
      if (existing.isSymbolicLink()) {
        throw new ToolError(
          `\`destination\` ${show(to.path)} is a symbolic link; moving onto links is refused. Choose another path, or delete the link first.`,
        );
      }
      if (to.relative === '' || allRoots.some((root) => root.real === to.real)) {
        throw new ToolError(`\`destination\` ${show(to.path)} is an allowed directory itself; it is never replaced.`);
      }
      if (existing.isDirectory() && moved.type !== 'directory') {
        throw new ToolError(
          `\`destination\` ${show(to.path)} is a directory; give the full new path, including the name (e.g. ${show(`${to.path}/name`)}).`,
        );
      }
      if (!overwrite) {
        throw new ToolError(`\`destination\` ${show(to.path)} already exists; pass overwrite: true to replace it, or choose another path.`);
      }
      if (existing.isDirectory()) {
        const inside = await readdir(to.real);
        if (inside.length > 0) {
          throw new ToolError(
            `\`destination\` ${show(to.path)} is a directory that is not empty (${inside.length} entr${inside.length === 1 ? 'y' : 'ies'}); overwrite never replaces a non-empty directory.`,
          );
        }
      } else if (!existing.isFile()) {
        throw new ToolError(`\`destination\` ${show(to.path)} is ${describeEntry(existing)}; overwrite replaces regular files only.`);
      } else if (moved.type === 'directory') {
        throw new ToolError(`\`destination\` ${show(to.path)} is a file; a directory cannot replace a file.`);
      }
    } else {
      await parentMustExist(to);
    }

    const fromSubject: Subject = { argument: 'source', path: moved.path, doing: 'moved' };
    const toSubject: Subject = { argument: 'destination', path: to.path, doing: 'moved' };
    const origin = await HeldDirectory.reachParent(moved.root, moved.relative, fromSubject);
    await holding(origin.parent, async () => {
      const target = await HeldDirectory.reachParent(to.root, to.relative, toSubject);
      await holding(target.parent, async () => {
        // Moving a directory moves everything in it: no protected file may leave its place or arrive at
        // a protected one, and nothing may become a file that runs code later (what already was one
        // stays one: it was not written through this server).
        if (moved.type === 'directory') {
          let exec: { inside: string; match: ExecConfigMatch } | undefined;
          const scan = await holding(await descend(origin.parent, origin.name, fromSubject), (top) =>
            scanTree(top, (location) => {
              const inside = relative(moved.location, location);
              const atDestination = join(to.real, inside);
              const pattern = access.protectedPattern(moved.root, location) ?? access.protectedPattern(to.root, atDestination);
              if (pattern) return pattern;
              const match = exec ? undefined : access.execConfigMatch(to.root, atDestination);
              if (match && !access.execConfigMatch(moved.root, location)) exec = { inside, match };
              return undefined;
            }, fromSubject),
          ).catch((error: unknown) => {
            if (ToolError.isInstance(error)) throw error;
            throw new ToolError(
              `\`source\` ${show(moved.path)} could not be checked before moving (${errnoCode(error) ?? (error as Error).message}); nothing was moved.`,
            );
          });
          if (scan.protectedCount > 0) {
            throw new ToolError(
              `\`source\` ${show(moved.path)} contains protected files or would place files at protected paths: ${listProtected(scan)}; ` +
                'moving credentials is refused. Move the other entries individually.',
            );
          }
          if (exec) {
            throw new ToolError(
              `\`source\` ${show(moved.path)} contains ${show(exec.inside)}, which the move would turn into a file that runs code: ` +
                execConfigMessage('destination', join(to.path, exec.inside), exec.match),
            );
          }
        }

        await origin.parent.verify(fromSubject);
        await target.parent.verify(toSubject);
        try {
          // rename never follows either name: a link moves as itself, and both directories are the held ones.
          await rename(origin.parent.at(origin.name), target.parent.at(target.name));
        } catch (error) {
          switch (errnoCode(error)) {
            case 'EXDEV':
              throw new ToolError(
                `\`source\` ${show(moved.path)} and \`destination\` ${show(to.path)} are on different file systems, so they cannot be renamed into each other; ` +
                  'copy the file with copy_file, then remove the original with delete_path.',
              );
            case 'ENOTEMPTY':
            case 'EEXIST':
              throw new ToolError(`\`destination\` ${show(to.path)} is a directory that is not empty; overwrite never replaces a non-empty directory.`);
            case 'EACCES':
            case 'EPERM':
              throw new ToolError(`\`source\` ${show(moved.path)} cannot be moved: permission denied by the operating system.`);
            default:
              throw new ToolError(`\`source\` ${show(moved.path)} cannot be moved to ${show(to.path)} (${errnoCode(error) ?? (error as Error).message}).`);
          }
        }
      });
    });
    return { source: moved.path, destination: to.path };
  },
});
