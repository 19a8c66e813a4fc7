import { appendFile } from './append-file.js';
import { copyFile } from './copy-file.js';
import { createDirectory } from './create-directory.js';
import { deletePath } from './delete-path.js';
import { editFile } from './edit-file.js';
import { moveFile } from './move-file.js';
import { writeFile } from './write-file.js';

/** The tools that change files; offered only with --write (delete_path also needs --allow-delete). */
export const writeTools = [writeFile, appendFile, editFile, createDirectory, copyFile, moveFile, deletePath];
