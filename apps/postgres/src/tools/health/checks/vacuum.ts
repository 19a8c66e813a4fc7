import type { Finding, HealthCheck } from './health-check.js';
import { totalOf } from './health-check.js';
import { formatCount, formatPercent, plural, roundRatio } from './format.js';

/** The share of a table's row versions that are dead before it counts as needing a vacuum. */
export const DEAD_TUPLE_RATIO_WARNING = 0.2;
/** Fewer dead rows than this are never worth a finding, whatever the ratio. */
export const DEAD_TUPLE_MIN = 1000;
/** A table this large (live plus dead rows) that was never vacuumed or analyzed is reported. */
export const NEVER_MAINTAINED_MIN_ROWS = 1000;

interface SettingsRow {
  autovacuum: string;
  track_counts: string;
  stats_reset: string | null;
}

interface TableRow {
  object: string;
  live: number;
  dead: number;
  dead_ratio: number | null;
  too_many_dead: boolean;
  never_vacuumed: boolean;
  never_analyzed: boolean;
  autovacuum_off: boolean;
  last_vacuum: string | null;
  last_analyze: string | null;
  total: number;
}

const SETTINGS_SQL = `
select pg_catalog.current_setting('autovacuum') as autovacuum, pg_catalog.current_setting('track_counts') as track_counts,
       (select stats_reset::text from pg_catalog.pg_stat_database where datname = pg_catalog.current_database()) as stats_reset`;

// autovacuum_enabled is a boolean reloption: PostgreSQL accepts any prefix of false/off/no and 0.
const TABLES_SQL = `
with stats as (
  select format('%I.%I', s.schemaname, s.relname) as object, s.n_live_tup as live, s.n_dead_tup as dead,
         case when s.n_live_tup + s.n_dead_tup > 0 then s.n_dead_tup::float8 / (s.n_live_tup + s.n_dead_tup) end as dead_ratio,
         greatest(s.last_vacuum, s.last_autovacuum)::text as last_vacuum, greatest(s.last_analyze, s.last_autoanalyze)::text as last_analyze,
         s.last_vacuum is null and s.last_autovacuum is null as not_vacuumed, s.last_analyze is null and s.last_autoanalyze is null as not_analyzed,
         exists (select 1 from unnest(c.reloptions) as o where lower(o) ~ '^autovacuum_enabled=(f|fa|fal|fals|false|n|no|of|off|0)$') as autovacuum_off
  from pg_catalog.pg_stat_user_tables s
  join pg_catalog.pg_class c on c.oid = s.relid
  where c.relkind in ('r', 'm')
),
judged as (
  select *, dead >= $1 and dead_ratio >= $2 as too_many_dead,
         not_vacuumed and live + dead >= $3 as never_vacuumed, not_analyzed and live >= $3 as never_analyzed
  from stats
)
select object, live, dead, dead_ratio, too_many_dead, never_vacuumed, never_analyzed, autovacuum_off, last_vacuum, last_analyze,
       count(*) over () as total
from judged
where too_many_dead or never_vacuumed or never_analyzed or autovacuum_off
order by dead desc, live desc, object
limit $4`;

function tableFinding(row: TableRow): Finding {
  const problems = [
    row.too_many_dead ? `${formatPercent(row.dead_ratio ?? 0)} of its row versions are dead` : undefined,
    row.never_vacuumed ? 'never vacuumed' : undefined,
    row.never_analyzed ? 'never analyzed (the planner has no statistics for it)' : undefined,
    row.autovacuum_off ? 'autovacuum is disabled for it (autovacuum_enabled = false)' : undefined,
  ].filter((problem) => problem !== undefined);
  return {
    severity: 'warning',
    object: row.object,
    issue: problems.join('; '),
    details: {
      liveRows: row.live,
      deadRows: row.dead,
      deadRatio: row.dead_ratio === null ? null : roundRatio(row.dead_ratio),
      lastVacuum: row.last_vacuum,
      lastAnalyze: row.last_analyze,
      autovacuumEnabled: !row.autovacuum_off,
    },
  };
}

export const vacuum: HealthCheck = {
  name: 'vacuum',
  description:
    `vacuum: tables with at least ${formatCount(DEAD_TUPLE_MIN)} dead rows making up ${formatPercent(DEAD_TUPLE_RATIO_WARNING)} or more of their row versions, ` +
    `tables of ${formatCount(NEVER_MAINTAINED_MIN_ROWS)}+ rows never vacuumed or never analyzed (manually or by autovacuum, since the statistics were reset), ` +
    'tables with autovacuum_enabled = false, and autovacuum or track_counts switched off for the server. Each is a warning, most dead rows first.',
  async run(session, { limit }) {
    const [settings] = await session.query<SettingsRow>(SETTINGS_SQL);
    const rows = await session.query<TableRow>(TABLES_SQL, [DEAD_TUPLE_MIN, DEAD_TUPLE_RATIO_WARNING, NEVER_MAINTAINED_MIN_ROWS, limit]);
    const findings: Finding[] = [];
    if (settings?.autovacuum === 'off') {
      findings.push({ severity: 'warning', object: 'autovacuum', issue: 'autovacuum is off for the server: only anti-wraparound vacuums run', details: { setting: 'off' } });
    }
    if (settings?.track_counts === 'off') {
      findings.push({ severity: 'warning', object: 'track_counts', issue: 'track_counts is off: autovacuum cannot tell which tables need it, and these numbers stay zero', details: { setting: 'off' } });
    }
    const serverFindings = findings.length;
    findings.push(...rows.map(tableFinding));
    const tables = totalOf(rows);
    const since = settings?.stats_reset ? ` (statistics since ${settings.stats_reset})` : '';
    const server = serverFindings > 0 ? `; ${plural(serverFindings, 'server setting stops', 'server settings stop')} autovacuum from working` : '';
    return {
      summary:
        tables === 0
          ? `No table needs vacuum attention${since}${server}.`
          : `${plural(tables, 'table needs', 'tables need')} vacuum attention${since}${server}.`,
      findings: findings.slice(0, limit),
      total: tables + serverFindings,
      metrics: { tablesFlagged: tables, autovacuum: settings?.autovacuum === 'on', trackCounts: settings?.track_counts === 'on', statsReset: settings?.stats_reset ?? null },
    };
  },
};
