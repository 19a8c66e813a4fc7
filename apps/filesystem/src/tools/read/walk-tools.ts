/** Tools that list and search directories. */
export const walkTools = [];
