import { query } from './query.js';
import { sampleRows } from './sample-rows.js';

export const dataTools = [query, sampleRows];
