import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, type TestClient } from '../helpers/factories.js';
import { bearer, loginAs } from './helpers.js';

describe('personal API tokens', () => {
  let t: TestApp;
  let clock: ManualClock;
  let me: TestClient;
  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    t = await createTestApp({ clock });
    await t.app.settings.set('userapi.rate_limit', 'off');
    me = await newClient(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (body: object, auth = me.basic) =>
    t.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: auth }, payload: body });

  it('creates a token whose secret is shown once and stored only as a hash', async () => {
    const res = await create({ name: 'backup script', scope: 'read' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created.token).toMatch(/^ptk_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    const row = await t.app.db.kysely
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    const secret = created.token.split('_').slice(2).join('_');
    expect(JSON.stringify(row)).not.toContain(secret);
    const list = await t.inject({ method: 'GET', url: '/api/v1/tokens', headers: { authorization: me.basic } });
    expect(list.json().items).toContainEqual(
      expect.objectContaining({ id: created.id, name: 'backup script', scope: 'read' }),
    );
    expect(list.body).not.toContain(secret);
  });

  it('a token authenticates; use is recorded as last_used_at', async () => {
    const { token, id } = (await create({ name: 'ci', scope: 'write' })).json();
    const res = await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const deadline = Date.now() + 2000;
    let lastUsed: number | null = null;
    while (lastUsed === null && Date.now() < deadline) {
      lastUsed = (
        await t.app.db.kysely
          .selectFrom('api_tokens')
          .select('last_used_at_ms')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).last_used_at_ms;
      if (lastUsed === null) await new Promise((r) => setTimeout(r, 20));
    }
    expect(lastUsed).toBe(clock.nowMs());
  });

  it('a read-only token can read but not write (403 insufficient_scope)', async () => {
    const { token } = (await create({ name: 'ro', scope: 'read' })).json();
    expect((await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(token) })).statusCode).toBe(200);
    const write = await t.inject({
      method: 'PATCH',
      url: '/api/v1/account',
      headers: bearer(token),
      payload: { name: 'x' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('insufficient_scope');
  });

  it('a token cannot mint or revoke tokens', async () => {
    const { token, id } = (await create({ name: 'rw', scope: 'write' })).json();
    expect((await create({ name: 'child', scope: 'write' }, `Bearer ${token}`)).statusCode).toBe(403);
    const del = await t.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: bearer(token) });
    expect(del.statusCode).toBe(403);
  });

  it('an expired token and a revoked token are refused', async () => {
    const expiring = (await create({ name: 'short', scope: 'read', expires_in_days: 1 })).json();
    clock.advance(86_400_000 + 1);
    const expired = await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(expiring.token) });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toContain('expired');

    const revoked = (await create({ name: 'gone', scope: 'read' })).json();
    expect(
      (await t.inject({ method: 'DELETE', url: `/api/v1/tokens/${revoked.id}`, headers: { authorization: me.basic } }))
        .statusCode,
    ).toBe(204);
    expect((await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(revoked.token) })).statusCode).toBe(
      401,
    );
  });

  it('a forged secret for a real token id is refused', async () => {
    const { token } = (await create({ name: 'real', scope: 'read' })).json();
    const forged = `${token.slice(0, 31)}${'A'.repeat(43)}`;
    expect((await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(forged) })).statusCode).toBe(401);
  });

  it('another client’s token id is a 404 on revoke', async () => {
    const other = await newClient(t.app);
    const theirs = (await create({ name: 'theirs', scope: 'read' }, other.basic)).json();
    const res = await t.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${theirs.id}`,
      headers: { authorization: me.basic },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('switching authentication methods off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('jwt off: access tokens and login are refused, naming the enabled methods', async () => {
    const me = await newClient(t.app);
    const tokens = await loginAs(t, me);
    await t.app.settings.set('userapi.auth_methods', 'basic,token');
    try {
      const res = await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(tokens.access_token) });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'auth_method_disabled' });
      expect(res.json().detail).toContain('Enabled methods: basic, token');
      const login = await t.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: me.email, password: me.password },
      });
      expect(login.statusCode).toBe(401);
      expect(login.json().code).toBe('auth_method_disabled');
    } finally {
      await t.app.settings.set('userapi.auth_methods', 'basic,jwt,token');
    }
  });

  it('token off: API tokens are refused; Basic still works', async () => {
    const me = await newClient(t.app);
    const { token } = (
      await t.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: me.basic },
        payload: { name: 'x', scope: 'read' },
      })
    ).json();
    await t.app.settings.set('userapi.auth_methods', 'basic');
    try {
      const res = await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(token) });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('auth_method_disabled');
      expect(
        (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
      ).toBe(200);
    } finally {
      await t.app.settings.set('userapi.auth_methods', 'basic,jwt,token');
    }
  });
});
