// Whether another OS user can reach a path: every directory on the way must let that user search it.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface OsIdentity {
  uid: number;
  /** The primary and supplementary groups. */
  groups: readonly number[];
}

export interface BlockedDirectory {
  directory: string;
  /** Permission bits, e.g. 0o700. */
  mode: number;
}

/**
 * The first directory on the way to path (path included) that the user may not enter, or
 * undefined when none blocks it. Without an identity (a user not created yet) only the bits for
 * other users count. ACLs are not read.
 */
export async function firstBlockedDirectory(path: string, user: OsIdentity | undefined): Promise<BlockedDirectory | undefined> {
  const chain: string[] = [];
  for (let directory = resolve(path); ; directory = dirname(directory)) {
    chain.unshift(directory);
    if (dirname(directory) === directory) break;
  }
  for (const directory of chain) {
    const info = await stat(directory).catch(() => undefined);
    // A missing step is reported by whatever uses the path; a file at the end needs no search bit.
    if (!info?.isDirectory()) return undefined;
    if (!maySearch(info, user)) return { directory, mode: info.mode & 0o7777 };
  }
  return undefined;
}

function maySearch(info: { uid: number; gid: number; mode: number }, user: OsIdentity | undefined): boolean {
  if (user?.uid === 0) return true;
  if (user !== undefined && info.uid === user.uid) return (info.mode & 0o100) !== 0;
  if (user?.groups.includes(info.gid)) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/** Octal permission bits as ls and chmod show them, e.g. "700". */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(3, '0');
}
