import pg from 'pg';

export interface ReaderRoleOptions {
  /** The login role to create, e.g. bastion_reader. */
  role: string;
  password: string;
  /** The database the role may connect to. */
  database: string;
  /** The schemas whose tables, views and sequences it may read. */
  schemas: readonly string[];
}

/**
 * The SQL that creates the recommended least-privilege login role for this server: it can connect
 * to one database and read the listed schemas, and nothing else. Run it as the owner of the tables
 * (or a superuser) in that database.
 *
 * - INHERIT is kept on purpose: the pg_read_all_stats membership only takes effect through
 *   inheritance. So grant this role nothing beyond what is listed here.
 * - pg_read_all_stats lets the performance tools see every session's pg_stat_activity row and all
 *   of pg_stat_statements. The trade-off: it also shows other users' query texts, which may contain
 *   literal values. Leave that GRANT out if those texts are sensitive; the tools then see only the
 *   role's own queries.
 * - default_transaction_read_only is a second wall behind the server's own read-only transactions;
 *   a statement timeout is not set here because the server sets its own per query.
 * - ALTER DEFAULT PRIVILEGES covers tables created later only by the role that runs this SQL; for
 *   tables another role creates, add FOR ROLE that_role.
 * - With statement logging on (log_statement = 'ddl' or 'all') the password lands in the server log:
 *   then create the role without it and set it with psql's \password.
 */
export function readerRoleSql({ role, password, database, schemas }: ReaderRoleOptions): string {
  if (!role.trim()) throw new Error('readerRoleSql: role is empty; pass the name of the login role to create.');
  if (!database.trim()) throw new Error('readerRoleSql: database is empty; pass the database the role may connect to.');
  if (schemas.length === 0) throw new Error('readerRoleSql: schemas is empty; pass at least one schema to read, e.g. ["public"].');

  const who = pg.escapeIdentifier(role);
  const inSchemas = schemas.map((schema) => pg.escapeIdentifier(schema)).join(', ');
  return `CREATE ROLE ${who} LOGIN PASSWORD ${quoteLiteral(password)}
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;
ALTER ROLE ${who} SET default_transaction_read_only = on;

GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(database)} TO ${who};
GRANT USAGE ON SCHEMA ${inSchemas} TO ${who};
GRANT SELECT ON ALL TABLES IN SCHEMA ${inSchemas} TO ${who};
GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${inSchemas} TO ${who};

-- Tables and sequences created later in these schemas (by the role running this).
ALTER DEFAULT PRIVILEGES IN SCHEMA ${inSchemas} GRANT SELECT ON TABLES TO ${who};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${inSchemas} GRANT SELECT ON SEQUENCES TO ${who};

-- For the performance tools: every session's activity and all of pg_stat_statements.
GRANT pg_read_all_stats TO ${who};
`;
}

// pg.escapeLiteral puts a space before the E of E'...' (when there are backslashes); the SQL is shown to people.
function quoteLiteral(value: string): string {
  return pg.escapeLiteral(value).trimStart();
}
