import { query } from './query.js';

export const dataTools = [query];
