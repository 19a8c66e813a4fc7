import { lstat, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError, write } from '@bastion-mcp/core';
import { z } from 'zod';
import { relativeInside } from '../../access/containment.js';
import { execConfigMessage } from '../../access/file-access.js';
import { HeldDirectory } from '../../access/held-directory.js';
import type { Subject } from '../../access/held-directory.js';
import { show } from '../../access/messages.js';
import { accessFor, defineTool } from '../../context.js';
import { describeEntry, errnoCode, protectedMessage } from './entry.js';

export const createDirectory = defineTool({
  name: 'create_directory',
  toolset: 'write',
  title: 'Create a directory',
  description:
    'Create a directory and any missing parent directories (like mkdir -p), inside the allowed directories. ' +
    'Succeeds with created: false when the directory already exists; an existing file in the way is an error.',
  scopes: ['files:write'],
  annotations: write({ destructive: false, idempotent: true, openWorld: false }),
  input: z.object({
    path: z.string().describe('Directory path, absolute or relative to the first allowed directory'),
  }),
  output: z.object({
    path: z.string(),
    created: z.boolean().describe('False when the directory already existed'),
  }),
  async handler({ path }, ctx) {
    const access = await accessFor(ctx);
    const resolved = await access.resolve('path', path, 'write');
    if (resolved.exists) {
      // `real` is inside the allowed directories (resolve checked it), so a link to a directory there counts.
      const existing = await stat(resolved.real);
      if (existing.isDirectory()) return { path: resolved.path, created: false };
      throw new ToolError(`\`path\` ${show(resolved.path)} already exists and is ${describeEntry(existing)}, not a directory; choose another path.`);
    }

    // Walk down from the allowed directory through held directories to where the missing part starts.
    const subject: Subject = { argument: 'path', path: resolved.path, doing: 'created' };
    const names = resolved.relative.split('/');
    let held = await HeldDirectory.root(resolved.root, subject);
    try {
      let index = 0;
      for (; index < names.length; index += 1) {
        const name = names[index] as string;
        const next = await held.openChild(name).catch(async (error: unknown) => {
          if (errnoCode(error) === 'ENOENT') return undefined;
          const found = errnoCode(error) === 'ENOTDIR' ? await lstat(held.at(name)).catch(() => undefined) : undefined;
          if (found && !found.isSymbolicLink() && !found.isDirectory()) {
            throw new ToolError(
              `\`path\` ${show(resolved.path)}: ${show(names.slice(0, index + 1).join('/'))} is ${describeEntry(found)}, not a directory, so nothing can be created under it.`,
            );
          }
          throw await held.explain(error, name, subject);
        });
        if (!next) break;
        await held.close();
        held = next;
      }

      // Every component to create must be allowed before the first one is made.
      const missing = names.slice(index);
      let cursor = held.location;
      for (const name of missing) {
        cursor = join(cursor, name);
        const pattern = access.protectedPattern(resolved.root, cursor);
        if (pattern) throw new ToolError(protectedMessage('path', resolved.path, pattern));
        const exec = access.execConfigMatch(resolved.root, cursor);
        if (exec) throw new ToolError(execConfigMessage('path', resolved.path, exec));
      }

      let created = 0;
      const stopped = (name: string, reason: string) =>
        new ToolError(
          `\`path\` ${show(resolved.path)}: ${show(relativeInside(resolved.root.real, join(held.location, name)))} could not be created (${reason})` +
            (created > 0 ? `; ${created} parent director${created === 1 ? 'y was' : 'ies were'} created before it.` : '; nothing was created.'),
        );
      for (const name of missing) {
        await held.verify(subject);
        // mkdir never follows its last name, and the directory it goes into is the held one.
        const made = await mkdir(held.at(name)).then(
          () => true,
          (error: unknown) => {
            if (errnoCode(error) === 'EEXIST') return false;
            throw stopped(name, errnoCode(error) ?? (error as Error).message);
          },
        );
        const next = await held.openChild(name).catch(async (error: unknown) => {
          const found = await lstat(held.at(name)).catch(() => undefined);
          if (!made && found && !found.isSymbolicLink() && !found.isDirectory()) throw stopped(name, `${describeEntry(found)} appeared there`);
          throw await held.explain(error, name, subject);
        });
        if (made) created += 1;
        await held.close();
        held = next;
      }
      return { path: resolved.path, created: created > 0 };
    } finally {
      await held.close();
    }
  },
});
