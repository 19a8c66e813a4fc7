import { ToolError } from '@bastion-mcp/core';
import type { Logger } from '@bastion-mcp/logging';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { createCatalogCache } from '../sql/catalog.js';
import { CallDeadline, CallDeadlineExpired, callDeadlineMs } from './call-deadline.js';
import { cancelBackend, closeConnection } from './cancel.js';
import { describeTarget } from './connection-options.js';
import { guardMessages } from './message-guard.js';
import { callTimedOut, mapPgError, noConnectionInTime } from './pg-errors.js';
import { inspectRole } from './role-check.js';
import type { RoleReport } from './role-check.js';
import type { Session } from './session.js';
import { beginReadOnly } from './timeouts.js';
import type { SessionTimeouts } from './timeouts.js';
import { TypeNames } from './type-names.js';

export interface DatabaseLimits extends SessionTimeouts {
  readonly maxRows: number;
}

export interface DatabaseOptions {
  readonly name: string;
  readonly description: string | undefined;
  readonly pool: PoolConfig;
  readonly limits: DatabaseLimits;
  /** Serve even when the role is privileged (logged as a warning). */
  readonly allowPrivilegedRole: boolean;
  readonly log: Logger;
}

/** The role may not be used; the message says why and what to do. */
export class RoleRefusedError extends ToolError {}

/**
 * What ends every call: the rollback undoes everything transactional (writes, SET, set_config,
 * LISTEN); the rest clears the two kinds of session state that outlive a rollback, should a
 * statement ever have taken them despite the query policy.
 */
const END_CALL = ['ROLLBACK', 'SELECT pg_catalog.pg_advisory_unlock_all()', 'DEALLOCATE ALL'];

/**
 * One configured database: its pool, its limits, and the only way in, `read()`, which runs a
 * call's statements in a read-only transaction that is always rolled back.
 */
export class Database {
  readonly name: string;
  readonly description: string | undefined;
  readonly limits: DatabaseLimits;
  readonly target: string;
  readonly typeNames = new TypeNames();
  /** What functions and operators resolve to, for the query policy (see query/check-calls). */
  readonly catalog = createCatalogCache();
  #closed = false;
  #driver: Promise<{ readonly pool: Pool; readonly Session: typeof Session }> | undefined;
  readonly #poolConfig: PoolConfig;
  readonly #allowPrivilegedRole: boolean;
  readonly #log: Logger;
  readonly #session: { readonly begin: readonly string[]; readonly end: readonly string[] };
  #verified: Promise<RoleReport> | undefined;

  constructor(options: DatabaseOptions) {
    this.name = options.name;
    this.description = options.description;
    this.limits = options.limits;
    this.#poolConfig = options.pool;
    this.target = describeTarget(options.pool);
    this.#allowPrivilegedRole = options.allowPrivilegedRole;
    this.#log = options.log;
    this.#session = { begin: beginReadOnly(options.limits), end: END_CALL };
  }

  /** The pool, created with the first connection: node-postgres is not loaded before then. */
  #connected(): Promise<{ readonly pool: Pool; readonly Session: typeof Session }> {
    if (this.#closed) return Promise.reject(new Error(`The connections to database "${this.name}" are closed: the server is shutting down.`));
    this.#driver ??= import('./driver.js').then(({ pg, Session }) => {
      const pool = new pg.Pool(this.#poolConfig);
      // An idle connection that fails (server restart) must not crash the process.
      pool.on('error', () => undefined);
      pool.on('connect', (client) => {
        // Nor one in use: the pool listens for errors only on idle connections; the call in
        // progress gets the error through its query.
        client.on('error', () => undefined);
        guardMessages((client as unknown as { connection: { stream: Parameters<typeof guardMessages>[0] } }).connection.stream);
      });
      return { pool, Session };
    });
    return this.#driver;
  }

  /**
   * Checks the role once: a privileged role is refused (unless allowed), extra privileges are
   * logged. A database that cannot be reached is checked again on the next call.
   */
  verifyRole(): Promise<RoleReport> {
    this.#verified ??= this.#inspectRole().catch((error: unknown) => {
      if (!(error instanceof RoleRefusedError)) this.#verified = undefined;
      throw error;
    });
    return this.#verified;
  }

  async #inspectRole(): Promise<RoleReport> {
    const report = await this.#transaction(new AbortController().signal, (session) => inspectRole(session));
    const log = this.#log.child({ database: this.name, role: report.role });
    for (const warning of report.warnings) {
      log.warn(`role ${report.role} ${warning}; a read-only server needs only SELECT (the README shows a read-only role)`);
    }
    if (report.refusals.length > 0) {
      const reasons = report.refusals.join('; ');
      if (!this.#allowPrivilegedRole) {
        throw new RoleRefusedError(
          `The role "${report.role}" of database "${this.name}" ${reasons}. The operator must connect as a least-privileged read-only role ` +
            '(the README shows the SQL) or start the server with --allow-privileged-role to accept the risk.',
        );
      }
      log.warn(`role ${report.role} ${reasons}; serving anyway because --allow-privileged-role is set`);
    }
    return report;
  }

  /**
   * Runs `work` in a fresh read-only, repeatable-read transaction with this database's timeouts,
   * then rolls it back, so nothing a statement did outlives the call. A connection whose state
   * is uncertain (a cancelled call, or one whose rollback failed) is closed instead of reused. The
   * opening and closing commands travel with the call's first statement and its end: a call of
   * one caller statement whose rows fit one fetch costs one round trip.
   */
  async read<T>(signal: AbortSignal, work: (session: Session) => Promise<T>, sql?: string): Promise<T> {
    await this.verifyRole();
    return this.#transaction(signal, work, sql);
  }

  async #transaction<T>(signal: AbortSignal, work: (session: Session) => Promise<T>, sql?: string): Promise<T> {
    const scene = { database: this.name, target: this.target, limits: this.limits, ...(sql === undefined ? {} : { sql }) };
    const deadline = new CallDeadline(callDeadlineMs(this.limits.statementTimeoutMs));
    try {
      const { pool, Session } = await this.#connected();
      let client: PoolClient;
      try {
        // A connection that comes after the deadline goes straight back to the pool, unused.
        client = await deadline.bound(pool.connect(), (late) => late.release());
      } catch (error) {
        if (error instanceof CallDeadlineExpired) throw noConnectionInTime(this.name, this.target, error.ms);
        throw mapPgError(error, scene);
      }
      let discard = false;
      const abandon = () => {
        discard = true;
        cancelBackend(client, this.#poolConfig);
      };
      signal.addEventListener('abort', abandon, { once: true });
      // Past the deadline the server is not waited for: the query is cancelled and the
      // connection closed, which also fails whatever of the call is still reading from it.
      deadline.onExpire(() => {
        abandon();
        closeConnection(client);
      });
      // The transaction opens with the call's first statement and closes with its Sync.
      const session = new Session(client, this.#session);
      try {
        return await deadline.bound(work(session));
      } catch (error) {
        if (error instanceof CallDeadlineExpired) throw callTimedOut(this.limits.statementTimeoutMs, error.ms);
        throw mapPgError(error, { ...scene, cancelled: signal.aborted });
      } finally {
        signal.removeEventListener('abort', abandon);
        if (!discard) {
          try {
            // After a failed statement the exchange is over; the transaction still has to end.
            if (!(await deadline.bound(session.end()))) await deadline.bound(client.query(END_CALL.join('; ')));
          } catch {
            discard = true;
          }
        }
        client.release(discard);
      }
    } finally {
      deadline.clear();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#driver) await (await this.#driver).pool.end();
  }
}
