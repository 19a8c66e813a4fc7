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
  /** Commands that end the call's transaction (with `begin`): the rollback and the session reset. */
  readonly end?: readonly string[];
}

/**
 * One call's access to a database: inside a read-only transaction that is always rolled back.
 * A caller's statement whose rows fit one fetch ends the transaction in its own round trip; a
 * statement after it runs in a fresh transaction, opened and ended the same way.
 */
export class Session {
  readonly #client: ClientBase;
  readonly #begin: readonly string[] | undefined;
  readonly #end: readonly string[];
  /** The exchange statements join, until it ends or fails. */
  #exchange: Exchange | undefined;
  /** Exchanges that ended with their statement: end() waits for their closing commands. */
  readonly #ended: Exchange[] = [];

  constructor(client: ClientBase, options: SessionOptions = {}) {
    this.#client = client;
    this.#begin = options.begin;
    this.#end = options.end ?? [];
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
    const step = await this.#finishAlone(exchange, exchange.statement(text, values, { maxRows: 0 }));
    return step.rows.map((row) => {
      const record: Record<string, unknown> = {};
      step.fields.forEach((field, index) => {
        record[field.name] = row[index];
      });
      return record as Row;
    });
  }

  /**
   * A caller's statement: one command through a portal, rows read up to the caps. In a call's
   * transaction it ends the transaction with it when its rows fit one fetch.
   */
  async rows(text: string, values: readonly unknown[], limits: RowLimits): Promise<RowsRead> {
    const exchange = this.#current();
    if (!this.#begin) return this.#finishAlone(exchange, readRows(exchange, text, values, limits));
    const read = await readRows(exchange, text, values, limits, this.#end);
    if (!exchange.open && exchange === this.#exchange) {
      // Ended with the statement: whatever comes next opens a transaction of its own.
      this.#ended.push(exchange);
      this.#exchange = undefined;
    }
    return read;
  }

  /**
   * Ends the call's exchange with the closing commands and the Sync, in one round trip, and waits
   * for those sent earlier with their statement. Rejects when closing commands failed; false when
   * an exchange had failed before them, so that they still have to run.
   */
  async end(): Promise<boolean> {
    for (const exchange of this.#ended.splice(0)) await exchange.end();
    const exchange = this.#exchange;
    this.#exchange = undefined;
    if (!exchange) return true;
    if (!exchange.open) {
      await exchange.end().catch(() => undefined);
      return false;
    }
    await exchange.end(this.#end);
    return true;
  }
}
