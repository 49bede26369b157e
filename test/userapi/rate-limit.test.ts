import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient } from '../helpers/factories.js';

const app = (): Promise<TestApp> => createTestApp();

describe('User API rate limit', () => {
  it('allows exactly the configured number of requests per client, then 429 with Retry-After', async () => {
    const t = await app();
    await t.app.settings.set('userapi.rate_limit', '5/60s');
    const me = await newClient(t.app);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestApp['inject']>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last?.headers['content-type']).toContain('application/problem+json');
    expect(last?.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.headers['ratelimit-policy']).toBe('"default";q=5;w=60');
    expect(last?.headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/);
  });

  it('counts each client separately, and anonymous callers per IP', async () => {
    const t = await app();
    await t.app.settings.set('userapi.rate_limit', '2/60s');
    const a = await newClient(t.app);
    const b = await newClient(t.app);
    for (const who of [a, a]) {
      expect(
        (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: who.basic } })).statusCode,
      ).toBe(200);
    }
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: a.basic } })).statusCode,
    ).toBe(429);
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: b.basic } })).statusCode,
    ).toBe(200);

    const fromIp = (ip: string) => t.inject({ method: 'GET', url: '/api/v1/categories', remoteAddress: ip });
    expect([
      (await fromIp('10.0.0.1')).statusCode,
      (await fromIp('10.0.0.1')).statusCode,
      (await fromIp('10.0.0.1')).statusCode,
    ]).toEqual([200, 200, 429]);
    expect((await fromIp('10.0.0.2')).statusCode).toBe(200);
  });

  it('announces the policy and the remaining budget on every response', async () => {
    const t = await app();
    await t.app.settings.set('userapi.rate_limit', '10/1m');
    const res = await t.inject({ method: 'GET', url: '/api/v1/categories' });
    expect(res.headers['ratelimit-policy']).toBe('"default";q=10;w=60');
    expect(res.headers.ratelimit).toMatch(/^"default";r=9;t=\d+$/);
  });

  it('applies a changed limit without a restart, and "off" removes it', async () => {
    const t = await app();
    await t.app.settings.set('userapi.rate_limit', '1/60s');
    expect((await t.inject({ method: 'GET', url: '/api/v1/categories' })).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/api/v1/categories' })).statusCode).toBe(429);
    await t.app.settings.set('userapi.rate_limit', 'off');
    const res = await t.inject({ method: 'GET', url: '/api/v1/categories' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-policy']).toBeUndefined();
  });

  it.runIf(!!process.env.REDIS_URL)('holds across two instances sharing Redis: never more than the limit', async () => {
    const one = await app();
    const two = await one.twin();
    await one.app.settings.set('userapi.rate_limit', '20/60s');
    await two.app.watcher.check(true);
    const me = await newClient(one.app);
    const calls = Array.from({ length: 60 }, (_, i) =>
      (i % 2 ? one : two).inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } }),
    );
    const statuses = (await Promise.all(calls)).map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
  });
});
