import { directoryTree } from './directory-tree.js';
import { grepFiles } from './grep-files.js';
import { listDirectory } from './list-directory.js';
import { searchFiles } from './search-files.js';

/** Tools that list and search directories. */
export const walkTools = [listDirectory, directoryTree, searchFiles, grepFiles];
