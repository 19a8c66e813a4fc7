import type { ClientBase, QueryResultRow } from 'pg';
import { Exchange } from './exchange.js';
import { readRows } from './read-rows.js';
import type { RowLimits, RowsRead } from './read-rows.js';

export interface SessionOptions {
  /**
   * Commands that open the call's transaction. They travel with the first statement, and every
   * statement after them joins the same exchange until end(). Without them each statement is an
   * exchange of its own, synced at once.
   */
  readonly begin?: readonly string[];
}

/** One call's access to a database: inside a read-only transaction that is always rolled back. */
export class Session {
  readonly #client: ClientBase;
  readonly #begin: readonly string[] | undefined;
  #exchange: Exchange | undefined;

  constructor(client: ClientBase, options: SessionOptions = {}) {
    this.#client = client;
    this.#begin = options.begin;
  }

  /** Whether any statement has been sent, so that there is a transaction to end. */
  get started(): boolean {
    return this.#exchange !== undefined;
  }

  /** The exchange the next statement joins: the call's, or a fresh one per statement. */
  #current(): Exchange {
    if (this.#begin && this.#exchange) return this.#exchange;
    const exchange = new Exchange(this.#client as unknown as { query(exchange: Exchange): unknown });
    for (const command of this.#begin ?? []) exchange.command(command);
    this.#exchange = exchange;
    return exchange;
  }

  async #finishAlone<T>(exchange: Exchange, result: Promise<T>): Promise<T> {
    if (this.#begin) return result;
    try {
      const value = await result;
      await exchange.end();
      return value;
    } catch (error) {
      await exchange.end().catch(() => undefined);
      throw error;
    }
  }

  /** The server's own catalog queries (trusted text, parameters bound), every row at once. */
  async query<Row extends QueryResultRow = Record<string, unknown>>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    const exchange = this.#current();
    const step = await this.#finishAlone(exchange, exchange.statement(text, values, 0));
    return step.rows.map((row) => {
      const record: Record<string, unknown> = {};
      step.fields.forEach((field, index) => {
        record[field.name] = row[index];
      });
      return record as Row;
    });
  }

  /** A caller's statement: one command through a portal, rows read up to the caps. */
  rows(text: string, values: readonly unknown[], limits: RowLimits): Promise<RowsRead> {
    const exchange = this.#current();
    return this.#finishAlone(exchange, readRows(exchange, text, values, limits));
  }

  /**
   * Ends the call's exchange with `commands` (the rollback and what clears the session) and the
   * Sync, in one round trip. False when the exchange had failed, so the commands still have to run.
   */
  async end(commands: readonly string[]): Promise<boolean> {
    const exchange = this.#exchange;
    if (!exchange) return true;
    if (!exchange.open) {
      await exchange.end().catch(() => undefined);
      return false;
    }
    await exchange.end(commands);
    return true;
  }
}
