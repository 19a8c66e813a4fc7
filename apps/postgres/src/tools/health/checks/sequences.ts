import type { HealthCheck } from './health-check.js';
import { exactInteger, formatPercent, plural, roundRatio } from './format.js';

/** Share of a sequence's range (or its column's) used before it is reported. */
export const SEQUENCE_WARNING_RATIO = 0.75;
export const SEQUENCE_CRITICAL_RATIO = 0.9;

interface Row {
  object: string | null;
  data_type: string;
  last_value: string;
  limit_value: string;
  sequence_limit: string;
  used_ratio: number;
  column_name: string | null;
  column_type: string | null;
  limited_by_column: boolean;
  total: number;
  sequences: number;
  unreadable: number;
}

/*
 * pg_sequences shows last_value only to a role with SELECT or USAGE on the sequence (and none for
 * one never used). The columns a sequence feeds are those that own it (serial, identity) and those
 * whose default calls it; a smallint or integer column ends before a bigint sequence does, so the
 * tightest of the limits counts. A cycling sequence is judged only by a column limit tighter than its own.
 */
const SQL = `
with seq as (
  select c.oid, format('%I.%I', s.schemaname, s.sequencename) as object, s.data_type::text as data_type,
         s.min_value::numeric as min_value, s.max_value::numeric as max_value, s.increment_by, s.cycle, s.last_value::numeric as last_value,
         pg_catalog.has_sequence_privilege(c.oid, 'SELECT,USAGE') as readable
  from pg_catalog.pg_sequences s
  join pg_catalog.pg_namespace n on n.nspname = s.schemaname
  join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = s.sequencename and c.relkind = 'S'
),
fed as (
  select d.objid as seq_oid, d.refobjid as table_oid, d.refobjsubid as attnum
  from pg_catalog.pg_depend d
  where d.classid = 'pg_catalog.pg_class'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
    and d.deptype in ('a', 'i') and d.refobjsubid > 0 and d.objid in (select oid from seq)
  union
  select d.refobjid, ad.adrelid, ad.adnum
  from pg_catalog.pg_depend d join pg_catalog.pg_attrdef ad on ad.oid = d.objid
  where d.classid = 'pg_catalog.pg_attrdef'::regclass and d.refclassid = 'pg_catalog.pg_class'::regclass
    and d.refobjid in (select oid from seq)
),
fed_column as (
  select f.seq_oid, format('%I.%I.%I', n.nspname, c.relname, a.attname) as column_name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) as column_type,
         case a.atttypid when 'pg_catalog.int2'::regtype then 32767 when 'pg_catalog.int4'::regtype then 2147483647
                         when 'pg_catalog.int8'::regtype then 9223372036854775807 end::numeric as column_max,
         case a.atttypid when 'pg_catalog.int2'::regtype then -32768 when 'pg_catalog.int4'::regtype then -2147483648
                         when 'pg_catalog.int8'::regtype then -9223372036854775808 end::numeric as column_min
  from fed f
  join pg_catalog.pg_attribute a on a.attrelid = f.table_oid and a.attnum = f.attnum and not a.attisdropped
  join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
),
judged as (
  select s.object, s.data_type, s.last_value, s.cycle, s.increment_by > 0 as ascending, col.column_name, col.column_type,
         case when s.increment_by > 0 then s.max_value else s.min_value end as sequence_limit,
         case when s.increment_by > 0 then least(s.max_value, col.column_max) else greatest(s.min_value, col.column_min) end as limit_value
  from seq s
  left join lateral (
    select * from fed_column fc where fc.seq_oid = s.oid
    order by case when s.increment_by > 0 then fc.column_max else -fc.column_min end nulls last limit 1
  ) as col on true
  where s.readable and s.last_value is not null
),
used as (
  select *, limit_value <> sequence_limit as limited_by_column,
         case when limit_value = 0 or sign(last_value) <> sign(limit_value) then 0 else (last_value / limit_value)::float8 end as used_ratio
  from judged
),
flagged as (
  select object, data_type, last_value::text as last_value, limit_value::text as limit_value, sequence_limit::text as sequence_limit,
         used_ratio, column_name, column_type, limited_by_column
  from used
  where used_ratio >= $1 and (not cycle or limited_by_column)
)
-- one row even when nothing is flagged, to carry the counts
select f.*, x.sequences, x.unreadable
from (select count(*)::int as sequences, (count(*) filter (where not readable))::int as unreadable from seq) as x
left join lateral (select *, count(*) over () as total from flagged order by used_ratio desc, object limit $2) as f on true`;

export const sequences: HealthCheck = {
  name: 'sequences',
  description:
    `sequences: sequences that have used ${formatPercent(SEQUENCE_WARNING_RATIO)} of their range (warning) or ${formatPercent(SEQUENCE_CRITICAL_RATIO)} (critical), ` +
    'where the range ends at the tighter of the sequence\'s max_value and the type of the columns it feeds (serial, identity, or a nextval default: an integer column overflows at 2,147,483,647 even when its sequence is bigint). ' +
    'Sequences this role may not read (no SELECT or USAGE) are counted, not judged.',
  async run(session, { limit }) {
    const result = await session.query<Row>(SQL, [SEQUENCE_WARNING_RATIO, limit]);
    const counts = result[0];
    const rows = result.filter((row): row is Row & { object: string } => row.object !== null);
    const total = rows.length === 0 ? 0 : Number(rows[0]!.total);
    const unreadable = counts?.unreadable ?? 0;
    const hidden = unreadable > 0 ? `; ${plural(unreadable, 'sequence', 'sequences')} not readable by this role (needs SELECT or USAGE on it)` : '';
    return {
      summary:
        total === 0
          ? `No sequence past ${formatPercent(SEQUENCE_WARNING_RATIO)} of its range among ${plural(counts?.sequences ?? 0, 'sequence', 'sequences')}${hidden}.`
          : `${plural(total, 'sequence has', 'sequences have')} used over ${formatPercent(SEQUENCE_WARNING_RATIO)} of the values it can give: move the column (and the sequence) to bigint before it runs out${hidden}.`,
      findings: rows.map((row) => ({
        severity: row.used_ratio >= SEQUENCE_CRITICAL_RATIO ? ('critical' as const) : ('warning' as const),
        object: row.object,
        issue: row.limited_by_column
          ? `sequence has used ${formatPercent(row.used_ratio)} of what its ${row.column_type ?? 'column'} column can hold`
          : `sequence has used ${formatPercent(row.used_ratio)} of its ${row.data_type} range`,
        details: {
          dataType: row.data_type,
          lastValue: exactInteger(row.last_value),
          limit: exactInteger(row.limit_value),
          sequenceLimit: exactInteger(row.sequence_limit),
          usedRatio: roundRatio(row.used_ratio),
          column: row.column_name,
          columnType: row.column_type,
        },
      })),
      total,
      metrics: { sequences: counts?.sequences ?? 0, unreadable, flagged: total },
    };
  },
};
