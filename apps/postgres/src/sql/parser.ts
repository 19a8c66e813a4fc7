// The real PostgreSQL parser (libpg_query, PostgreSQL 18, compiled to WASM), loaded on first use.
//
// The WASM instance is thrown away after any failure that is not an ordinary parse error: a
// query nested deeply enough overflows the WASM stack, and an instance that trapped once can
// return garbage or crash on the next query. ensureParser() then loads a fresh one, so callers
// await it before every check (it costs nothing while the instance is healthy).
import { createRequire } from 'node:module';
import { ToolError } from '@bastion-mcp/core';
import { forArgument } from './argument.js';
import { excerptAt, indexFromCodePoints, lineAndColumn } from './position.js';

/** One statement as libpg_query returns it: `stmt` is a wrapped node such as `{ SelectStmt: {…} }`. */
export interface ParsedStatement {
  readonly stmt?: Record<string, unknown>;
  /** Byte offset and length in the UTF-8 text. */
  readonly stmt_location?: number;
  readonly stmt_len?: number;
}

export interface ParsedSql {
  /** PostgreSQL version number of the grammar, e.g. 180004. */
  readonly version: number;
  readonly stmts: readonly ParsedStatement[];
}

interface LibPgQuery {
  loadModule(): Promise<void>;
  parseSync(sql: string): ParsedSql;
}

interface SqlErrorLike {
  name: string;
  message: string;
  sqlDetails?: { message: string; cursorPosition: number };
}

const require = createRequire(import.meta.url);
let instance: LibPgQuery | undefined;
let loading: Promise<void> | undefined;
/** An instance was discarded after a failure and the next one may still be loading. */
let discarded = false;

/** Loads the parser once (about 60–100 ms); later calls resolve at once unless the instance had to be discarded. */
export function ensureParser(): Promise<void> {
  if (instance) return Promise.resolve();
  loading ??= loadInstance().then(
    (loaded) => {
      instance = loaded;
      loading = undefined;
      discarded = false;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** Whether parseSql can run now (ensureParser resolved and nothing broke the instance since). */
export function isParserReady(): boolean {
  return instance !== undefined;
}

async function loadInstance(): Promise<LibPgQuery> {
  // The package instantiates its WASM module when its entry is first evaluated, so a fresh
  // evaluation (after dropping it from the require cache) is a fresh, independent instance.
  const entry = require.resolve('libpg-query');
  delete require.cache[entry];
  const lib = require(entry) as LibPgQuery;
  await lib.loadModule();
  return lib;
}

/**
 * Parses `sql` into libpg_query's JSON tree. Blank text gives no statements. A syntax error
 * becomes a ToolError with PostgreSQL's message, the line and column, and an excerpt.
 */
export function parseSql(sql: string, options: { readonly argument?: string } = {}): ParsedSql {
  try {
    return parse(sql);
  } catch (error) {
    throw forArgument(error, options.argument);
  }
}

function parse(sql: string): ParsedSql {
  if (typeof sql !== 'string') throw new ToolError('`sql` must be a string of SQL text.');
  const nul = sql.indexOf('\0');
  if (nul !== -1) {
    const { line, column } = lineAndColumn(sql, nul);
    throw new ToolError(`\`sql\` contains a NUL character (\\0) at line ${line}, column ${column}; remove it. SQL text cannot contain NUL.`);
  }
  if (sql.trim() === '') return { version: 0, stmts: [] };
  const lib = instance;
  if (!lib) {
    if (!discarded) throw new Error('The SQL parser is not loaded: await ensureParser() before parseSql().');
    // Another call broke the instance between this call's ensureParser() and now.
    void ensureParser().catch(() => undefined);
    throw new ToolError('`sql` could not be checked: the SQL parser is restarting after a failure. Retry the call.');
  }
  try {
    return lib.parseSync(sql);
  } catch (error) {
    if (isSqlError(error)) throw syntaxError(sql, error);
    // A trap inside the WASM module (stack overflow, out-of-bounds access) leaves it unusable.
    instance = undefined;
    discarded = true;
    if (error instanceof RangeError) throw tooDeep();
    throw error;
  }
}

function isSqlError(error: unknown): error is SqlErrorLike {
  return error instanceof Error && error.name === 'SqlError' && typeof (error as SqlErrorLike).sqlDetails === 'object';
}

function tooDeep(): ToolError {
  return new ToolError(
    '`sql` is nested too deeply to check (for example thousands of chained operators or nested parentheses). ' +
      'Simplify it: use IN (...) lists, arrays or a VALUES list instead of long operator chains, and fewer nesting levels.',
  );
}

function syntaxError(sql: string, error: SqlErrorLike): ToolError {
  const message = error.sqlDetails?.message ?? error.message;
  if (/^memory exhausted\b/.test(message)) return tooDeep();
  const index = errorIndex(sql, message, error.sqlDetails?.cursorPosition);
  if (index === undefined) return new ToolError(`\`sql\` has a syntax error: ${message}`);
  const { line, column } = lineAndColumn(sql, index);
  return new ToolError(`\`sql\` has a syntax error at line ${line}, column ${column}: ${message}\n${excerptAt(sql, index)}`);
}

/**
 * The string index of the error. libpg-query reports "no position" and "the first character"
 * both as 0, so 0 counts only when the token named in the message is really there.
 */
function errorIndex(sql: string, message: string, cursorPosition: number | undefined): number | undefined {
  if (typeof cursorPosition !== 'number' || cursorPosition < 0) return undefined;
  if (cursorPosition === 0) {
    const near = /at or near "(.*)"$/.exec(message)?.[1];
    return near !== undefined && sql.toLowerCase().startsWith(near.toLowerCase()) ? 0 : undefined;
  }
  return indexFromCodePoints(sql, cursorPosition);
}
