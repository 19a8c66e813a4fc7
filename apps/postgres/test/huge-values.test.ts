// One call must never take the process down: a value too large to read (the protocol reader
// would buffer it whole and then fail to make a string of it) ends that call with a clear
// error, its connection is closed, and the next call runs on a new one. The message guard is
// also checked on its own, on chunks cut anywhere.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { guardMessages, MAX_MESSAGE_BYTES, MessageFrames } from '../src/db/message-guard.js';
import { openPostgres } from './support/server.js';
import type { PostgresSession, Rows } from './support/server.js';

/** A protocol message: type byte, length (counting itself) and body. */
function message(type: string, bodyBytes: number): Buffer {
  const buffer = Buffer.alloc(5 + bodyBytes, 0x61);
  buffer.write(type, 0, 'latin1');
  buffer.writeUInt32BE(4 + bodyBytes, 1);
  return buffer;
}

/** Every way of cutting `bytes` into two chunks, and into single bytes. */
function cuts(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [];
  for (let at = 0; at <= bytes.length; at++) ways.push([bytes.subarray(0, at), bytes.subarray(at)]);
  ways.push([...bytes].map((byte) => Buffer.from([byte])));
  return ways;
}

describe('MessageFrames', () => {
  it('follows message boundaries however the chunks are cut, and lets messages up to the cap through', () => {
    const stream = Buffer.concat([message('D', 10), message('C', 0), message('D', 16), message('Z', 1)]);
    for (const chunks of cuts(stream)) {
      const frames = new MessageFrames(16);
      for (const chunk of chunks) expect(frames.scan(chunk)).toBeUndefined();
    }
  });

  it.each([
    ['a row', 'D', /PostgreSQL sent a row of/],
    ['an error', 'E', /an error or notice message/],
    ['a notice', 'N', /an error or notice message/],
    ['any other message', 'T', /a protocol message/],
  ])('refuses %s over the cap, wherever its header is cut', (_label, type, text) => {
    const stream = Buffer.concat([message('D', 8), message(type, 17).subarray(0, 12)]);
    for (const chunks of cuts(stream)) {
      const frames = new MessageFrames(16);
      // The guard closes the stream at the first error: nothing is scanned after it.
      let error: Error | undefined;
      for (const chunk of chunks) if ((error = frames.scan(chunk))) break;
      expect(error?.message).toMatch(text);
      expect(error?.message).toMatch(/connection closed/);
    }
  });

  it('refuses a length shorter than the length field itself', () => {
    const bad = Buffer.from([0x44, 0, 0, 0, 3]);
    expect(new MessageFrames(16).scan(bad)?.message).toMatch(/malformed/);
  });
});

class FakeStream extends EventEmitter {
  destroyed = false;
  destroyedWith: Error | undefined;
  destroy(error?: Error): void {
    this.destroyed = true;
    this.destroyedWith = error;
  }
}

describe('guardMessages', () => {
  it('passes chunks to the reader, closes the stream on a message over the cap without passing it', () => {
    const stream = new FakeStream();
    const seen: number[] = [];
    stream.on('data', (chunk: Buffer) => seen.push(chunk.length));
    guardMessages(stream, 16);
    stream.emit('data', message('D', 4));
    expect(seen).toEqual([9]);
    stream.emit('data', message('D', 40).subarray(0, 20));
    expect(seen).toEqual([9]);
    expect(stream.destroyedWith?.message).toMatch(/a row of .* more than the/);
  });

  it('turns a reader that throws into a closed stream with the reason, not an exception', () => {
    const stream = new FakeStream();
    stream.on('data', () => {
      throw new RangeError('Cannot create a string longer than 0x1fffffe8 characters');
    });
    guardMessages(stream, 16);
    expect(() => stream.emit('data', message('D', 4))).not.toThrow();
    expect(stream.destroyedWith?.message).toMatch(/Reading PostgreSQL's answer failed \(RangeError: Cannot create a string longer/);
  });

  it('caps messages well below the longest string the runtime can make', () => {
    expect(MAX_MESSAGE_BYTES).toBeLessThan(0x1fffffe8 / 4);
  });
});

describe('a value too large to read, through the query tool', () => {
  let db: PostgresSession;
  beforeAll(async () => {
    db = await openPostgres({ env: { POSTGRES_URL: inject('readerUrl'), POSTGRES_STATEMENT_TIMEOUT_MS: '60000' } });
  });
  afterAll(async () => {
    await db?.close();
  });

  async function nextCallWorks(): Promise<void> {
    const rows = await db.ok<Rows>('query', { sql: "select 'still here' as answer" });
    expect(rows.rows).toEqual([['still here']]);
  }

  it.each([
    ['a 540 MB string', "select repeat('x', 540000000) as huge"],
    ['a 100 MB array', "select array_agg(repeat('x', 1000)) as huge from generate_series(1, 100000)"],
    ['a 100 MB jsonb document', "select jsonb_agg(repeat('x', 1000)) as huge from generate_series(1, 100000)"],
    ['a large row of several values', "select repeat('a', 40000000) as a, repeat('b', 40000000) as b"],
  ])('%s ends the call with a clear error, and the next call works', async (_label, sql) => {
    const message = await db.refused('query', { sql });
    expect(message).toMatch(/PostgreSQL sent a row of \d+ MB, more than the 64 MB this server reads in one message/);
    await nextCallWorks();
  });

  it('a large value under the cap but over the response budget is refused by the budget', async () => {
    const message = await db.refused('query', { sql: "select repeat('x', 5000000) as big" });
    expect(message).toMatch(/over the response budget/);
    await nextCallWorks();
  });
});
