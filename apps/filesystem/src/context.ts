import { toolFactory, resourceFactory } from '@bastion-mcp/core';
import type { ToolContext } from '@bastion-mcp/core';
import type { FileAccess } from './access/file-access.js';
import { narrowToClientRoots } from './access/roots.js';
import type { AllowedRoot } from './access/roots.js';
import type { FilesystemConfig } from './config.js';

export interface FilesystemContext {
  /** Access to every allowed directory; tools use `accessFor(ctx)`, which applies client roots. */
  readonly files: FileAccess;
  readonly settings: FilesystemConfig;
}

export const defineTool = toolFactory<FilesystemContext>();
export const { defineResourceTemplate } = resourceFactory<FilesystemContext>();

const narrowed = new WeakMap<readonly { uri: string }[], Promise<readonly AllowedRoot[]>>();

/** The access for this call: the allowed directories, narrowed to the client's roots if it has any. */
export async function accessFor(ctx: ToolContext<FilesystemContext>): Promise<FileAccess> {
  const clientRoots = await ctx.peer.roots();
  if (!clientRoots) return ctx.files;
  let roots = narrowed.get(clientRoots);
  if (!roots) {
    roots = narrowToClientRoots(ctx.files.roots, clientRoots);
    narrowed.set(clientRoots, roots);
  }
  return ctx.files.withRoots(await roots);
}
