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

/**
 * Takes a statement's rows as they arrive, instead of the step collecting them; returns false when
 * it wants no more (that row is not taken), and the remaining rows are dropped unconverted.
 */
export type RowSink = (row: unknown[]) => boolean;

export interface StatementOptions {
  /** Most rows to fetch now (0: all); the portal stays open for `more()` when there are more. */
  readonly maxRows: number;
  readonly sink?: RowSink;
  /**
   * Ends the exchange right behind the statement: these commands and the Sync are written with
   * it, so statement and end cost one round trip. The portal closes with the transaction, so no
   * `more()` can follow: fetch as many rows as the caller may need.
   */
  readonly end?: readonly string[];
}

interface PendingStep {
  readonly collect: boolean;
  /** Its rows continue the open portal, whose columns they have. */
  readonly continues: boolean;
  readonly sink: RowSink | undefined;
  /** The sink wants no more rows: the rest are dropped. */
  stopped: boolean;
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
  readonly stream: { readonly writable: boolean; write(buffer: Buffer): boolean };
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

/** A command's place in the queue of answers: its rows, if any, are dropped, its failure fails what follows. */
const COMMAND_STEP: PendingStep = {
  collect: false,
  continues: false,
  sink: undefined,
  stopped: false,
  fields: [],
  rows: [],
  resolve: () => undefined,
  reject: () => undefined,
};

/**
 * The connection as seen by the message writers, with what they would send appended to `buffers`
 * instead: pg's message methods serialize and hand the bytes to `_send` or `stream.write`.
 */
function collecting(connection: Connection, buffers: Buffer[]): Connection {
  const collect = (buffer: Buffer) => buffers.push(buffer) > 0;
  return Object.create(connection, {
    _send: { value: collect },
    stream: { value: { writable: true, write: collect } },
  }) as Connection;
}

interface StepKind {
  readonly collect: boolean;
  readonly continues: boolean;
  readonly sink: RowSink | undefined;
}

/**
 * One call's conversation with PostgreSQL as a single extended-protocol exchange, submitted to the
 * pg client like a query once its first statement is appended. Statements are written in one buffer, each
 * with the commands appended before it, and without a Sync between them, so the transaction's
 * opening commands travel with the first statement and its closing ones with the Sync. A statement
 * appended with its `end` is written together with the closing commands and the Sync: a call of
 * one statement whose rows fit one fetch costs one write and one round trip. Each statement is its
 * own Parse message, which PostgreSQL refuses to hold more than one command.
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
  /** Messages not written yet: written together, in one buffer, by the next #flush(). */
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
    this.#pending.push(COMMAND_STEP);
  }

  /**
   * Appends a statement and fetches `maxRows` of its rows (0: all), through a named portal that
   * stays open for `more()` until the next statement or `end()` closes it; or, with `end`, ends
   * the exchange in the same write.
   */
  statement(text: string, values: readonly unknown[], options: StatementOptions): Promise<Step> {
    const prepared = values.map((value) => prepareValue(value));
    const last = options.end !== undefined;
    const step = this.#stepPromise({ collect: true, continues: false, sink: options.sink }, (connection) => {
      this.#closePortal(connection);
      connection.parse({ text });
      connection.bind({ portal: PORTAL, statement: '', values: prepared });
      connection.describe({ type: 'P', name: PORTAL });
      connection.execute({ portal: PORTAL, rows: options.maxRows });
      if (!last) connection.flush();
      this.#portalOpen = true;
    }, !last);
    if (last) void this.end(options.end);
    return step;
  }

  /** The next `maxRows` rows of the suspended portal. */
  more(maxRows: number, sink?: RowSink): Promise<Step> {
    return this.#stepPromise({ collect: true, continues: true, sink }, (connection) => {
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

  #stepPromise(kind: StepKind, write: (connection: Connection) => void, flush = true): Promise<Step> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#synced) return Promise.reject(new Error('The exchange has ended; no statement can follow it.'));
    return new Promise<Step>((resolve, reject) => {
      this.#outbox.push(write);
      this.#pending.push(this.#step(kind, resolve, reject));
      if (flush) this.#flush();
    });
  }

  #step(kind: StepKind, resolve: (step: Step) => void, reject: (error: unknown) => void): PendingStep {
    return { collect: kind.collect, continues: kind.continues, sink: kind.sink, stopped: false, fields: kind.continues ? this.#portalFields : [], rows: [], resolve, reject };
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
    const buffers: Buffer[] = [];
    const batch = collecting(connection, buffers);
    for (const write of writes) write(batch);
    // One buffer, one write(2): a corked batch of messages becomes a writev of a dozen pieces,
    // several times dearer per call on some kernels and sandboxes.
    if (connection.stream.writable) connection.stream.write(buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers));
  }

  #settle(suspended: boolean): void {
    const step = this.#pending.shift();
    if (step?.collect) step.resolve({ fields: step.fields, rows: step.rows, suspended });
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
    if (!step?.collect || step.stopped) return;
    const row = new Array<unknown>(message.fields.length);
    for (let index = 0; index < message.fields.length; index++) {
      const text = message.fields[index];
      row[index] = text === null || text === undefined ? null : valueTypes.getTypeParser(step.fields[index]?.dataTypeID ?? 25)(text);
    }
    if (!step.sink) step.rows.push(row);
    else if (!step.sink(row)) step.stopped = true;
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
