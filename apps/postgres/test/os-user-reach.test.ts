import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstBlockedDirectory, formatMode } from '../src/demo/os-user-reach.js';

describe('firstBlockedDirectory', () => {
  let base: string;
  let owner: { uid: number; gid: number };
  const stranger = { uid: 4_000_123, groups: [4_000_123] };
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'bastion-reach-'));
    await chmod(base, 0o755);
    await mkdir(join(base, 'private', 'inner'), { recursive: true });
    await chmod(join(base, 'private'), 0o700);
    await writeFile(join(base, 'private', 'inner', 'initdb'), '');
    await mkdir(join(base, 'group-only'), { mode: 0o750 });
    await chmod(join(base, 'group-only'), 0o750);
    const info = await stat(base);
    owner = { uid: info.uid, gid: info.gid };
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('names the first directory on the way that another user may not enter, with its mode', async () => {
    const blocked = await firstBlockedDirectory(join(base, 'private', 'inner', 'initdb'), stranger);
    expect(blocked).toEqual({ directory: join(base, 'private'), mode: 0o700 });
    expect(formatMode(blocked!.mode)).toBe('700');
    expect(await firstBlockedDirectory(join(base, 'private'), undefined)).toEqual({ directory: join(base, 'private'), mode: 0o700 });
  });

  it('lets the owner, a member of the group, and anyone through directories whose bits allow it', async () => {
    expect(await firstBlockedDirectory(join(base, 'private', 'inner'), { uid: owner.uid, groups: [] })).toBeUndefined();
    expect(await firstBlockedDirectory(join(base, 'group-only'), { uid: stranger.uid, groups: [owner.gid] })).toBeUndefined();
    expect(await firstBlockedDirectory(join(base, 'group-only'), stranger)).toEqual({ directory: join(base, 'group-only'), mode: 0o750 });
    expect(await firstBlockedDirectory(base, stranger)).toBeUndefined();
  });

  it('leaves a path that does not exist to whatever uses it', async () => {
    expect(await firstBlockedDirectory(join(base, 'missing', 'deeper'), stranger)).toBeUndefined();
  });
});
