import { listAllowedDirectories } from './list-allowed-directories.js';
import { readTextFile } from './read-text-file.js';

/** Tools that read or describe single files. */
export const fileTools = [readTextFile, listAllowedDirectories];
