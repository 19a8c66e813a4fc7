// The real FunctionCatalog: pg_proc and pg_operator as the caller's session sees them, with a
// small per-instance cache. Keep one catalog per database pool (every session of a pool has the
// same role, so the same search path and the same visible schemas).
import { candidatesFor, refKey, type CatalogConversion, type CatalogFunction, type CatalogOperator, type CatalogRelationBody, type ConversionCatalog, type FunctionCatalog, type RelationCatalog, type RelationRef, type FunctionRef, type OperatorRef, type Volatility } from './types.js';

/** Runs one parameterised statement (the pool's or a session's query). */
export type CatalogQuery = (text: string, values: unknown[]) => Promise<{ rows: any[] }>;

export interface CatalogOptions {
  /** How long an answer is reused, in milliseconds. Default 60 000. */
  readonly ttlMs?: number;
  /** Names remembered at most, per kind (functions, operators); the oldest go first. Default 10 000. */
  readonly maxEntries?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/**
 * $1: every name asked for; $2: the schemas of the qualified ones. An aggregate is as volatile as
 * the strictest of the functions it runs (CREATE AGGREGATE marks the aggregate itself immutable,
 * whatever its transition and final functions are). Unqualified names resolve in
 * current_schemas(true), the effective search path including pg_catalog and only schemas the role
 * may use, exactly where PostgreSQL looks for them.
 */
export const FUNCTIONS_SQL = `select n.nspname as schema, p.proname as name, p.prokind as kind,
       case when p.prokind <> 'a' then p.provolatile::text
            else (select case when pg_catalog.bool_or(f.provolatile not in ('i', 's')) then 'v'
                              when pg_catalog.bool_or(f.provolatile = 's') then 's'
                              when pg_catalog.bool_and(f.provolatile = 'i') then 'i' else 'v' end
                    from pg_catalog.pg_aggregate a
                    join pg_catalog.pg_proc f
                      on f.oid = p.oid or f.oid in (a.aggtransfn::pg_catalog.oid, a.aggfinalfn::pg_catalog.oid, a.aggcombinefn::pg_catalog.oid,
                         a.aggserialfn::pg_catalog.oid, a.aggdeserialfn::pg_catalog.oid, a.aggmtransfn::pg_catalog.oid,
                         a.aggminvtransfn::pg_catalog.oid, a.aggmfinalfn::pg_catalog.oid)
                   where a.aggfnoid = p.oid)
       end as volatility,
       e.extname as extension, n.nspname = any (pg_catalog.current_schemas(true)) as on_search_path,
       p.pronargs >= 1 and (p.pronargs - p.pronargdefaults <= 1 or p.provariadic <> 0) as one_argument,
       pg_catalog.pg_get_expr(p.proargdefaults, 0) as defaults
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  left join pg_catalog.pg_depend d
    on d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and d.objid = p.oid
   and d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass and d.deptype = 'e'
  left join pg_catalog.pg_extension e on e.oid = d.refobjid
 where p.proname = any ($1::pg_catalog.name[])
   and (n.nspname = any (pg_catalog.current_schemas(true)) or n.nspname = any ($2::pg_catalog.name[]))`;

/** Operators with the volatility of the function that implements them (oprcode). */
export const OPERATORS_SQL = `select n.nspname as schema, o.oprname as name, p.provolatile as volatility,
       n.nspname = any (pg_catalog.current_schemas(true)) as on_search_path
  from pg_catalog.pg_operator o
  join pg_catalog.pg_namespace n on n.oid = o.oprnamespace
  join pg_catalog.pg_proc p on p.oid = o.oprcode::pg_catalog.oid
 where o.oprname = any ($1::pg_catalog.name[])
   and (n.nspname = any (pg_catalog.current_schemas(true)) or n.nspname = any ($2::pg_catalog.name[]))`;

/**
 * Conversions that run a volatile function without the query naming it: casts with a function
 * (casts are not in schemas: every one applies), and domains whose constraints call a function,
 * directly or through an operator. Anything but immutable or stable counts as volatile.
 */
export const CONVERSIONS_SQL = `select 'cast' as kind,
       pg_catalog.format('%s AS %s', c.castsource::pg_catalog.regtype, c.casttarget::pg_catalog.regtype) as what,
       c.castcontext::text as context, n.nspname as schema, p.proname as name, e.extname as extension,
       pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as signature
  from pg_catalog.pg_cast c
  join pg_catalog.pg_proc p on p.oid = c.castfunc
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  left join pg_catalog.pg_depend x
    on x.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and x.objid = p.oid
   and x.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass and x.deptype = 'e'
  left join pg_catalog.pg_extension e on e.oid = x.refobjid
 where p.provolatile not in ('i', 's')
union all
select 'domain', k.contypid::pg_catalog.regtype::text, 'i', n.nspname, p.proname, e.extname,
       pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))
  from pg_catalog.pg_constraint k
  join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass and d.objid = k.oid
  left join pg_catalog.pg_operator o on d.refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass and o.oid = d.refobjid
  join pg_catalog.pg_proc p
    on (d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass and p.oid = d.refobjid) or p.oid = o.oprcode::pg_catalog.oid
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  left join pg_catalog.pg_depend x
    on x.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and x.objid = p.oid
   and x.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass and x.deptype = 'e'
  left join pg_catalog.pg_extension e on e.oid = x.refobjid
 where k.contypid <> 0 and p.provolatile not in ('i', 's')`;

/**
 * What reading each named relation runs besides the query: the definitions of the views it is or
 * reads (at any depth), and the USING expressions of the row-level security policies of the
 * tables those read, as text to check like the query. Function dependencies cannot be read from
 * pg_depend (built-in functions are pinned and not recorded there), relation ones can. Only views
 * run their definition when read (a materialized view does not); the system schemas are trusted.
 * $1: every name; $2: the schemas of the qualified ones, as in FUNCTIONS_SQL.
 */
export const RELATION_BODIES_SQL = `with recursive roots as (
  select c.oid, n.nspname as schema, c.relname as name, n.nspname = any (pg_catalog.current_schemas(true)) as on_search_path
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where c.relname = any ($1::pg_catalog.name[])
     and (n.nspname = any (pg_catalog.current_schemas(true)) or n.nspname = any ($2::pg_catalog.name[]))
), reached(root, rel) as (
  select oid, oid from roots
  union
  select r.root, d.refobjid
    from reached r
    join pg_catalog.pg_class v on v.oid = r.rel and v.relkind = 'v'
    join pg_catalog.pg_rewrite w on w.ev_class = r.rel
    join pg_catalog.pg_depend d
      on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass and d.objid = w.oid
     and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.refobjid <> r.rel
)
select ro.schema, ro.name, ro.on_search_path, b.via, pg_catalog.format('%I.%I', cn.nspname, c.relname) as relation,
       r.rel = ro.oid as own, b.body
  from roots ro
  join reached r on r.root = ro.oid
  join pg_catalog.pg_class c on c.oid = r.rel
  join pg_catalog.pg_namespace cn on cn.oid = c.relnamespace
  cross join lateral (
    select 'view' as via, pg_catalog.pg_get_viewdef(c.oid) as body where c.relkind = 'v'
    union all
    select 'policy', 'select ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid)
      from pg_catalog.pg_policy p where p.polrelid = c.oid and c.relrowsecurity and p.polqual is not null
  ) b
 where cn.nspname not in ('pg_catalog', 'information_schema')
 order by 1, 2, 5, 4`;

/**
 * Cached answers shared by every session of a pool (the same role, so the same search path);
 * `bind` gives a catalog that asks through one session, the one whose transaction is running.
 */
export interface CatalogCache {
  bind(run: CatalogQuery): FunctionCatalog & ConversionCatalog & RelationCatalog;
}

export function createCatalogCache(options: CatalogOptions = {}): CatalogCache {
  const functions = new CachedLookup<CatalogFunction>(FUNCTIONS_SQL, toFunction, options);
  const operators = new CachedLookup<CatalogOperator>(OPERATORS_SQL, toOperator, options);
  const conversions = new CachedList<CatalogConversion>(CONVERSIONS_SQL, toConversion, options);
  const relationBodies = new CachedLookup<CatalogRelationBody>(RELATION_BODIES_SQL, toRelationBody, options);
  return {
    bind: (run) => ({
      functions: (refs: readonly FunctionRef[]) => functions.lookup(refs, run),
      operators: (refs: readonly OperatorRef[]) => operators.lookup(refs, run),
      conversions: () => conversions.list(run),
      relationBodies: (refs: readonly RelationRef[]) => relationBodies.lookup(refs, run),
    }),
  };
}

export function createFunctionCatalog(run: CatalogQuery, options: CatalogOptions = {}): FunctionCatalog & ConversionCatalog & RelationCatalog {
  return createCatalogCache(options).bind(run);
}

/** One query's whole answer, reused for the cache's lifetime. */
class CachedList<R> {
  #cached: { rows: readonly R[]; expires: number } | undefined;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(
    private readonly text: string,
    private readonly toRow: (raw: Record<string, unknown>) => R,
    options: CatalogOptions,
  ) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  async list(run: CatalogQuery): Promise<readonly R[]> {
    if (this.#cached && this.#cached.expires > this.#now()) return this.#cached.rows;
    const result = await run(this.text, []);
    const rows = result.rows.map((raw) => this.toRow(raw as Record<string, unknown>));
    this.#cached = { rows, expires: this.#now() + this.#ttlMs };
    return rows;
  }
}

type Ref = { readonly schema?: string; readonly name: string };
type Row = { schema: string; name: string; onSearchPath: boolean };

class CachedLookup<R extends Row> {
  readonly #cache = new Map<string, { rows: readonly R[]; expires: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(
    private readonly text: string,
    private readonly toRow: (raw: Record<string, unknown>) => R,
    options: CatalogOptions,
  ) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async lookup(refs: readonly Ref[], run: CatalogQuery): Promise<readonly R[]> {
    const now = this.#now();
    const found: R[] = [];
    const missing = new Map<string, Ref>();
    for (const ref of refs) {
      const key = refKey(ref);
      const cached = this.#cache.get(key);
      if (cached && cached.expires > now) found.push(...cached.rows);
      else missing.set(key, { ...(ref.schema === undefined ? {} : { schema: ref.schema }), name: ref.name });
    }
    if (missing.size === 0) return found;
    const wanted = [...missing.values()];
    const names = [...new Set(wanted.map((ref) => ref.name))];
    const schemas = [...new Set(wanted.flatMap((ref) => (ref.schema === undefined ? [] : [ref.schema])))];
    const result = await run(this.text, [names, schemas]);
    const rows = result.rows.map((raw) => this.toRow(raw as Record<string, unknown>));
    const expires = this.#now() + this.#ttlMs;
    for (const [key, ref] of missing) {
      const own = candidatesFor(ref, rows);
      this.#remember(key, own, expires);
      found.push(...own);
    }
    return found;
  }

  #remember(key: string, rows: readonly R[], expires: number): void {
    this.#cache.delete(key);
    this.#cache.set(key, { rows, expires });
    while (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}

function volatility(value: unknown): Volatility {
  // Anything unexpected counts as volatile: fail closed.
  return value === 'i' || value === 's' ? value : 'v';
}

function toFunction(raw: Record<string, unknown>): CatalogFunction {
  // An unexpected kind counts as a procedure: refused.
  const kind = raw.kind === 'f' || raw.kind === 'a' || raw.kind === 'w' ? raw.kind : 'p';
  return {
    schema: String(raw.schema),
    name: String(raw.name),
    volatility: volatility(raw.volatility),
    kind,
    extension: typeof raw.extension === 'string' ? raw.extension : null,
    onSearchPath: raw.on_search_path === true,
    oneArgument: raw.one_argument !== false,
    defaults: typeof raw.defaults === 'string' ? raw.defaults : null,
  };
}

function toOperator(raw: Record<string, unknown>): CatalogOperator {
  return {
    schema: String(raw.schema),
    name: String(raw.name),
    volatility: volatility(raw.volatility),
    onSearchPath: raw.on_search_path === true,
  };
}

function toConversion(raw: Record<string, unknown>): CatalogConversion {
  // An unexpected context counts as implicit: the strictest rule applies.
  const context = raw.context === 'e' || raw.context === 'a' ? raw.context : 'i';
  return {
    kind: raw.kind === 'cast' ? 'cast' : 'domain',
    what: String(raw.what),
    context,
    schema: String(raw.schema),
    name: String(raw.name),
    extension: typeof raw.extension === 'string' ? raw.extension : null,
    signature: String(raw.signature),
  };
}

function toRelationBody(raw: Record<string, unknown>): CatalogRelationBody {
  return {
    schema: String(raw.schema),
    name: String(raw.name),
    onSearchPath: raw.on_search_path === true,
    via: raw.via === 'policy' ? 'policy' : 'view',
    relation: String(raw.relation),
    own: raw.own === true,
    body: typeof raw.body === 'string' ? raw.body : '',
  };
}
