import { fileResource } from './file-resource.js';

/** file:// resources for files inside the allowed directories. */
export const fileResources = [fileResource];
