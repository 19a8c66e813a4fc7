// The one helper of node-postgres used here that its type declarations leave out: how it turns a
// JavaScript value into a parameter (arrays to array literals, dates, buffers, JSON), so that
// parameters bound by the exchange mean exactly what they mean to pg's own queries.
declare module 'pg/lib/utils.js' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
