import type { Session } from './session.js';

export interface RoleReport {
  readonly role: string;
  readonly serverVersion: number;
  /** Reasons the role must not be used (unless the operator allows privileged roles). */
  readonly refusals: readonly string[];
  /** Privileges a read-only server does not need; reported, not refused. */
  readonly warnings: readonly string[];
}

interface RoleRow {
  role: string;
  version: number;
  superuser: boolean;
  bypassrls: boolean;
  createrole: boolean;
  createdb: boolean;
  replication: boolean;
  /** Superuser roles this role is a member of (besides itself). */
  superuser_roles: string[] | null;
  bypassrls_roles: string[] | null;
  execute_program: boolean;
  read_files: boolean;
  write_files: boolean;
  write_all_data: boolean;
  writable_table: string | null;
  creatable_schema: string | null;
}

/** Whether the role is a member of the predefined role `name`; false where the server has no such role. */
const memberOf = (name: string) => `exists (select from pg_roles p where p.rolname = '${name}' and pg_has_role(r.oid, p.oid, 'MEMBER'))`;

// pg_has_role(..., 'MEMBER') asks whether the role is a member of the other one, directly or
// through other roles, whatever the grants' INHERIT and SET options say: a member that does not
// inherit a role's privileges can still SET ROLE to it (or be given that option later).
// Superusers are members of every role.
const ROLE_QUERY = `
select current_user::text as role,
       current_setting('server_version_num')::int as version,
       r.rolsuper as superuser, r.rolbypassrls as bypassrls, r.rolcreaterole as createrole,
       r.rolcreatedb as createdb, r.rolreplication as replication,
       (select array_agg(format('%I', o.rolname) order by o.rolname) from pg_roles o
         where o.rolsuper and o.oid <> r.oid and pg_has_role(r.oid, o.oid, 'MEMBER')) as superuser_roles,
       (select array_agg(format('%I', o.rolname) order by o.rolname) from pg_roles o
         where o.rolbypassrls and o.oid <> r.oid and pg_has_role(r.oid, o.oid, 'MEMBER')) as bypassrls_roles,
       ${memberOf('pg_execute_server_program')} as execute_program,
       ${memberOf('pg_read_server_files')} as read_files,
       ${memberOf('pg_write_server_files')} as write_files,
       ${memberOf('pg_write_all_data')} as write_all_data,
       (select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname not in ('pg_catalog', 'information_schema')
           and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
           and (has_table_privilege(c.oid, 'INSERT') or has_table_privilege(c.oid, 'UPDATE')
             or has_table_privilege(c.oid, 'DELETE') or has_table_privilege(c.oid, 'TRUNCATE'))
         order by 1 limit 1) as writable_table,
       (select format('%I', n.nspname) from pg_namespace n
         where has_schema_privilege(n.oid, 'CREATE') and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
         order by 1 limit 1) as creatable_schema
from pg_roles r where r.rolname = current_user`;

/** What the server's role may do, judged for a read-only server. */
export async function inspectRole(session: Session): Promise<RoleReport> {
  const [row] = await session.query<RoleRow>(ROLE_QUERY);
  if (!row) throw new Error('the role of this connection is not in pg_roles');
  const refusals: string[] = [];
  if (row.superuser) refusals.push('is a superuser (it can read server files, run programs and bypass every permission)');
  if (row.bypassrls) refusals.push('has BYPASSRLS (row-level security would not apply to it)');
  if (!row.superuser) {
    const superusers = row.superuser_roles ?? [];
    if (superusers.length > 0) refusals.push(`is a member of superuser role ${superusers.join(', ')} (it could SET ROLE to it and do anything)`);
    const bypassers = row.bypassrls_roles ?? [];
    if (bypassers.length > 0) refusals.push(`is a member of role ${bypassers.join(', ')}, which has BYPASSRLS (row-level security would not apply to it)`);
    if (row.execute_program) refusals.push('may run programs on the database server: it is a member of pg_execute_server_program');
    if (row.read_files) refusals.push('may read files on the database server: it is a member of pg_read_server_files');
    if (row.write_files) refusals.push('may write files on the database server: it is a member of pg_write_server_files');
  }
  const warnings: string[] = [];
  if (row.writable_table) warnings.push(`may write to tables (for example ${row.writable_table})`);
  else if (row.write_all_data && !row.superuser) warnings.push('is a member of pg_write_all_data, so it may write to every table');
  if (row.creatable_schema) warnings.push(`may create objects in schema ${row.creatable_schema}`);
  if (row.createrole) warnings.push('has CREATEROLE');
  if (row.createdb) warnings.push('has CREATEDB');
  if (row.replication) warnings.push('has REPLICATION');
  return { role: row.role, serverVersion: row.version, refusals, warnings };
}
