import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../src/index.js';
import type { FakeUpstream } from '../src/index.js';

let fake: FakeUpstream | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('startFakeUpstream', () => {
  it('answers routes on 127.0.0.1 with path parameters and records every request', async () => {
    fake = await startFakeUpstream({
      'GET /repos/:owner/:repo/issues': (request) => ({
        body: [{ owner: request.params.owner, repo: request.params.repo, state: request.query.get('state') }],
        headers: { link: '<next>; rel="next"' },
      }),
      'POST /api/chat.postMessage': (request) => ({ status: 201, body: { ok: true, text: request.form().get('text') } }),
    });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const list = await fetch(`${fake.url}/repos/acme/rocket/issues?state=open`, { headers: { authorization: 'token t' } });
    expect(list.headers.get('link')).toBe('<next>; rel="next"');
    expect(await list.json()).toEqual([{ owner: 'acme', repo: 'rocket', state: 'open' }]);

    const post = await fetch(`${fake.url}/api/chat.postMessage`, {
      method: 'POST',
      body: 'channel=C1&text=hello',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(post.status).toBe(201);
    expect(await post.json()).toEqual({ ok: true, text: 'hello' });

    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /repos/acme/rocket/issues',
      'POST /api/chat.postMessage',
    ]);
    expect(fake.requests[0]?.headers.authorization).toBe('token t');
    expect(fake.requests[1]?.body).toBe('channel=C1&text=hello');
  });

  it('answers unmatched requests with 404 and still records them', async () => {
    fake = await startFakeUpstream({ 'GET /known': () => ({ body: {} }) });
    const response = await fetch(`${fake.url}/unknown`, { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'no fake route for DELETE /unknown' });
    expect(fake.requests).toHaveLength(1);
  });

  it('takes new routes while running and turns a throwing handler into a 500', async () => {
    fake = await startFakeUpstream();
    fake.route('GET /late', () => ({ body: { late: true } }));
    fake.route('GET /broken', () => {
      throw new Error('boom');
    });
    expect(await (await fetch(`${fake.url}/late`)).json()).toEqual({ late: true });
    expect((await fetch(`${fake.url}/broken`)).status).toBe(500);
  });
});
