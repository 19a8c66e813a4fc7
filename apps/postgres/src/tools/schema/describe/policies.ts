import type { Session } from '../../../db/session.js';
import type { TablePolicy } from './schema.js';

const POLICIES_SQL = `
select pol.polname as name, pol.polcmd::text as command, pol.polpermissive as permissive,
       array(select case when r.oid = 0 then 'PUBLIC' else pg_catalog.pg_get_userbyid(r.oid)::text end
               from pg_catalog.unnest(pol.polroles) as r(oid)) as roles,
       pg_catalog.count(*) over () as total
  from pg_catalog.pg_policy pol
 where pol.polrelid = $1
 order by pol.polname
 limit $2`;

interface PolicyRow {
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  total: number;
}

const COMMANDS: Record<string, TablePolicy['command']> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };

export async function readPolicies(session: Session, oid: number, limit: number): Promise<{ items: TablePolicy[]; total: number }> {
  const rows = await session.query<PolicyRow>(POLICIES_SQL, [oid, limit]);
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map((row) => ({ name: row.name, command: COMMANDS[row.command] ?? 'all', permissive: row.permissive, roles: row.roles })),
  };
}
