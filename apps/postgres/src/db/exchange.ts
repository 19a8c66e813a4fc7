import { prepareValue } from 'pg/lib/utils.js';
import { valueTypes } from './values.js';

/** A column of a result, as the row description gives it. */
export interface Field {
  readonly name: string;
  readonly dataTypeID: number;
}

/** What one statement (or one more batch of its rows) returned. */
export interface Step {
  readonly fields: readonly Field[];
  readonly rows: unknown[][];
  /** The portal holds more rows: `more()` fetches them. */
  readonly suspended: boolean;
}

interface PendingStep {
  readonly collect: boolean;
  /** Its rows continue the open portal, whose columns they have. */
  readonly continues: boolean;
  fields: Field[];
  rows: unknown[][];
  resolve(step: Step): void;
  reject(error: unknown): void;
}

interface RowDescription {
  fields: { name: string; dataTypeID: number }[];
}

/** The protocol messages of pg's connection used here (its type declarations get them wrong). */
interface Connection {
  readonly stream: { readonly writable: boolean; cork?(): void; uncork?(): void };
  parse(message: { text: string }): void;
  bind(message: { portal: string; statement: string; values: unknown[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string; rows: number }): void;
  close(message: { type: 'P'; name: string }): void;
  flush(): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

const PORTAL = 'bastion';

/**
 * One call's conversation with PostgreSQL as a single extended-protocol exchange, submitted to the
 * pg client like a query once its first statement is appended. Statements are written corked, each
 * with the commands appended before it, and without a Sync between them, so the transaction's
 * opening commands travel with the first statement and its closing ones with the Sync: a call
 * costs two writes and two round trips, however its statements are spread. Each
 * statement is its own Parse message, which PostgreSQL refuses to hold more than one command.
 *
 * After an error PostgreSQL ignores everything up to the Sync: the exchange sends it at once and
 * fails every statement still waiting, and the connection is ready again at its ReadyForQuery.
 */
/** The pg client the exchange runs on: it calls submit() once the connection is free. */
interface Queryable {
  query(submittable: Exchange): unknown;
}

export class Exchange {
  readonly #client: Queryable;
  #attached = false;
  #connection: Connection | undefined;
  /** Messages not written yet: written together, in one corked batch, by the next #flush(). */
  #outbox: ((connection: Connection) => void)[] = [];
  readonly #pending: PendingStep[] = [];
  #portalOpen = false;
  /** The columns of the open portal, for the rows of its later batches. */
  #portalFields: Field[] = [];
  #failure: unknown;
  #synced = false;
  #finished: { resolve(): void; reject(error: unknown): void } | undefined;
  readonly #ended: Promise<void>;

  constructor(client: Queryable) {
    this.#client = client;
    let finished!: { resolve(): void; reject(error: unknown): void };
    this.#ended = new Promise<void>((resolve, reject) => {
      finished = { resolve, reject };
    });
    this.#finished = finished;
    // Awaited only by end(); a failure before then must not be unhandled.
    this.#ended.catch(() => undefined);
  }

  /** Whether statements may still be appended (no error and no Sync yet). */
  get open(): boolean {
    return this.#failure === undefined && !this.#synced;
  }

  /**
   * Runs statements whose results do not matter (BEGIN, SET LOCAL): their rows are dropped, and
   * their failure fails the statement appended after them. They are written with that statement.
   */
  command(text: string): void {
    this.#outbox.push((connection) => {
      connection.parse({ text });
      connection.bind({ portal: '', statement: '', values: [] });
      connection.execute({ portal: '', rows: 0 });
    });
    this.#pending.push(this.#step({ collect: false, continues: false }, () => undefined, () => undefined));
  }

  /**
   * Appends a statement and fetches `maxRows` of its rows (0: all), through a named portal that
   * stays open for `more()` until the next statement or `end()` closes it.
   */
  statement(text: string, values: readonly unknown[], maxRows: number): Promise<Step> {
    const prepared = values.map((value) => prepareValue(value));
    return this.#stepPromise(false, (connection) => {
      this.#closePortal(connection);
      connection.parse({ text });
      connection.bind({ portal: PORTAL, statement: '', values: prepared });
      connection.describe({ type: 'P', name: PORTAL });
      connection.execute({ portal: PORTAL, rows: maxRows });
      connection.flush();
      this.#portalOpen = true;
    });
  }

  /** The next `maxRows` rows of the suspended portal. */
  more(maxRows: number): Promise<Step> {
    return this.#stepPromise(true, (connection) => {
      connection.execute({ portal: PORTAL, rows: maxRows });
      connection.flush();
    });
  }

  /**
   * Closes the portal, runs the closing commands and syncs, in one message batch; resolves when
   * PostgreSQL is ready for the next query. Rejects when any of it failed.
   */
  end(commands: readonly string[] = []): Promise<void> {
    if (this.#failure !== undefined || this.#synced) return this.#ended;
    this.#outbox.push((connection) => this.#closePortal(connection));
    for (const text of commands) this.command(text);
    this.#outbox.push((connection) => connection.sync());
    this.#synced = true;
    this.#flush();
    return this.#ended;
  }

  #stepPromise(continues: boolean, write: (connection: Connection) => void): Promise<Step> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#synced) return Promise.reject(new Error('The exchange has ended; no statement can follow it.'));
    return new Promise<Step>((resolve, reject) => {
      this.#outbox.push(write);
      this.#pending.push(this.#step({ collect: true, continues }, resolve, reject));
      this.#flush();
    });
  }

  #step(kind: { collect: boolean; continues: boolean }, resolve: (step: Step) => void, reject: (error: unknown) => void): PendingStep {
    return { ...kind, fields: kind.continues ? this.#portalFields : [], rows: [], resolve, reject };
  }

  #closePortal(connection: Connection): void {
    if (!this.#portalOpen) return;
    connection.close({ type: 'P', name: PORTAL });
    this.#portalOpen = false;
  }

  /** Writes the outbox in one batch; before the first, hands the exchange to the client. */
  #flush(): void {
    const connection = this.#connection;
    if (!connection) {
      if (!this.#attached) {
        this.#attached = true;
        void this.#client.query(this);
      }
      return;
    }
    const writes = this.#outbox;
    if (writes.length === 0) return;
    this.#outbox = [];
    connection.stream.cork?.();
    try {
      for (const write of writes) write(connection);
    } finally {
      connection.stream.uncork?.();
    }
  }

  #settle(suspended: boolean): void {
    const step = this.#pending.shift();
    step?.resolve({ fields: step.fields, rows: step.rows, suspended });
  }

  // ---- called by the pg client while this exchange is its active query ----

  submit(connection: Connection): void {
    this.#connection = connection;
    this.#flush();
  }

  handleRowDescription(message: RowDescription): void {
    const step = this.#pending[0];
    if (!step?.collect) return;
    step.fields = message.fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID }));
    this.#portalFields = step.fields;
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    const step = this.#pending[0];
    if (!step?.collect) return;
    const row = new Array<unknown>(message.fields.length);
    for (let index = 0; index < message.fields.length; index++) {
      const text = message.fields[index];
      row[index] = text === null || text === undefined ? null : valueTypes.getTypeParser(step.fields[index]?.dataTypeID ?? 25)(text);
    }
    step.rows.push(row);
  }

  handlePortalSuspended(): void {
    this.#settle(true);
  }

  handleCommandComplete(): void {
    this.#settle(false);
  }

  handleEmptyQuery(): void {
    this.#settle(false);
  }

  handleError(error: unknown): void {
    this.#failure ??= error;
    this.#portalOpen = false;
    if (!this.#synced && this.#connection?.stream.writable) {
      this.#synced = true;
      this.#connection.sync();
    }
    for (const step of this.#pending.splice(0)) step.reject(this.#failure);
    this.#finished?.reject(this.#failure);
    this.#finished = undefined;
  }

  handleReadyForQuery(): void {
    for (const step of this.#pending.splice(0)) step.reject(new Error('PostgreSQL ended the exchange before answering every statement.'));
    this.#finished?.resolve();
    this.#finished = undefined;
  }

  handleCopyInResponse(connection: Connection): void {
    // Never asked for: the policy refuses COPY. Fail the copy rather than hang.
    connection.sendCopyFail('COPY is not supported');
  }

  handleCopyData(): void {}
}
