// The start-up check looks at role membership, not only at inherited privileges: a role that may
// SET ROLE to a superuser, to a BYPASSRLS role or to pg_read_server_files / pg_write_server_files /
// pg_execute_server_program is refused, however the membership was granted (NOINHERIT, through
// another role, WITH INHERIT FALSE). The roles are created for the test and dropped after it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inspectRole } from '../src/db/role-check.js';
import { Session } from '../src/db/session.js';
import { connectAs, withSuperuser } from './support/pg.js';
import { openPostgres } from './support/server.js';

const prefix = `bastion_rm_${randomBytes(3).toString('hex')}`;
const password = randomBytes(12).toString('hex');
const created: string[] = [];
let serverVersion = 0;

/** Creates a role (dropped after the file); `grants` run after it, with {role} replaced by its name. */
async function role(suffix: string, attributes: string, ...grants: string[]): Promise<string> {
  const name = `${prefix}_${suffix}`;
  await withSuperuser(async (client) => {
    await client.query(`CREATE ROLE ${name} ${attributes}`);
    created.push(name);
    for (const grant of grants) await client.query(grant.replaceAll('{role}', name));
  });
  return name;
}

async function loginRole(suffix: string, attributes: string, ...grants: string[]): Promise<string> {
  return role(suffix, `LOGIN PASSWORD '${password}' ${attributes}`, `GRANT CONNECT ON DATABASE bastion_test TO {role}`, ...grants);
}

function urlFor(name: string): string {
  const url = new URL(inject('superuserUrl'));
  url.username = name;
  url.password = password;
  return url.toString();
}

/** What the start-up check says about a role, asked over its own connection. */
async function reportFor(name: string): Promise<{ refusals: readonly string[]; warnings: readonly string[] }> {
  const client = await connectAs(urlFor(name));
  try {
    return await inspectRole(new Session(client));
  } finally {
    await client.end();
  }
}

/** `WITH INHERIT FALSE` where the server has grant options (16+); the role's NOINHERIT does the same before. */
const noInherit = () => (serverVersion >= 160000 ? ' WITH INHERIT FALSE' : '');

beforeAll(async () => {
  serverVersion = await withSuperuser(async (client) => Number((await client.query("select current_setting('server_version_num') as v")).rows[0].v));
});

afterAll(async () => {
  await withSuperuser(async (client) => {
    for (const name of created.reverse()) {
      await client.query(`REVOKE CONNECT ON DATABASE bastion_test FROM ${name}`).catch(() => undefined);
      await client.query(`DROP ROLE IF EXISTS ${name}`);
    }
  });
});

describe('membership the start-up check refuses', () => {
  it.each([
    ['a NOINHERIT member of pg_read_server_files', 'files_noinherit', 'NOINHERIT', ['GRANT pg_read_server_files TO {role}'], /may read files on the database server: it is a member of pg_read_server_files/],
    ['a NOINHERIT member of pg_execute_server_program', 'program_noinherit', 'NOINHERIT', ['GRANT pg_execute_server_program TO {role}'], /may run programs on the database server: it is a member of pg_execute_server_program/],
    ['a NOINHERIT member of pg_write_server_files', 'write_noinherit', 'NOINHERIT', ['GRANT pg_write_server_files TO {role}'], /may write files on the database server: it is a member of pg_write_server_files/],
  ])('%s', async (_label, suffix, attributes, grants, refusal) => {
    const name = await loginRole(suffix, attributes, ...grants);
    expect((await reportFor(name)).refusals.join('; ')).toMatch(refusal);
  });

  it('a member of pg_read_server_files granted without inheritance (a grant option on 16+)', async () => {
    const name = await loginRole('files_grant_option', serverVersion >= 160000 ? '' : 'NOINHERIT', `GRANT pg_read_server_files TO {role}${noInherit()}`);
    expect((await reportFor(name)).refusals.join('; ')).toMatch(/member of pg_read_server_files/);
  });

  it('a member through an intermediate role that does not inherit', async () => {
    const middle = await role('files_middle', 'NOLOGIN NOINHERIT', 'GRANT pg_execute_server_program TO {role}');
    const name = await loginRole('through_middle', '', `GRANT ${middle} TO {role}`);
    expect((await reportFor(name)).refusals.join('; ')).toMatch(/member of pg_execute_server_program/);
  });

  it('a member of a superuser role, even without inheriting it', async () => {
    const admin = await role('admin', 'NOLOGIN SUPERUSER');
    const name = await loginRole('super_member', 'NOINHERIT', `GRANT ${admin} TO {role}`);
    expect((await reportFor(name)).refusals.join('; ')).toContain(`is a member of superuser role ${admin}`);
  });

  it('a member of a BYPASSRLS role, two roles away', async () => {
    const bypass = await role('bypass', 'NOLOGIN BYPASSRLS');
    const middle = await role('bypass_middle', 'NOLOGIN NOINHERIT', `GRANT ${bypass} TO {role}`);
    const name = await loginRole('bypass_member', '', `GRANT ${middle} TO {role}`);
    expect((await reportFor(name)).refusals.join('; ')).toContain(`is a member of role ${bypass}, which has BYPASSRLS`);
  });

  it('never serves a call as such a role', async () => {
    const name = await loginRole('served', 'NOINHERIT', 'GRANT pg_read_server_files TO {role}');
    const db = await openPostgres({ env: { POSTGRES_URL: urlFor(name) } });
    try {
      const message = await db.refused('query', { sql: 'select 1' });
      expect(message).toMatch(new RegExp(`No call is served: The role "${name}" of database "default" may read files on the database server`));
    } finally {
      await db.close();
    }
  });
});

describe('what the check accepts', () => {
  it('a role with no such membership', async () => {
    const name = await loginRole('plain', '');
    expect(await reportFor(name)).toEqual(expect.objectContaining({ refusals: [] }));
  });

  it('warns about a NOINHERIT member of pg_write_all_data without refusing it', async () => {
    const name = await loginRole('write_all', 'NOINHERIT', 'GRANT pg_write_all_data TO {role}');
    const report = await reportFor(name);
    expect(report.refusals).toEqual([]);
    expect(report.warnings).toContain('is a member of pg_write_all_data, so it may write to every table');
  });
});
