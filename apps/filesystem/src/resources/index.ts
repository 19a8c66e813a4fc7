/** file:// resources for files inside the allowed directories. */
export const fileResources = [];
