// The read-only query policy: parse with the real PostgreSQL parser, allow one SELECT, VALUES,
// TABLE, EXPLAIN of those, or SHOW, then check every function and operator against the catalog.
export { ensureParser, isParserReady, parseSql, type ParsedSql, type ParsedStatement } from './parser.js';
export { checkQuery, type CheckQueryOptions } from './policy.js';
export {
  checkFunctions,
  checkOperators,
  type CheckCallsOptions,
  DENIED_FUNCTIONS,
  deniedGroup,
  isSafeVolatile,
  TABLESAMPLE_METHODS,
  VOLATILE_BUT_SAFE,
  VOLATILE_BUT_SAFE_PREFIXES,
  type DeniedGroup,
  type SafeVolatile,
} from './functions.js';
export { checkConversions } from './conversions.js';
export { checkRelations } from './relations.js';
export { createCatalogCache, createFunctionCatalog, CONVERSIONS_SQL, FUNCTIONS_SQL, OPERATORS_SQL, RELATION_BODIES_SQL, type CatalogCache, type CatalogOptions, type CatalogQuery } from './catalog.js';
export { EXPLAIN_OPTIONS } from './explain.js';
export * from './types.js';
