import { parse as parseArray } from 'postgres-array';

/**
 * How values of each type reach the caller. Everything must survive JSON without loss: numbers
 * only when exact, `numeric` and large `bigint` as text, dates and times as PostgreSQL writes them
 * (ISO 8601 with the session's zone), `bytea` as its hex text (`\x...`), json as JSON, arrays
 * as arrays. Types not listed arrive as PostgreSQL's text form.
 */
type Parser = (text: string) => unknown;

const asText: Parser = (text) => text;
const asBoolean: Parser = (text) => text === 't';
const asInteger: Parser = (text) => Number(text);
const asBigint: Parser = (text) => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
};
const asFloat: Parser = (text) => {
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
};
const asJson: Parser = (text) => JSON.parse(text) as unknown;

const SCALARS = new Map<number, Parser>([
  [16, asBoolean], // bool
  [20, asBigint], // int8
  [21, asInteger], // int2
  [23, asInteger], // int4
  [26, asInteger], // oid
  [700, asFloat], // float4
  [701, asFloat], // float8
  [114, asJson], // json
  [3802, asJson], // jsonb
]);

/** Array type oid -> element parser (text for element types not in SCALARS). */
const ARRAYS = new Map<number, Parser>([
  [1000, asBoolean],
  [1016, asBigint],
  [1005, asInteger],
  [1007, asInteger],
  [1028, asInteger],
  [1021, asFloat],
  [1022, asFloat],
  [199, asJson],
  [3807, asJson],
]);

/** Text-format arrays of every other built-in element type: the elements stay text. */
const TEXT_ARRAYS = new Set([
  1001, 1002, 1003, 1009, 1014, 1015, 1040, 1041, 1115, 1182, 1183, 1185, 1187, 1231, 1263, 1270, 2951, 651, 1017, 1018, 1019, 1020, 1027, 1034,
  3643, 3645, 3905, 3907, 3909, 3911, 3913, 3927, 4073, 4090, 2949, 2211, 1561, 1563,
]);

function arrayOf(element: Parser): Parser {
  return (text) => parseArray(text, (item) => element(item));
}

export function parserFor(oid: number): Parser {
  const scalar = SCALARS.get(oid);
  if (scalar) return scalar;
  const element = ARRAYS.get(oid);
  if (element) return arrayOf(element);
  if (TEXT_ARRAYS.has(oid)) return arrayOf(asText);
  return asText;
}

/** The `types` option of a pg query: our parsers for text results, raw buffers never expected. */
export const valueTypes = {
  getTypeParser(oid: number, format?: string): Parser {
    return format === 'binary' ? asText : parserFor(oid);
  },
};
