import { lstat, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ResourceNotFoundError, ToolError } from '@bastion-mcp/core';
import type { ResourceListing } from '@bastion-mcp/core';
import { sanitizeText } from '@bastion-mcp/schema';
import { MissingPathError } from '../access/file-access.js';
import type { FileAccess } from '../access/file-access.js';
import { show } from '../access/messages.js';
import { openVerified } from '../access/open-verified.js';
import type { AllowedRoot } from '../access/roots.js';
import { accessFor, defineResourceTemplate } from '../context.js';
import { UNKNOWN_MIME_TYPE, mimeTypeOf } from '../tools/read/mime.js';
import { checkWholeFileSize, readWholeFile } from '../tools/read/whole-file.js';

/** Most files listed per allowed directory, and most directory entries looked at to find them. */
const MAX_LISTED_PER_ROOT = 500;
const MAX_SCANNED_PER_ROOT = 10_000;
/** How much of the start decides binary (a NUL byte), as read_text_file decides. */
const BINARY_PROBE = 8192;

/** The local path a file:// URI names; anything else (another host, a query, an encoded '/') is refused. */
export function filePathOf(uri: URL): string {
  if (uri.protocol !== 'file:') {
    throw new ToolError(`\`uri\` ${show(uri.href)} is not a file:// URI; give file:///absolute/path.`);
  }
  if (uri.host !== '') {
    throw new ToolError(
      `\`uri\` ${show(uri.href)} names the host ${show(uri.host)}; only local files can be read, as file:///absolute/path.`,
    );
  }
  if (uri.search !== '' || uri.hash !== '') {
    throw new ToolError(
      `\`uri\` ${show(uri.href)} has a query or fragment; percent-encode "?" as %3F and "#" as %23 in file names.`,
    );
  }
  try {
    return fileURLToPath(uri);
  } catch (error) {
    throw new ToolError(`\`uri\` ${show(uri.href)} does not name a local file path (${(error as Error).message}).`);
  }
}

function isText(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, BINARY_PROBE).includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Files directly inside one root that a read would accept, protected and hard-linked ones left out. */
async function filesIn(access: FileAccess, root: AllowedRoot): Promise<ResourceListing[]> {
  const found: ResourceListing[] = [];
  const directory = await opendir(root.real).catch(() => undefined);
  if (!directory) return found;
  let scanned = 0;
  try {
    for await (const dirent of directory) {
      scanned += 1;
      if (scanned > MAX_SCANNED_PER_ROOT || found.length >= MAX_LISTED_PER_ROOT) break;
      const real = join(root.real, dirent.name);
      if (access.protectedPattern(root, real)) continue;
      const path = join(root.path, dirent.name);
      let file = false;
      if (dirent.isFile()) {
        const stats = await lstat(real).catch(() => undefined);
        file = stats !== undefined && (stats.nlink <= 1 || access.allowHardlinks);
      } else if (dirent.isSymbolicLink()) {
        const target = await access
          .resolve('uri', path, 'read')
          .then((resolved) => stat(resolved.real))
          .catch(() => undefined);
        file = target !== undefined && target.isFile() && (target.nlink <= 1 || access.allowHardlinks);
      }
      if (!file) continue;
      const mimeType = mimeTypeOf(dirent.name);
      found.push({
        uri: pathToFileURL(path).href,
        name: sanitizeText(dirent.name),
        ...(mimeType === UNKNOWN_MIME_TYPE ? {} : { mimeType }),
      });
    }
  } finally {
    // Leaving the loop early closes the directory already.
    await directory.close().catch(() => undefined);
  }
  return found.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

export const fileResource = defineResourceTemplate({
  name: 'file',
  title: 'Files',
  description:
    'A file inside the allowed directories, as file:///absolute/path (percent-encoded). UTF-8 text comes back as text, anything else as base64; ' +
    'whole files only, up to the media limit (--max-media-bytes) and the response budget. The same rules as the tools apply: ' +
    'no escape through links, protected files refused, hard-linked files refused unless allowed. ' +
    'The listing shows the files directly inside each allowed directory.',
  uriTemplate: 'file:///{+path}',
  scopes: ['files:read'],
  // A policy bounds file resources as it bounds read_text_file and its `path`.
  policy: { tool: 'read_text_file', arguments: (uri) => ({ path: filePathOf(uri) }) },
  async list(ctx) {
    const access = await accessFor(ctx);
    const listings: ResourceListing[] = [];
    for (const root of access.roots) listings.push(...(await filesIn(access, root)));
    return listings;
  },
  async read(uri, _variables, ctx) {
    const path = filePathOf(uri);
    const access = await accessFor(ctx);
    const resolved = await access.resolve('uri', path, 'read').catch((error: unknown) => {
      throw error instanceof MissingPathError ? new ResourceNotFoundError(uri.href, error.message) : error;
    });
    const { handle, stat: opened } = await openVerified(resolved, access.allowHardlinks);
    try {
      const limits = {
        maxBytes: ctx.settings.FILESYSTEM_MAX_MEDIA_BYTES,
        budget: ctx.budget,
        alternative: 'The tools read_text_file (in ranges) and get_file_info work on files of any size.',
      };
      checkWholeFileSize(resolved, opened.size, { ...limits, encoding: 'text' });
      const bytes = await readWholeFile(handle, opened.size, resolved);
      const mimeType = mimeTypeOf(resolved.path);
      const text = isText(bytes);
      if (text !== undefined) {
        return [{ uri: uri.href, mimeType: mimeType === UNKNOWN_MIME_TYPE ? 'text/plain' : mimeType, text: sanitizeText(text) }];
      }
      checkWholeFileSize(resolved, opened.size, { ...limits, encoding: 'base64' });
      return [{ uri: uri.href, mimeType, blob: bytes.toString('base64') }];
    } finally {
      await handle.close();
    }
  },
});
