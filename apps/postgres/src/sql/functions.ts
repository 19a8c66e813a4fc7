// The function and operator policy: after checkQuery has collected every reference, each one is
// looked up as the caller's session would resolve it, and refused unless it is known, not a
// procedure, not denied, and every candidate it could resolve to is read-only (IMMUTABLE or
// STABLE, or the genuine harmless volatile function it is named after). Unknown names fail closed.
import { ToolError } from '@bastion-mcp/core';
import { forArgument } from './argument.js';
import { checkQuery } from './policy.js';
import { deniedGroup, TABLESAMPLE_METHODS, type DeniedGroup } from './denied-functions.js';
import { isSafeVolatile, VOLATILE_BUT_SAFE, VOLATILE_BUT_SAFE_PREFIXES } from './safe-volatile-functions.js';
import { candidatesFor, displayName, type CatalogFunction, type CatalogOperator, type FunctionCatalog, type FunctionRef, type OperatorRef } from './types.js';

export { DENIED_FUNCTIONS, TABLESAMPLE_METHODS, deniedGroup, type DeniedGroup } from './denied-functions.js';
export { VOLATILE_BUT_SAFE, VOLATILE_BUT_SAFE_PREFIXES, isSafeVolatile, type SafeVolatile } from './safe-volatile-functions.js';

const READ_ONLY_RULE =
  'Only read-only functions may be called: IMMUTABLE or STABLE ones, plus a few harmless volatile ones such as random(), clock_timestamp() and pg_total_relation_size().';

export interface CheckCallsOptions {
  /** The tool argument that holds the SQL, named in every message. Default `sql`. */
  readonly argument?: string;
}

/** Refuses the first function reference that is denied, unknown, a procedure or possibly volatile. */
export async function checkFunctions(
  functions: readonly FunctionRef[],
  catalog: Pick<FunctionCatalog, 'functions'>,
  options: CheckCallsOptions = {},
): Promise<void> {
  try {
    await checkAllFunctions(functions, catalog);
  } catch (error) {
    throw forArgument(error, options.argument);
  }
}

/** How deep argument defaults that call functions with defaults of their own are followed before the query is refused. */
const MAX_DEFAULTS_DEPTH = 4;

async function checkAllFunctions(functions: readonly FunctionRef[], catalog: Pick<FunctionCatalog, 'functions'>, depth = 0): Promise<void> {
  for (const ref of functions) {
    // A column-syntax name is a call only when a function of that name exists: the catalog decides.
    if (ref.columnSyntax !== undefined) continue;
    const denied = deniedGroup(ref);
    if (denied) throw deniedError(ref, denied);
    if (ref.tablesample && !TABLESAMPLE_METHODS.has(ref.name)) throw tablesampleError(ref);
  }
  if (functions.length === 0) return;
  const rows = await catalog.functions(functions);
  for (const ref of functions) {
    if (ref.columnSyntax !== undefined) checkColumnSyntax(ref, ref.columnSyntax, candidatesFor(ref, rows));
    else checkFunction(ref, candidatesFor(ref, rows));
  }
  for (const ref of functions) {
    const candidates = candidatesFor(ref, rows).filter((row) => ref.columnSyntax === undefined || row.oneArgument !== false);
    for (const defaults of new Set(candidates.flatMap((row) => (row.defaults ? [row.defaults] : [])))) {
      await checkDefaults(ref, defaults, catalog, depth);
    }
  }
}

/**
 * A call that leaves out arguments gets their defaults, expressions PostgreSQL inserts into the
 * call: whatever they call runs too, so they are held to the same rules.
 */
async function checkDefaults(ref: FunctionRef, defaults: string, catalog: Pick<FunctionCatalog, 'functions'>, depth: number): Promise<void> {
  const called = `\`sql\` calls ${displayName(ref)}()`;
  if (depth >= MAX_DEFAULTS_DEPTH) {
    throw new ToolError(`${called}, whose argument defaults call functions with defaults nested too deeply to check, so it is refused. Pass every argument explicitly, or call another function.`);
  }
  try {
    const inner = checkQuery(`select ${defaults}`);
    await checkAllFunctions(inner.functions.filter((call) => call.columnSyntax === undefined), catalog, depth + 1);
  } catch (error) {
    if (!ToolError.isInstance(error)) throw error;
    throw new ToolError(`${called}, whose argument defaults (${defaults.slice(0, 200)}) run whenever an argument is left out, and that default ${error.message.replace(/^`sql` /, '')}`);
  }
}

/**
 * `t.f` or `(expr).f`: with no function f that takes one argument it can only be a column (or
 * PostgreSQL's own error). Otherwise it may be the call f(t), held to the rules of f(t) itself:
 * the check cannot tell whether the row has a column f, so it assumes the call.
 */
function checkColumnSyntax(ref: FunctionRef, written: string, rows: readonly CatalogFunction[]): void {
  const candidates = rows.filter((row) => row.oneArgument !== false);
  if (candidates.length === 0) return;
  const name = displayName(ref);
  const reading = `\`sql\` uses ${written}, which PostgreSQL reads as the call ${name}(…) with the row as argument when there is no column ${name}`;
  const instead =
    `If ${name} is a column, refer to it without the qualifier (select ${name} from …); ` +
    `if you meant the function and it is allowed, call it with function syntax: ${name}(…).`;
  for (const candidate of candidates) {
    const denied = deniedGroup(candidate);
    if (denied) throw new ToolError(`${reading}; ${qualified(candidate)} ${denied.reason}, so it is refused. ${denied.instead} ${instead}`);
  }
  const procedure = candidates.find((candidate) => candidate.kind === 'p');
  if (procedure) throw new ToolError(`${reading}; ${qualified(procedure)} is a procedure, so it is refused. ${instead}`);
  const volatile = candidates.filter((candidate) => candidate.volatility === 'v' && !isSafeVolatile(candidate));
  if (volatile.length > 0) {
    throw new ToolError(
      `${reading}; ${volatile.map(qualified).join(', ')} is VOLATILE (it may change data or session state), so it is refused. ${instead} ${READ_ONLY_RULE}`,
    );
  }
}

function checkFunction(ref: FunctionRef, candidates: readonly CatalogFunction[]): void {
  if (candidates.length === 0) {
    if (ref.tablesample) throw tablesampleError(ref);
    throw new ToolError(
      `\`sql\` calls function ${displayName(ref)}(), which does not exist ${where(ref)}; functions that cannot be found are refused. ` +
        'Check the spelling, or qualify the name with its schema (schema.function()).',
    );
  }
  for (const candidate of candidates) {
    const denied = deniedGroup(candidate);
    if (denied) throw deniedError(ref, denied, candidate);
  }
  if (ref.tablesample) return; // A known sampling method that exists: it only chooses rows.
  const procedure = candidates.find((candidate) => candidate.kind === 'p');
  if (procedure) {
    throw new ToolError(
      `\`sql\` calls ${displayName(ref)}(), which is a procedure (${qualified(procedure)}); procedures run only with CALL, which is not allowed. ${READ_ONLY_RULE}`,
    );
  }
  const volatile = candidates.filter((candidate) => candidate.volatility === 'v' && !isSafeVolatile(candidate));
  if (volatile.length > 0) throw volatileError(ref, candidates, volatile);
}

function where(ref: { readonly schema?: string }): string {
  return ref.schema === undefined ? 'in the search path' : `in schema ${displayName({ name: ref.schema })}`;
}

function qualified(row: { readonly schema: string; readonly name: string }): string {
  return displayName({ schema: row.schema, name: row.name });
}

function deniedError(ref: FunctionRef, group: DeniedGroup, candidate?: CatalogFunction): ToolError {
  const resolved = candidate && (ref.schema !== candidate.schema || ref.name !== candidate.name) ? ` (${qualified(candidate)})` : '';
  return new ToolError(`\`sql\` calls ${displayName(ref)}()${resolved}, which ${group.reason}; it is never allowed on this server. ${group.instead}`);
}

function tablesampleError(ref: FunctionRef): ToolError {
  return new ToolError(
    `\`sql\` uses TABLESAMPLE method ${displayName(ref)}, which is not allowed here. Use TABLESAMPLE SYSTEM (percent) or BERNOULLI (percent), ` +
      'or SYSTEM_ROWS (n) / SYSTEM_TIME (ms) where those extensions are installed.',
  );
}

function volatileError(ref: FunctionRef, candidates: readonly CatalogFunction[], volatile: readonly CatalogFunction[]): ToolError {
  const named = volatile.map(qualified).join(', ');
  const safeName = Object.hasOwn(VOLATILE_BUT_SAFE, ref.name) || Object.keys(VOLATILE_BUT_SAFE_PREFIXES).some((prefix) => ref.name.startsWith(prefix));
  if (safeName && ref.schema === undefined && candidates.some((candidate) => isSafeVolatile(candidate))) {
    return new ToolError(
      `\`sql\` calls ${displayName(ref)}(), and besides the harmless built-in one there is a volatile function of that name on the search path (${named}) that the call could resolve to. ` +
        `Qualify the call with the built-in's schema, e.g. pg_catalog.${displayName(ref)}(), or use another function.`,
    );
  }
  return new ToolError(
    `\`sql\` calls ${displayName(ref)}(), which is VOLATILE (${named}): a volatile function may change data or session state, so it is refused. ${READ_ONLY_RULE}`,
  );
}

/** Refuses the first operator that is unknown or whose function is volatile. */
export async function checkOperators(
  operators: readonly OperatorRef[],
  catalog: Pick<FunctionCatalog, 'operators'>,
  options: CheckCallsOptions = {},
): Promise<void> {
  if (operators.length === 0) return;
  try {
    const rows = await catalog.operators(operators);
    for (const ref of operators) checkOperator(ref, candidatesFor(ref, rows));
  } catch (error) {
    throw forArgument(error, options.argument);
  }
}

function operatorName(ref: OperatorRef): string {
  return ref.schema === undefined ? ref.name : `OPERATOR(${displayName({ name: ref.schema })}.${ref.name})`;
}

function checkOperator(ref: OperatorRef, candidates: readonly CatalogOperator[]): void {
  if (candidates.length === 0) {
    throw new ToolError(
      `\`sql\` uses operator ${operatorName(ref)}, which does not exist ${where(ref)}; operators that cannot be found are refused. Check the operator, or use a function instead.`,
    );
  }
  const volatile = candidates.filter((candidate) => candidate.volatility === 'v');
  if (volatile.length > 0) {
    const named = volatile.map((row) => `${displayName({ name: row.schema })}.${row.name}`).join(', ');
    throw new ToolError(
      `\`sql\` uses operator ${operatorName(ref)}, whose function is VOLATILE (${named}): it may change data or session state, so it is refused. Only operators backed by IMMUTABLE or STABLE functions may be used.`,
    );
  }
}
