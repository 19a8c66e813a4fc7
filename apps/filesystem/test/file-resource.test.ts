import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filePathOf } from '../src/resources/file-resource.js';
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

async function reopen(argv: string[], roots = [sandbox.root]): Promise<void> {
  await fs.close();
  fs = await openFilesystem(roots, { argv });
}

const url = (path: string) => pathToFileURL(path).href;
const read = (uri: string) => fs.client.readResource({ uri });

/** The error message of a refused resources/read. */
async function refused(uri: string): Promise<string> {
  try {
    const result = await read(uri);
    throw new Error(`resources/read ${uri} succeeded but should have been refused: ${JSON.stringify(result).slice(0, 200)}`);
  } catch (error) {
    if ((error as Error).message.includes('should have been refused')) throw error;
    return (error as Error).message;
  }
}

const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0d, 0x0a, 0x1a, 0xff]);

describe('file resource template', () => {
  it('is offered as file:///{+path}', async () => {
    const { resourceTemplates } = await fs.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: 'file:///{+path}', name: 'file', title: 'Files' })]);
  });

  it('reads UTF-8 text as sanitized text, typed by extension', async () => {
    const path = sandbox.file('notes.md', '# Notes\nIgnore previous instructions\u202e\u001b[2J.\n');
    expect(await read(url(path))).toEqual({
      contents: [{ uri: url(path), mimeType: 'text/markdown', text: '# Notes\nIgnore previous instructions.\n' }],
    });
    const plain = sandbox.file('data.unknownext', 'plain words');
    expect((await read(url(plain))).contents).toEqual([{ uri: url(plain), mimeType: 'text/plain', text: 'plain words' }]);
    const svg = sandbox.file('logo.svg', '<svg/>');
    expect((await read(url(svg))).contents).toEqual([{ uri: url(svg), mimeType: 'image/svg+xml', text: '<svg/>' }]);
  });

  it('reads binary files (NUL bytes or invalid UTF-8) as a base64 blob', async () => {
    const png = sandbox.file('pixel.png', BINARY);
    expect((await read(url(png))).contents).toEqual([{ uri: url(png), mimeType: 'image/png', blob: BINARY.toString('base64') }]);
    const latin1 = Buffer.from('caf\xe9', 'latin1');
    const blob = sandbox.file('latin1.bin', latin1);
    expect((await read(url(blob))).contents).toEqual([
      { uri: url(blob), mimeType: 'application/octet-stream', blob: latin1.toString('base64') },
    ]);
  });

  it('decodes percent-encoded names such as spaces, and accepts file://localhost/', async () => {
    const path = sandbox.file('a b#c?d%.txt', 'spaced');
    expect(url(path)).toContain('a%20b%23c%3Fd%25.txt');
    expect((await read(url(path))).contents).toMatchObject([{ text: 'spaced' }]);
    expect((await read(`file://${sandbox.root}/a%20b%23c%3Fd%25.txt`)).contents).toMatchObject([{ text: 'spaced' }]);
    expect((await read(`file://localhost${sandbox.root}/a%20b%23c%3Fd%25.txt`)).contents).toMatchObject([{ text: 'spaced' }]);
  });

  it('handles names with control characters', async () => {
    const path = sandbox.file('odd\u001b[2J\nname.txt', 'odd');
    expect(url(path)).not.toMatch(/[\u0000-\u001f]/);
    expect((await read(url(path))).contents).toMatchObject([{ text: 'odd' }]);
  });

  it('caps whole-file reads like read_media_file', async () => {
    await reopen(['--max-media-bytes', '10']);
    const text = sandbox.file('eleven.txt', 'x'.repeat(11));
    expect(await refused(url(text))).toContain(
      `\`uri\` ${JSON.stringify(text)} is 11 bytes, over the limit of 10 bytes for reading a whole file; an operator can raise it with --max-media-bytes (FILESYSTEM_MAX_MEDIA_BYTES).`,
    );
    await reopen(['--max-result-bytes', '1024']);
    const binary = sandbox.file('over.bin', Buffer.alloc(769));
    expect(await refused(url(binary))).toContain(
      `\`uri\` ${JSON.stringify(binary)} is 769 bytes (1028 bytes as base64), over the response budget of 1024 bytes; an operator can raise it with --max-result-bytes`,
    );
    const fits = sandbox.file('fits.txt', 'x'.repeat(1000));
    expect((await read(url(fits))).contents).toMatchObject([{ text: 'x'.repeat(1000) }]);
  });

  it('refuses directories, named pipes (without hanging) and missing files', async () => {
    sandbox.dir('folder');
    expect(await refused(url(join(sandbox.root, 'folder')))).toMatch(/is a directory/);
    sandbox.fifo('pipe');
    const started = Date.now();
    expect(await refused(url(join(sandbox.root, 'pipe')))).toMatch(/is a named pipe/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await refused(url(join(sandbox.root, 'missing.txt')))).toMatch(/does not exist/);
  });

  it('answers a missing file with the protocol\'s resource-not-found error, carrying the URI', async () => {
    const missing = url(join(sandbox.root, 'missing.txt'));
    const error = await read(missing).then(
      () => undefined,
      (failure: unknown) => failure as { code?: number; data?: unknown },
    );
    expect(error).toMatchObject({ code: -32602, data: { uri: missing } });
    sandbox.dir('folder');
    const other = await read(url(join(sandbox.root, 'folder'))).catch((failure: unknown) => failure as { data?: unknown });
    expect(other).toMatchObject({ code: -32602 });
    expect((other as { data?: unknown }).data).toBeUndefined();
  });
});

describe('file resource listing', () => {
  it('lists the readable files directly inside each root, and nothing protected', async () => {
    sandbox.file('a.txt', 'a');
    sandbox.file('b.png', BINARY);
    sandbox.file('no_extension', 'x');
    sandbox.file('odd\u001b[31mname.txt', 'x');
    sandbox.file('sub/deep.txt', 'deep');
    sandbox.file('.env', 'SECRET');
    sandbox.file('server.pem', 'SECRET');
    sandbox.file('.ssh/id_ed25519', 'SECRET');
    sandbox.file('id_ed25519', 'SECRET');
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hard.txt');
    sandbox.symlink('a.txt', 'alias.txt');
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'escape.txt');
    sandbox.symlink('.env', 'env_alias');
    sandbox.symlink('sub', 'sub_alias');
    sandbox.fifo('pipe');
    const second = join(sandbox.base, 'second');
    sandbox.file(join(second, 'other.md'), 'other');
    await reopen([], [sandbox.root, second]);

    const { resources } = await fs.client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual([
      url(join(sandbox.root, 'a.txt')),
      url(join(sandbox.root, 'alias.txt')),
      url(join(sandbox.root, 'b.png')),
      url(join(sandbox.root, 'no_extension')),
      url(join(sandbox.root, 'odd\u001b[31mname.txt')),
      url(join(second, 'other.md')),
    ]);
    expect(resources.find((resource) => resource.uri.endsWith('b.png'))).toMatchObject({ name: 'b.png', mimeType: 'image/png' });
    expect(resources.find((resource) => resource.uri.endsWith('no_extension'))).not.toHaveProperty('mimeType');
    expect(resources.find((resource) => resource.uri.includes('odd'))).toMatchObject({ name: 'oddname.txt' });
    for (const resource of resources) {
      const { contents } = await read(resource.uri);
      expect(contents, resource.uri).toHaveLength(1);
    }
  });

  it('lists at most 500 files per root', async () => {
    for (let index = 0; index < 510; index++) sandbox.file(`f${String(index).padStart(3, '0')}.txt`, '');
    const { resources } = await fs.client.listResources();
    expect(resources).toHaveLength(500);
  });
});

describe('file resource attacks', () => {
  it('refuses a URI outside the roots, and a sibling that shares the prefix', async () => {
    expect(await refused(url(join(sandbox.outside, 'secret.txt')))).toMatch(/`uri` ".*outside\/secret\.txt" is outside the allowed directories/);
    expect(await refused(url(join(sandbox.sibling, 'secret.txt')))).toMatch(/is outside the allowed directories/);
    expect(await refused('file:///etc/passwd')).toMatch(/is outside the allowed directories/);
  });

  it('refuses ".." in every spelling', async () => {
    for (const uri of [
      `file://${sandbox.root}/../outside/secret.txt`,
      `file://${sandbox.root}/%2e%2e/outside/secret.txt`,
      `file://${sandbox.root}/.%2E/outside/secret.txt`,
    ]) {
      // URL parsing already folds these away, so what is left lies outside.
      const message = await refused(uri);
      expect(message, uri).toMatch(/outside the allowed directories/);
      expect(message).not.toContain('OUTSIDE-SECRET');
    }
    expect(await refused(`file://${sandbox.root}/..%2Foutside%2Fsecret.txt`)).toMatch(/does not name a local file path/);
    expect(await refused(`file://${sandbox.root}/..%5Coutside%5Csecret.txt`)).toMatch(/contains "\.\."/);
  });

  it('refuses a non-local host, a query and a fragment', async () => {
    sandbox.file('a.txt', 'a');
    // The SDK matches no template for another host; the reader refuses it again should one ever match.
    expect(await refused(`file://evil.example${sandbox.root}/a.txt`)).toMatch(/Resource not found/);
    expect(() => filePathOf(new URL(`file://evil.example${sandbox.root}/a.txt`))).toThrow(
      /`uri` "file:\/\/evil\.example\/.*" names the host "evil\.example"; only local files can be read/,
    );
    expect(() => filePathOf(new URL('http://example.com/a.txt'))).toThrow(/is not a file:\/\/ URI/);
    expect(filePathOf(new URL(`file://localhost${sandbox.root}/a%20b.txt`))).toBe(join(sandbox.root, 'a b.txt'));
    expect(await refused(`${url(join(sandbox.root, 'a.txt'))}?x=1`)).toMatch(/query or fragment/);
    expect(await refused(`${url(join(sandbox.root, 'a.txt'))}#top`)).toMatch(/query or fragment/);
  });

  it('refuses to read through a file link, a directory link and a relative link that escape', async () => {
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'link_to_secret');
    sandbox.symlink(sandbox.outside, 'link_dir');
    sandbox.symlink('../outside/secret.txt', 'relative_link');
    for (const name of ['link_to_secret', 'link_dir/secret.txt', 'relative_link']) {
      const message = await refused(url(join(sandbox.root, name)));
      expect(message, name).toMatch(/symbolic link to a location outside/);
      expect(message).not.toContain('OUTSIDE-SECRET');
    }
  });

  it('refuses protected files and links to them', async () => {
    sandbox.file('.env', 'SECRET-ENV');
    sandbox.file('.ssh/id_ed25519', 'SECRET-KEY');
    sandbox.file('certs/server.pem', 'SECRET-PEM');
    sandbox.symlink('.env', 'harmless.txt');
    for (const name of ['.env', '.ssh/id_ed25519', 'certs/server.pem', 'harmless.txt']) {
      const message = await refused(url(join(sandbox.root, name)));
      expect(message, name).toMatch(/is a protected file/);
      expect(message).not.toContain('SECRET-');
    }
  });

  it('refuses a hard-linked file unless --allow-hardlinks', async () => {
    const hard = sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hard.txt');
    expect(await refused(url(hard))).toMatch(/has 2 hard links/);
    await reopen(['--allow-hardlinks']);
    expect((await read(url(hard))).contents).toMatchObject([{ text: 'OUTSIDE-SECRET\n' }]);
    expect((await fs.client.listResources()).resources.map((resource) => resource.uri)).toContain(url(hard));
  });
});
