// The shapes shared by the query policy (policy.ts), the function policy (functions.ts) and the
// catalog (catalog.ts).

/**
 * A function the query calls, named as the parser folded it (unquoted names lowercased, quoted
 * names kept as written). `schema` is set when the query qualified the name (`pg_catalog.lower`),
 * including the qualification the parser adds itself for special syntax (EXTRACT, TRIM, …).
 */
export interface FunctionRef {
  readonly schema?: string;
  readonly name: string;
  /** A TABLESAMPLE method (`TABLESAMPLE system (10)`) rather than a called function. */
  readonly tablesample?: true;
  /**
   * Written with column syntax (`t.f`, `s.t.f`, `(expr).f`), as it appears in the query.
   * PostgreSQL reads it as the call f(t) when t has no column f, resolving f in the search path
   * among functions that take one argument; when there is no such function it is a column.
   */
  readonly columnSyntax?: string;
}

/** An operator the query uses (`->>`, `OPERATOR(pg_catalog.=)`), including those implied by syntax (BETWEEN, IN, LIKE…). */
export interface OperatorRef {
  readonly schema?: string;
  readonly name: string;
}

export type QueryKind = 'select' | 'explain' | 'show';

export interface ExplainInfo {
  /** EXPLAIN ANALYZE: the query is executed, not just planned. */
  readonly analyze: boolean;
  /** Every option given, lowercased, as written (`analyze`, `buffers`, `format`…). */
  readonly options: readonly string[];
}

/** A query that passed the statement and node policy; its functions and operators still need checkFunctions/checkOperators. */
export interface CheckedQuery {
  readonly kind: QueryKind;
  /** The top-level node as the parser gave it, wrapped: `{ SelectStmt: {…} }`, `{ ExplainStmt: {…} }` or `{ VariableShowStmt: {…} }`. */
  readonly statement: unknown;
  /** Every distinct function reference, in order of first appearance. */
  readonly functions: readonly FunctionRef[];
  /** Every distinct operator reference, in order of first appearance. */
  readonly operators: readonly OperatorRef[];
  /** Every distinct table, view or CTE name read (RangeVar), in order of first appearance. */
  readonly relations?: readonly RelationRef[];
  /** The query names a type (`::t`, CAST, RETURNING t…), so it may convert values explicitly. Unknown counts as yes. */
  readonly converts?: boolean;
  readonly explain?: ExplainInfo;
}

export type Volatility = 'i' | 's' | 'v';

/** One pg_proc row that a FunctionRef could resolve to. */
export interface CatalogFunction {
  readonly schema: string;
  readonly name: string;
  /** pg_proc.provolatile: immutable, stable, volatile. */
  readonly volatility: Volatility;
  /** pg_proc.prokind: function, aggregate, window function, procedure. */
  readonly kind: 'f' | 'a' | 'w' | 'p';
  /** The extension that owns the function (pg_depend deptype 'e'), or null for built-ins and user functions. */
  readonly extension: string | null;
  /** Its schema is in current_schemas(true), so an unqualified call can resolve to it. */
  readonly onSearchPath: boolean;
  /** It can be called with a single argument, so column syntax can reach it. Unknown counts as yes. */
  readonly oneArgument?: boolean;
  /** Its argument defaults as SQL (`1, public.f()`), when it has any: a call that leaves those arguments out runs them. */
  readonly defaults?: string | null;
}

/** One pg_operator row that an OperatorRef could resolve to. */
export interface CatalogOperator {
  readonly schema: string;
  readonly name: string;
  /** The volatility of the operator's function (oprcode). */
  readonly volatility: Volatility;
  readonly onSearchPath: boolean;
}

/**
 * A conversion PostgreSQL may run without the query calling a function by name, whose function
 * is volatile: a cast with a function (pg_cast), or a domain whose constraint calls one.
 */
export interface CatalogConversion {
  readonly kind: 'cast' | 'domain';
  /** `text AS public.boxed` for a cast, the domain's name for a domain. */
  readonly what: string;
  /** pg_cast.castcontext: explicit only, assignment, implicit (a domain counts as implicit). */
  readonly context: 'e' | 'a' | 'i';
  /** The volatile function, as in pg_proc. */
  readonly schema: string;
  readonly name: string;
  readonly extension: string | null;
  /** The function with its argument types, for messages. */
  readonly signature: string;
}

/** A relation the query reads, named as the parser folded it; `schema` when qualified. */
export interface RelationRef {
  readonly schema?: string;
  readonly name: string;
}

/**
 * SQL that reading a relation runs without the query naming it: the definition of a view (the
 * relation itself or one it reads, at any depth), or a row-level security policy's USING
 * expression (as `select <expression>`) of a table it is or reads.
 */
export interface CatalogRelationBody {
  /** The relation the query names, as found in the catalog. */
  readonly schema: string;
  readonly name: string;
  readonly onSearchPath: boolean;
  readonly via: 'view' | 'policy';
  /** The view or table the body belongs to, qualified and quoted. */
  readonly relation: string;
  /** The body is the named relation's own, not that of a view it reads. */
  readonly own: boolean;
  readonly body: string;
}

export interface RelationCatalog {
  relationBodies(refs: readonly RelationRef[]): Promise<readonly CatalogRelationBody[]>;
}

export interface ConversionCatalog {
  conversions(): Promise<readonly CatalogConversion[]>;
}

/**
 * What the database says about names, as the caller's session sees them. For an unqualified
 * reference it returns every candidate in current_schemas(true) (onSearchPath true); for a
 * qualified one, every candidate in that schema. It may return more rows than asked for; the
 * checks pick the candidates of each reference with candidatesFor().
 */
export interface FunctionCatalog {
  functions(refs: readonly FunctionRef[]): Promise<readonly CatalogFunction[]>;
  operators(refs: readonly OperatorRef[]): Promise<readonly CatalogOperator[]>;
}

/** The rows a reference can resolve to: same name, and either its schema or (unqualified) one on the search path. */
export function candidatesFor<Row extends { schema: string; name: string; onSearchPath: boolean }>(
  ref: { readonly schema?: string; readonly name: string },
  rows: readonly Row[],
): Row[] {
  return rows.filter((row) => row.name === ref.name && (ref.schema === undefined ? row.onSearchPath : row.schema === ref.schema));
}

/** A stable key for a reference (dedupe, caches). */
export function refKey(ref: { readonly schema?: string; readonly name: string }): string {
  return JSON.stringify([ref.schema ?? null, ref.name]);
}

/** How a reference is shown to the caller: `pg_catalog.pg_sleep` or `pg_sleep`. */
export function displayName(ref: { readonly schema?: string; readonly name: string }): string {
  const part = (text: string) => (/^[a-z_][a-z0-9_$]*$/.test(text) ? text : `"${text.replace(/"/g, '""')}"`);
  return ref.schema === undefined ? part(ref.name) : `${part(ref.schema)}.${part(ref.name)}`;
}
