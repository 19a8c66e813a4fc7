import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

let sandbox: Sandbox;
let fs: FilesystemSession;
beforeEach(async () => {
  sandbox = createSandbox();
  fs = await openFilesystem([sandbox.root]);
});
afterEach(async () => {
  await fs.close();
  sandbox.remove();
});

async function reopen(argv: string[]): Promise<void> {
  await fs.close();
  fs = await openFilesystem([sandbox.root], { argv });
}

/** A few bytes that contain a NUL, like every real image and audio file. */
const BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0d, 0x0a, 0x1a, 0xff, 0xfe]);

describe('read_media_file', () => {
  it('returns an image as an image block, with its path, type and size', async () => {
    const path = sandbox.file('pixel.png', BYTES);
    const result = await fs.call('read_media_file', { path: 'pixel.png' });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'image', data: BYTES.toString('base64'), mimeType: 'image/png' }]);
    expect(result.structuredContent).toEqual({ path, mimeType: 'image/png', bytes: BYTES.length });
  });

  it('maps common extensions to image, audio and embedded-resource blocks', async () => {
    const cases: [string, string, 'image' | 'audio' | 'resource'][] = [
      ['a.png', 'image/png', 'image'],
      ['a.jpg', 'image/jpeg', 'image'],
      ['a.jpeg', 'image/jpeg', 'image'],
      ['a.gif', 'image/gif', 'image'],
      ['a.webp', 'image/webp', 'image'],
      ['a.svg', 'image/svg+xml', 'image'],
      ['UPPER.PNG', 'image/png', 'image'],
      ['a.mp3', 'audio/mpeg', 'audio'],
      ['a.wav', 'audio/wav', 'audio'],
      ['a.ogg', 'audio/ogg', 'audio'],
      ['a.flac', 'audio/flac', 'audio'],
      ['a.pdf', 'application/pdf', 'resource'],
      ['a.unknownext', 'application/octet-stream', 'resource'],
      ['no_extension', 'application/octet-stream', 'resource'],
      ['.hidden', 'application/octet-stream', 'resource'],
    ];
    for (const [name, mimeType, kind] of cases) {
      const path = sandbox.file(name, BYTES);
      const result = await fs.call('read_media_file', { path: name });
      expect(result.structuredContent, name).toEqual({ path, mimeType, bytes: BYTES.length });
      const data = BYTES.toString('base64');
      const expected =
        kind === 'resource'
          ? { type: 'resource', resource: { uri: pathToFileURL(path).href, mimeType, blob: data } }
          : { type: kind, data, mimeType };
      expect(result.content, name).toEqual([expected]);
    }
  });

  it('reads an empty file', async () => {
    sandbox.file('empty.png', Buffer.alloc(0));
    const result = await fs.call('read_media_file', { path: 'empty.png' });
    expect(result.content).toEqual([{ type: 'image', data: '', mimeType: 'image/png' }]);
    expect(result.structuredContent).toMatchObject({ bytes: 0 });
  });

  it('refuses a file over --max-media-bytes, naming the size, the limit and the setting', async () => {
    await reopen(['--max-media-bytes', '100']);
    sandbox.file('exact.png', Buffer.alloc(100, 1));
    expect(await fs.ok('read_media_file', { path: 'exact.png' })).toMatchObject({ bytes: 100 });
    const path = sandbox.file('big.png', Buffer.alloc(101, 1));
    expect(await fs.refused('read_media_file', { path: 'big.png' })).toBe(
      `\`path\` ${JSON.stringify(path)} is 101 bytes, over the limit of 100 bytes for reading a whole file; ` +
        'an operator can raise it with --max-media-bytes (FILESYSTEM_MAX_MEDIA_BYTES). get_file_info gives its size and hash without the content.',
    );
  });

  it('refuses a file whose base64 would not fit the response budget', async () => {
    await reopen(['--max-result-bytes', '1024']);
    sandbox.file('fits.png', Buffer.alloc(768, 1));
    expect(await fs.ok('read_media_file', { path: 'fits.png' })).toMatchObject({ bytes: 768 });
    const path = sandbox.file('over.png', Buffer.alloc(769, 1));
    expect(await fs.refused('read_media_file', { path: 'over.png' })).toBe(
      `\`path\` ${JSON.stringify(path)} is 769 bytes (1028 bytes as base64), over the response budget of 1024 bytes; ` +
        'an operator can raise it with --max-result-bytes (BASTION_MAX_RESULT_BYTES). get_file_info gives its size and hash without the content.',
    );
  });

  it('with the defaults, the response budget (1 MiB as base64) is the binding limit', async () => {
    sandbox.file('photo.jpg', Buffer.alloc(800 * 1024, 7));
    expect(await fs.refused('read_media_file', { path: 'photo.jpg' })).toMatch(
      /is 819200 bytes \(1092268 bytes as base64\), over the response budget of 1048576 bytes/,
    );
    await reopen(['--max-result-bytes', String(2 * 1024 * 1024)]);
    const result = await fs.call('read_media_file', { path: 'photo.jpg' });
    expect(result.isError).toBeFalsy();
    expect(result.content[0]).toMatchObject({ type: 'image', data: Buffer.alloc(800 * 1024, 7).toString('base64') });
  });

  it('refuses directories, named pipes (without hanging) and missing files', async () => {
    sandbox.dir('folder');
    expect(await fs.refused('read_media_file', { path: 'folder' })).toMatch(/is a directory/);
    sandbox.fifo('pipe.mp3');
    const started = Date.now();
    expect(await fs.refused('read_media_file', { path: 'pipe.mp3' })).toMatch(/is a named pipe/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await fs.refused('read_media_file', { path: 'missing.png' })).toMatch(/does not exist/);
  });

  it('handles names with control characters', async () => {
    const name = 'bad\u001b[31m\nname.png';
    const path = sandbox.file(name, BYTES);
    const result = await fs.call('read_media_file', { path: name });
    expect(result.structuredContent).toEqual({ path, mimeType: 'image/png', bytes: BYTES.length });
  });
});

describe('read_media_file attacks', () => {
  it('refuses to read through a file link, a directory link and a relative link that escape', async () => {
    sandbox.file(join(sandbox.outside, 'photo.png'), BYTES);
    sandbox.symlink(join(sandbox.outside, 'photo.png'), 'link.png');
    sandbox.symlink(sandbox.outside, 'link_dir');
    sandbox.symlink('../outside/photo.png', 'relative.png');
    for (const path of ['link.png', 'link_dir/photo.png', 'relative.png']) {
      expect(await fs.refused('read_media_file', { path })).toMatch(/symbolic link to a location outside/);
    }
    expect(await fs.refused('read_media_file', { path: join(sandbox.outside, 'photo.png') })).toMatch(/outside the allowed directories/);
    expect(await fs.refused('read_media_file', { path: '../outside/photo.png' })).toMatch(/contains "\.\."/);
  });

  it('refuses protected files', async () => {
    sandbox.file('.env', 'SECRET-ENV\n');
    sandbox.file('.ssh/id_ed25519', 'SECRET-KEY\n');
    sandbox.file('certs/server.pem', 'SECRET-PEM\n');
    for (const path of ['.env', '.ssh/id_ed25519', 'certs/server.pem']) {
      const message = await fs.refused('read_media_file', { path });
      expect(message).toMatch(/is a protected file/);
      expect(message).not.toContain('SECRET-');
    }
  });

  it('refuses a hard-linked file unless --allow-hardlinks', async () => {
    sandbox.file(join(sandbox.outside, 'photo.png'), BYTES);
    sandbox.hardlink(join(sandbox.outside, 'photo.png'), 'hard.png');
    expect(await fs.refused('read_media_file', { path: 'hard.png' })).toMatch(/has 2 hard links/);
    await reopen(['--allow-hardlinks']);
    expect(await fs.ok('read_media_file', { path: 'hard.png' })).toMatchObject({ bytes: BYTES.length });
  });
});
