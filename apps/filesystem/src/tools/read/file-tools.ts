import { getFileInfo } from './get-file-info.js';
import { listAllowedDirectories } from './list-allowed-directories.js';
import { readMediaFile } from './read-media-file.js';
import { readMultipleFiles } from './read-multiple-files.js';
import { readTextFile } from './read-text-file.js';

/** Tools that read or describe single files. */
export const fileTools = [readTextFile, listAllowedDirectories, readMediaFile, readMultipleFiles, getFileInfo];
