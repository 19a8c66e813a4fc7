import { writeFile } from './write-file.js';

/** The tools that change files; offered only with --write (delete_path also needs --allow-delete). */
export const writeTools = [writeFile];
