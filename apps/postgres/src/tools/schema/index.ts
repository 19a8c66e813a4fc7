import { listDatabases } from './list-databases.js';

export const schemaTools = [listDatabases];
