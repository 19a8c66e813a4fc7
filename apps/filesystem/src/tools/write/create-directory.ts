import { lstat, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ToolError, write } from '@bastion-mcp/core';
import { z } from 'zod';
import { relativeInside } from '../../access/containment.js';
import { execConfigMessage } from '../../access/file-access.js';
import { show } from '../../access/messages.js';
import { accessFor, defineTool } from '../../context.js';
import { describeEntry, directoryUnchanged, errnoCode, protectedMessage } from './entry.js';

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

    // `real` is the real existing ancestor plus the missing names; find where the missing part starts.
    const missing: string[] = [];
    let ancestor = resolved.real;
    for (;;) {
      const found = await lstat(ancestor).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (found) {
        if (!found.isDirectory()) {
          const shown = relativeInside(resolved.root.real, ancestor);
          throw new ToolError(
            `\`path\` ${show(resolved.path)}: ${show(shown)} is ${describeEntry(found)}, not a directory, so nothing can be created under it.`,
          );
        }
        break;
      }
      missing.unshift(basename(ancestor));
      const parent = dirname(ancestor);
      if (parent === ancestor) throw new ToolError(`\`path\` ${show(resolved.path)} has no existing directory above it.`);
      ancestor = parent;
    }

    // Every component to create must be allowed before the first one is made.
    const components: string[] = [];
    let cursor = ancestor;
    for (const name of missing) {
      cursor = join(cursor, name);
      const pattern = access.protectedPattern(resolved.root, cursor);
      if (pattern) throw new ToolError(protectedMessage('path', resolved.path, pattern));
      const exec = access.execConfigMatch(resolved.root, cursor);
      if (exec) throw new ToolError(execConfigMessage('path', resolved.path, exec));
      components.push(cursor);
    }

    let created = 0;
    for (const component of components) {
      await directoryUnchanged('path', resolved.path, dirname(component));
      try {
        await mkdir(component);
        created += 1;
      } catch (error) {
        const existing = errnoCode(error) === 'EEXIST' ? await lstat(component).catch(() => undefined) : undefined;
        if (existing?.isDirectory()) continue;
        const reason = existing ? `${describeEntry(existing)} appeared there` : (errnoCode(error) ?? (error as Error).message);
        throw new ToolError(
          `\`path\` ${show(resolved.path)}: ${show(relativeInside(resolved.root.real, component))} could not be created (${reason})` +
            (created > 0 ? `; ${created} parent director${created === 1 ? 'y was' : 'ies were'} created before it.` : '; nothing was created.'),
        );
      }
    }
    return { path: resolved.path, created: created > 0 };
  },
});
