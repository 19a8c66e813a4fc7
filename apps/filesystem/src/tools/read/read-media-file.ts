import { pathToFileURL } from 'node:url';
import { audioBlock, embeddedBlobBlock, imageBlock, readOnly, toolContent } from '@bastion-mcp/core';
import { z } from 'zod';
import { openVerified } from '../../access/open-verified.js';
import { accessFor, defineTool } from '../../context.js';
import { mediaKind, mimeTypeOf } from './mime.js';
import { checkWholeFileSize, readWholeFile } from './whole-file.js';

export const readMediaFile = defineTool({
  name: 'read_media_file',
  toolset: 'read',
  title: 'Read an image, audio or other binary file',
  description:
    'Read a whole file as base64: images (png, jpeg, gif, webp, svg, ...) come back as an image, audio (mp3, wav, ogg, flac, ...) as audio, ' +
    'anything else as an embedded file:// resource. The type comes from the extension. The file must fit the media limit ' +
    '(--max-media-bytes, default 5 MiB) and, as base64, the response budget (--max-result-bytes, default 1 MiB); larger files are refused. ' +
    'For text use read_text_file; for size and hash without the content use get_file_info.',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    path: z.string().describe('File path, absolute or relative to the first allowed directory'),
  }),
  output: z.object({
    path: z.string(),
    mimeType: z.string().describe('Media type from the file extension (application/octet-stream when unknown)'),
    bytes: z.number().int().describe('Size of the file in bytes (before base64)'),
  }),
  async handler({ path }, ctx) {
    const access = await accessFor(ctx);
    const resolved = await access.resolve('path', path, 'read');
    const { handle, stat } = await openVerified(resolved, access.allowHardlinks);
    try {
      checkWholeFileSize(resolved, stat.size, {
        maxBytes: ctx.settings.FILESYSTEM_MAX_MEDIA_BYTES,
        budget: ctx.budget,
        encoding: 'base64',
        alternative: 'get_file_info gives its size and hash without the content.',
      });
      const data = (await readWholeFile(handle, stat.size, resolved)).toString('base64');
      const mimeType = mimeTypeOf(resolved.path);
      const kind = mediaKind(mimeType);
      const block =
        kind === 'image'
          ? imageBlock(data, mimeType)
          : kind === 'audio'
            ? audioBlock(data, mimeType)
            : embeddedBlobBlock(pathToFileURL(resolved.path).href, data, mimeType);
      return toolContent([block], { structured: { path: resolved.path, mimeType, bytes: stat.size } });
    } finally {
      await handle.close();
    }
  },
});
