import type { Finding, HealthCheck, Severity } from './health-check.js';
import { bySeverity } from './health-check.js';
import { formatCount, formatPercent, plural } from './format.js';

/** Transaction (and multixact) IDs wrap at 2^31: PostgreSQL stops assigning them shortly before. */
export const WRAPAROUND_LIMIT = 2 ** 31;
/** An age this large is critical whatever autovacuum_freeze_max_age says: about half of the limit. */
export const WRAPAROUND_CRITICAL_AGE = 1_000_000_000;

interface DatabaseRow {
  name: string;
  xid_age: number;
  mxid_age: number;
  freeze_max_age: number;
  multixact_freeze_max_age: number;
}

interface TableRow {
  object: string;
  xid_age: number;
  mxid_age: number;
  over_threshold: number;
  oldest_xid_age: number;
}

const DATABASE_SQL = `
select d.datname as name, pg_catalog.age(d.datfrozenxid)::bigint as xid_age, pg_catalog.mxid_age(d.datminmxid)::bigint as mxid_age,
       pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint as freeze_max_age,
       pg_catalog.current_setting('autovacuum_multixact_freeze_max_age')::bigint as multixact_freeze_max_age
from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()`;

// A table's age is that of its oldest unfrozen XID, the TOAST table's included; system catalogs
// and other sessions' temporary tables (which autovacuum cannot freeze) count too.
const OLDEST_TABLES_SQL = `
with aged as (
  select format('%I.%I', n.nspname, c.relname) as object,
         greatest(pg_catalog.age(c.relfrozenxid), coalesce(pg_catalog.age(t.relfrozenxid), 0))::bigint as xid_age,
         greatest(pg_catalog.mxid_age(c.relminmxid), coalesce(pg_catalog.mxid_age(t.relminmxid), 0))::bigint as mxid_age
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_class t on t.oid = c.reltoastrelid
  where c.relkind in ('r', 'm')
)
select object, xid_age, mxid_age, max(xid_age) over () as oldest_xid_age,
       count(*) filter (where xid_age > pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint
                           or mxid_age > pg_catalog.current_setting('autovacuum_multixact_freeze_max_age')::bigint) over () as over_threshold
from aged
-- the most urgent first: the furthest past its threshold, transaction IDs or multixacts
order by greatest(xid_age::float8 / pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint,
                  mxid_age::float8 / pg_catalog.current_setting('autovacuum_multixact_freeze_max_age')::bigint) desc, object
limit $1`;

function severityOf(age: number, freezeMaxAge: number): Severity | undefined {
  if (age >= WRAPAROUND_CRITICAL_AGE) return 'critical';
  return age > freezeMaxAge ? 'warning' : undefined;
}

function ageDetails(xidAge: number, mxidAge: number, db: DatabaseRow) {
  return {
    xidAge,
    xidPercentOfLimit: Math.round((xidAge / WRAPAROUND_LIMIT) * 1000) / 10,
    xidsLeft: WRAPAROUND_LIMIT - xidAge,
    freezeMaxAge: db.freeze_max_age,
    multixactAge: mxidAge,
    multixactFreezeMaxAge: db.multixact_freeze_max_age,
  };
}

function issueFor(severity: Severity, what: string): string {
  return severity === 'critical'
    ? `${what} is nearing transaction ID (or multixact) wraparound: find what holds vacuum back (long or prepared transactions, replication slots) and VACUUM (FREEZE) it now`
    : `${what} is older than autovacuum_freeze_max_age (or the multixact one): an anti-wraparound vacuum is due or running; check that it finishes`;
}

export const wraparound: HealthCheck = {
  name: 'wraparound',
  description:
    `wraparound: the age of this database's datfrozenxid and datminmxid and of the oldest tables' relfrozenxid/relminmxid, against the 2^31 limit: ` +
    `a warning past autovacuum_freeze_max_age (autovacuum_multixact_freeze_max_age for multixacts), critical from ${formatCount(WRAPAROUND_CRITICAL_AGE)}.`,
  async run(session, { limit }) {
    const [db] = await session.query<DatabaseRow>(DATABASE_SQL);
    if (!db) throw new Error('the current database is not in pg_database');
    const tables = await session.query<TableRow>(OLDEST_TABLES_SQL, [limit]);
    const findings: Finding[] = [];
    const databaseSeverity = worst(severityOf(db.xid_age, db.freeze_max_age), severityOf(db.mxid_age, db.multixact_freeze_max_age));
    if (databaseSeverity) {
      findings.push({ severity: databaseSeverity, object: db.name, issue: issueFor(databaseSeverity, 'the database'), details: ageDetails(db.xid_age, db.mxid_age, db) });
    }
    for (const table of tables) {
      const severity = worst(severityOf(table.xid_age, db.freeze_max_age), severityOf(table.mxid_age, db.multixact_freeze_max_age));
      if (severity) findings.push({ severity, object: table.object, issue: issueFor(severity, 'this table'), details: ageDetails(table.xid_age, table.mxid_age, db) });
    }
    const oldest = tables[0];
    const tablesOver = Number(oldest?.over_threshold ?? 0);
    return {
      summary:
        `Database XID age ${formatCount(db.xid_age)} (${formatPercent(db.xid_age / WRAPAROUND_LIMIT)} of the 2^31 limit; autovacuum_freeze_max_age ${formatCount(db.freeze_max_age)}), ` +
        `multixact age ${formatCount(db.mxid_age)}` +
        (oldest ? `; most urgent table XID age ${formatCount(oldest.xid_age)}, multixact age ${formatCount(oldest.mxid_age)}` : '') +
        (tablesOver > 0 ? `; ${plural(tablesOver, 'table is', 'tables are')} past autovacuum_freeze_max_age.` : '.'),
      findings: bySeverity(findings).slice(0, limit),
      total: tablesOver + (databaseSeverity ? 1 : 0),
      metrics: {
        databaseXidAge: db.xid_age,
        databaseMultixactAge: db.mxid_age,
        oldestTableXidAge: oldest?.oldest_xid_age ?? null,
        freezeMaxAge: db.freeze_max_age,
        multixactFreezeMaxAge: db.multixact_freeze_max_age,
        wraparoundLimit: WRAPAROUND_LIMIT,
        criticalAge: WRAPAROUND_CRITICAL_AGE,
      },
    };
  },
};

function worst(a: Severity | undefined, b: Severity | undefined): Severity | undefined {
  return a === 'critical' || b === 'critical' ? 'critical' : (a ?? b);
}
