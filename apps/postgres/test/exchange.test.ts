// The per-call protocol exchange against a real PostgreSQL: statements pipelined behind the
// transaction's opening commands, batches from a suspended portal, the closing commands with the
// Sync, and what an error in any of them leaves behind (a connection ready for the next query).
// query.test.ts checks the same through the connector: connections reused, every call clean.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Exchange } from '../src/db/exchange.js';
import { Session } from '../src/db/session.js';
import { connectAs } from './support/pg.js';

describe('Exchange', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = await connectAs(inject('readerUrl'));
  });
  afterEach(async () => {
    // Whatever a test did, the connection must be ready for a plain query again.
    await expect(client.query('select 1 as ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });
  afterAll(async () => {
    await client?.end();
  });

  /** Submits a fresh exchange to the client; whatever the test does, it is ended afterwards. */
  async function withExchange(test: (exchange: Exchange) => Promise<void>, ...opening: string[]): Promise<void> {
    const exchange = new Exchange(client as never);
    for (const command of opening) exchange.command(command);
    try {
      await test(exchange);
    } finally {
      await exchange.end().catch(() => undefined);
      await client.query('ROLLBACK').catch(() => undefined);
    }
  }

  it('runs the opening commands, several statements and the closing commands in one transaction', async () => {
    await withExchange(async (exchange) => {
    const first = await exchange.statement("select current_setting('statement_timeout') as t, txid_current_if_assigned() is null as fresh", [], { maxRows: 0 });
    const second = await exchange.statement('select $1::int + 1 as n, $2::text[] as a', [41, ['x', 'y']], { maxRows: 0 });
    expect(first).toMatchObject({ fields: [{ name: 't' }, { name: 'fresh' }], rows: [['1234ms', true]], suspended: false });
    expect(second.rows).toEqual([[42, ['x', 'y']]]);
      await exchange.end(['ROLLBACK']);
    }, 'BEGIN TRANSACTION READ ONLY', 'SET LOCAL statement_timeout = 1234');
    const after = await client.query("select current_setting('statement_timeout') as t");
    expect(after.rows[0].t).toBe('0');
  });

  it('reads a suspended portal batch by batch, and the next statement closes it', async () => {
    await withExchange(async (exchange) => {
    const first = await exchange.statement('select g from generate_series(1, 5) g', [], { maxRows: 2 });
    expect(first).toMatchObject({ rows: [[1], [2]], suspended: true });
    expect(await exchange.more(2)).toMatchObject({ rows: [[3], [4]], suspended: true });
    const other = await exchange.statement('select 7 as seven', [], { maxRows: 0 });
    expect(other.rows).toEqual([[7]]);
      await exchange.end(['ROLLBACK']);
    }, 'BEGIN');
  });

  it('fails the statement that erred and every one behind it, then syncs', async () => {
    await withExchange(async (exchange) => {
    const failing = exchange.statement('select 1 / 0', [], { maxRows: 0 });
    const behind = exchange.statement('select 2', [], { maxRows: 0 });
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    await expect(behind).rejects.toMatchObject({ code: '22012' });
    expect(exchange.open).toBe(false);
    await expect(exchange.statement('select 3', [], { maxRows: 0 })).rejects.toMatchObject({ code: '22012' });
    await expect(exchange.end(['ROLLBACK'])).rejects.toMatchObject({ code: '22012' });
      // The transaction is aborted, not ended: the caller must still roll it back.
      await expect(client.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    }, 'BEGIN');
  });

  it('reports a failing opening command through the first statement', async () => {
    await withExchange(async (exchange) => {
      await expect(exchange.statement('select 1', [], { maxRows: 0 })).rejects.toMatchObject({ code: '42704' });
    }, 'BEGIN', 'SET LOCAL no_such_setting = 1');
  });

  it('reports a failing closing command from end()', async () => {
    await withExchange(async (exchange) => {
      await exchange.statement('select 1', [], { maxRows: 0 });
      await expect(exchange.end(['select 1 / 0'])).rejects.toMatchObject({ code: '22012' });
    });
  });
});

describe('Session without a transaction of its own', () => {
  it('recovers inside the caller\'s transaction block after a failed statement', async () => {
    const client = await connectAs(inject('readerUrl'));
    try {
      const session = new Session(client);
      await client.query('BEGIN');
      await client.query('SAVEPOINT before');
      await expect(session.query('select 1 / 0')).rejects.toMatchObject({ code: '22012' });
      await client.query('ROLLBACK TO SAVEPOINT before');
      expect(await session.query('select 2 as two')).toEqual([{ two: 2 }]);
      await expect(session.rows("select 'x'::int", [], { maxRows: 5, maxBytes: 1000 })).rejects.toMatchObject({ code: '22P02' });
      await client.query('ROLLBACK TO SAVEPOINT before');
      expect(await session.query('select 3 as three')).toEqual([{ three: 3 }]);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it('syncs each statement, so plain queries can run between them', async () => {
    const client = await connectAs(inject('readerUrl'));
    try {
      const session = new Session(client);
      expect(await session.query('select 1 as a')).toEqual([{ a: 1 }]);
      await client.query('SET search_path = shop');
      expect(await session.query('select current_schema() as s')).toEqual([{ s: 'shop' }]);
      await expect(session.query('select 1 / 0')).rejects.toMatchObject({ code: '22012' });
      expect(await session.rows('select g from generate_series(1, 3) g', [], { maxRows: 2, maxBytes: 1000 })).toMatchObject({ rows: [[1], [2]], truncated: 'max_rows' });
    } finally {
      await client.end();
    }
  });
});

describe('Session in a call transaction', () => {
  const BEGIN = ['BEGIN TRANSACTION READ ONLY', "SELECT pg_catalog.set_config('statement_timeout', '4321', true)"];
  const END = ['ROLLBACK', 'SELECT pg_catalog.pg_advisory_unlock_all()'];
  let client: pg.Client;
  /** Writes to PostgreSQL's socket since the last reset: one per round trip the session started. */
  let writes = 0;
  beforeAll(async () => {
    client = await connectAs(inject('readerUrl'));
    const stream = (client as unknown as { connection: { stream: { write(...args: unknown[]): boolean } } }).connection.stream;
    const write = stream.write.bind(stream);
    stream.write = (...args: unknown[]) => {
      writes++;
      return write(...args);
    };
  });
  afterEach(async () => {
    // The call's transaction is over and its local settings with it.
    const after = await client.query("select current_setting('statement_timeout') as t, pg_catalog.txid_current_if_assigned() is null as fresh");
    expect(after.rows[0]).toEqual({ t: '0', fresh: true });
  });
  afterAll(async () => {
    await client?.end();
  });

  async function inCall<T>(work: (session: Session) => Promise<T>): Promise<{ result: T; writes: number }> {
    writes = 0;
    const session = new Session(client, { begin: BEGIN, end: END });
    const result = await work(session);
    expect(await session.end()).toBe(true);
    return { result, writes };
  }

  it('sends a statement whose rows fit one fetch with the opening and closing commands, in one write', async () => {
    const all = await inCall((session) => session.rows("select g, current_setting('statement_timeout') as t from generate_series(1, 5) g", [], { maxRows: 10, maxBytes: 10_000 }));
    expect(all.result).toMatchObject({ rows: [[1, '4321ms'], [2, '4321ms'], [3, '4321ms'], [4, '4321ms'], [5, '4321ms']], truncated: undefined });
    expect(all.result.fields.map((field) => field.name)).toEqual(['g', 't']);
    expect(all.writes).toBe(1);

    const capped = await inCall((session) => session.rows('select g from generate_series(1, 100000) g', [], { maxRows: 100, maxBytes: 100_000 }));
    expect(capped.result.rows).toHaveLength(100);
    expect(capped.result).toMatchObject({ truncated: 'max_rows' });
    expect(capped.result.rows.at(-1)).toEqual([100]);
    expect(capped.writes).toBe(1);

    const exact = await inCall((session) => session.rows('select g from generate_series(1, 100) g', [], { maxRows: 100, maxBytes: 100_000 }));
    expect(exact.result).toMatchObject({ truncated: undefined });
    expect(exact.result.rows).toHaveLength(100);
  });

  it('keeps rows up to the byte budget in one fetch, at least one, dropping the rest unread', async () => {
    const cut = await inCall((session) => session.rows("select g, repeat('x', 100) as pad from generate_series(1, 50) g", [], { maxRows: 100, maxBytes: 350 }));
    expect(cut.result.rows.map((row) => row[0])).toEqual([1, 2, 3]);
    expect(cut.result).toMatchObject({ truncated: 'max_bytes' });
    expect(cut.writes).toBe(1);
    const one = await inCall((session) => session.rows("select repeat('y', 5000) as big from generate_series(1, 3)", [], { maxRows: 100, maxBytes: 100 }));
    expect(one.result.rows).toHaveLength(1);
    expect(one.result).toMatchObject({ truncated: 'max_bytes' });
  });

  it('reads a cap larger than one fetch in batches through the open portal, then ends the call', async () => {
    const capped = await inCall((session) => session.rows('select g from generate_series(1, 100000) g', [], { maxRows: 300, maxBytes: 100_000 }));
    expect(capped.result.rows).toEqual(Array.from({ length: 300 }, (_, index) => [index + 1]));
    expect(capped.result).toMatchObject({ truncated: 'max_rows' });
    expect(capped.writes).toBeGreaterThan(1);

    const fewer = await inCall((session) => session.rows('select g from generate_series(1, 250) g', [], { maxRows: 300, maxBytes: 100_000 }));
    expect(fewer.result.rows).toHaveLength(250);
    expect(fewer.result).toMatchObject({ truncated: undefined });

    const bytes = await inCall((session) => session.rows("select g, repeat('x', 100) as pad from generate_series(1, 1000) g", [], { maxRows: 500, maxBytes: 20_000 }));
    expect(bytes.result).toMatchObject({ truncated: 'max_bytes' });
    expect(bytes.result.rows.length).toBeGreaterThan(100);
    expect(bytes.result.rows.length).toBeLessThan(200);
  });

  it('runs a statement after the one-fetch statement in a fresh transaction with the same settings', async () => {
    const both = await inCall(async (session) => {
      const first = await session.rows('select pg_catalog.txid_current_if_assigned() is null as fresh', [], { maxRows: 10, maxBytes: 10_000 });
      const after = await session.query("select current_setting('statement_timeout') as t, current_setting('transaction_read_only') as ro");
      return { first: first.rows, after };
    });
    expect(both.result).toEqual({ first: [[true]], after: [{ t: '4321ms', ro: 'on' }] });
  });

  it('leaves a failed one-fetch statement to be rolled back by the caller', async () => {
    writes = 0;
    const session = new Session(client, { begin: BEGIN, end: END });
    await expect(session.rows('select 1 / 0', [], { maxRows: 10, maxBytes: 10_000 })).rejects.toMatchObject({ code: '22012' });
    await expect(session.query('select 1')).rejects.toMatchObject({ code: '22012' });
    expect(await session.end()).toBe(false);
    await expect(client.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query(END.join('; '));
  });
});
