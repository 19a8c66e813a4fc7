// The start-up role check runs while initialize is answered: every tools/call waits for it, a
// call made meanwhile is served once it passes, and a privileged role never has a call served.
// A proxy holds the check's connection so that the calls are surely made while it runs.
import { setTimeout as delay } from 'node:timers/promises';
import { textOf } from '@bastion-mcp/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { heldProxy } from './support/held-proxy.js';
import type { HeldProxy } from './support/held-proxy.js';
import { openPostgres } from './support/server.js';
import type { PostgresSession, Rows } from './support/server.js';

let proxy: HeldProxy | undefined;
let db: PostgresSession | undefined;
afterEach(async () => {
  proxy?.release();
  await db?.close();
  await proxy?.close();
  db = undefined;
  proxy = undefined;
});

/** Tracks whether a promise has settled, without handling its outcome. */
function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled(): boolean } {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, settled: () => settled };
}

describe('the start-up role check', () => {
  it('answers initialize at once and holds a call made during the check until it passes, then serves it', async () => {
    proxy = await heldProxy(inject('readerUrl'));
    db = await openPostgres({ env: { POSTGRES_URL: proxy.url } });
    const listed = tracked(db.call('list_databases'));
    const queried = tracked(db.call('query', { sql: 'select 1 as one' }));
    await delay(300);
    expect(listed.settled()).toBe(false);
    expect(queried.settled()).toBe(false);

    proxy.release();
    const list = await listed.promise;
    expect(list.isError, textOf(list)).toBeFalsy();
    const rows = (await queried.promise).structuredContent as unknown as Rows;
    expect(rows.rows).toEqual([[1]]);
  });

  it('never serves a call as a superuser, though initialize was answered first', async () => {
    proxy = await heldProxy(inject('superuserUrl'));
    db = await openPostgres({ env: { POSTGRES_URL: proxy.url } });
    const waiting = tracked(db.call('query', { sql: 'select current_user' }));
    const listing = tracked(db.call('list_databases'));
    await delay(300);
    expect(waiting.settled()).toBe(false);

    proxy.release();
    for (const call of [await waiting.promise, await listing.promise, await db.call('describe_table', { table: 'public.countries' })]) {
      expect(call.isError).toBe(true);
      expect(textOf(call)).toMatch(/No call is served: The role "[^"]+" of database "default" is a superuser/);
      expect(textOf(call)).toMatch(/--allow-privileged-role/);
    }
  });
});
