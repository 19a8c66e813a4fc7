import type { Secret } from '@bastion-mcp/auth';
import { ConfigError, ToolError } from '@bastion-mcp/core';
import type { Logger } from '@bastion-mcp/logging';
import { poolConfig } from './connection-options.js';
import { Database, RoleRefusedError } from './database.js';
import type { DatabaseLimits } from './database.js';

export const DEFAULT_DATABASE = 'default';

export interface DatabaseSpec {
  readonly name: string;
  /** The variable that holds its URL, for messages. */
  readonly variable: string;
  readonly url: Secret;
  readonly description: string | undefined;
  readonly limits: DatabaseLimits;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
}

/** Every configured database by name; the tools' `database` argument picks one. */
export class Databases {
  readonly #byName = new Map<string, Database>();
  readonly #variables = new Map<string, string>();
  #rolesChecked: Promise<void> | undefined;
  #rolesOutcome: Promise<void> | undefined;

  constructor(specs: readonly DatabaseSpec[], options: { allowPrivilegedRole: boolean; log: Logger }) {
    const problems: { setting: string; message: string }[] = [];
    for (const spec of specs) {
      try {
        const pool = poolConfig(spec.url, { poolSize: spec.poolSize, connectTimeoutMs: spec.connectTimeoutMs });
        this.#byName.set(spec.name, new Database({ name: spec.name, description: spec.description, pool, limits: spec.limits, ...options }));
        this.#variables.set(spec.name, spec.variable);
      } catch {
        problems.push({ setting: spec.variable, message: 'is not a valid connection URL (expected postgres://role:password@host:5432/database?options)' });
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }

  list(): Database[] {
    return [...this.#byName.values()];
  }

  /** The database a call names, or the only/default one when it names none. */
  get(name: string | undefined): Database {
    const names = [...this.#byName.keys()];
    if (name === undefined) {
      const fallback = this.#byName.get(DEFAULT_DATABASE) ?? (names.length === 1 ? this.#byName.get(names[0] as string) : undefined);
      if (fallback) return fallback;
      throw new ToolError(`\`database\` is required: this server has several databases (${names.join(', ')}). Pass one of them; list_databases describes each.`);
    }
    const database = this.#byName.get(name.toLowerCase());
    if (!database) {
      throw new ToolError(`\`database\` "${name}" is not configured. Configured databases: ${names.join(', ')} (see list_databases).`);
    }
    return database;
  }

  /**
   * Starts checking the role of every database; every call waits for it (`whenRolesChecked`).
   * Rejects with a configuration error naming every refused role at once: the server must stop.
   * A database that cannot be reached now is checked again on its first call.
   */
  checkRoles(log: Logger): Promise<void> {
    this.#rolesChecked ??= this.#verifyRoles(log);
    return this.#rolesChecked;
  }

  /** Resolves once the role checks started by checkRoles() are done; rejects when a role was refused. */
  whenRolesChecked(): Promise<void> {
    if (!this.#rolesChecked) return Promise.resolve();
    // One promise for every call, settled once: a call pays a single await for the gate.
    this.#rolesOutcome ??= this.#rolesChecked.catch((error: unknown) => {
      if (!ConfigError.isInstance(error)) throw error;
      const reasons = error.problems.map((problem) => problem.message).join(' ');
      throw new RoleRefusedError(`No call is served: ${reasons}`);
    });
    return this.#rolesOutcome;
  }

  async #verifyRoles(log: Logger): Promise<void> {
    const problems: { setting: string; message: string }[] = [];
    await Promise.all(
      this.list().map(async (database) => {
        try {
          await database.verifyRole();
        } catch (error) {
          if (error instanceof RoleRefusedError) {
            problems.push({ setting: this.#variables.get(database.name) ?? database.name, message: error.message });
          } else {
            log.warn({ database: database.name, target: database.target, err: error }, 'could not check the role now; it is checked again on the first call');
          }
        }
      }),
    );
    if (problems.length > 0) throw new ConfigError(problems);
  }

  async close(): Promise<void> {
    await Promise.all(this.list().map((database) => database.close()));
  }
}
