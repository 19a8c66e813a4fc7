/** Names of the common built-in types, so most results need no catalog lookup for their columns. */
const BUILT_IN = new Map<number, string>([
  [16, 'boolean'], [17, 'bytea'], [18, '"char"'], [19, 'name'], [20, 'bigint'], [21, 'smallint'], [23, 'integer'],
  [25, 'text'], [26, 'oid'], [114, 'json'], [142, 'xml'], [650, 'cidr'], [700, 'real'], [701, 'double precision'],
  [790, 'money'], [829, 'macaddr'], [869, 'inet'], [1042, 'character'], [1043, 'character varying'], [1082, 'date'],
  [1083, 'time without time zone'], [1114, 'timestamp without time zone'], [1184, 'timestamp with time zone'],
  [1186, 'interval'], [1266, 'time with time zone'], [1560, 'bit'], [1562, 'bit varying'], [1700, 'numeric'],
  [2205, 'regclass'], [2950, 'uuid'], [3220, 'pg_lsn'], [3614, 'tsvector'], [3615, 'tsquery'], [3802, 'jsonb'],
  [4072, 'jsonpath'], [705, 'unknown'], [2249, 'record'], [24, 'regproc'], [28, 'xid'], [5069, 'xid8'],
  [1000, 'boolean[]'], [1001, 'bytea[]'], [1005, 'smallint[]'], [1007, 'integer[]'], [1009, 'text[]'],
  [1015, 'character varying[]'], [1016, 'bigint[]'], [1021, 'real[]'], [1022, 'double precision[]'],
  [1028, 'oid[]'], [1115, 'timestamp without time zone[]'], [1182, 'date[]'], [1185, 'timestamp with time zone[]'],
  [1231, 'numeric[]'], [2951, 'uuid[]'], [199, 'json[]'], [3807, 'jsonb[]'], [1003, 'name[]'],
]);

export type TypeNameLookup = (oids: readonly number[]) => Promise<ReadonlyMap<number, string>>;

/** Resolves type oids to names: built-ins from the table, others through the catalog, cached. */
export class TypeNames {
  readonly #cache = new Map<number, string>(BUILT_IN);

  async names(oids: readonly number[], lookup: TypeNameLookup): Promise<string[]> {
    const missing = [...new Set(oids.filter((oid) => !this.#cache.has(oid)))];
    if (missing.length > 0) {
      const found = await lookup(missing);
      for (const oid of missing) this.#cache.set(oid, found.get(oid) ?? `oid ${oid}`);
    }
    return oids.map((oid) => this.#cache.get(oid) ?? `oid ${oid}`);
  }
}
