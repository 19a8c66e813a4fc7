import { readOnly } from '@bastion-mcp/core';
import { z } from 'zod';
import { accessFor, defineTool } from '../../context.js';

export const listAllowedDirectories = defineTool({
  name: 'list_allowed_directories',
  toolset: 'read',
  title: 'List allowed directories',
  description:
    'List the directories this server may access (after narrowing to the client\'s roots, if it offers any). ' +
    'Relative paths in other tools start at the first one.',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  output: z.object({
    directories: z.array(z.object({ path: z.string(), realPath: z.string() })),
    writable: z.boolean().describe('Whether the write tools are enabled'),
  }),
  async handler(_args, ctx) {
    const access = await accessFor(ctx);
    return {
      directories: access.roots.map((root) => ({ path: root.path, realPath: root.real })),
      writable: ctx.settings.FILESYSTEM_WRITE,
    };
  },
});
