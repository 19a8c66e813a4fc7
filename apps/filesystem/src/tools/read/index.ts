import { fileTools } from './file-tools.js';
import { walkTools } from './walk-tools.js';

/** The read-only tools, in the order tools/list shows them. */
export const readTools = [...fileTools, ...walkTools];
