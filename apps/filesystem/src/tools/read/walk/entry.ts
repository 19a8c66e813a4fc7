import type { Dirent } from 'node:fs';

/** What a walked entry is, from its directory listing; a symbolic link is never followed. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export const ENTRY_TYPES = ['file', 'directory', 'symlink', 'other'] as const;

export function entryType(dirent: Dirent): EntryType {
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'directory';
  if (dirent.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Orders names by UTF-16 code units: cheap, locale-independent and stable across calls. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
