import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newClient, newProduct } from '../helpers/factories.js';

describe('account routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('GET /account shows the caller’s own profile and credit, never the password hash', async () => {
    const me = await newClient(t.app, { credit_minor: 2500, company: 'Example Ltd' });
    const res = await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: me.row.id,
      email: me.email,
      company: 'Example Ltd',
      credit: { amount_minor: 2500, currency: 'USD' },
    });
    expect(res.body).not.toContain('scrypt');
  });

  it('PATCH /account changes only the fields sent and validates each', async () => {
    const me = await newClient(t.app, { name: 'Old Name', phone: '+1 555 0100' });
    const res = await t.inject({
      method: 'PATCH',
      url: '/api/v1/account',
      headers: { authorization: me.basic },
      payload: { name: 'New Name', country: 'GB' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'New Name', country: 'GB', phone: '+1 555 0100' });

    const bad = await t.inject({
      method: 'PATCH',
      url: '/api/v1/account',
      headers: { authorization: me.basic },
      payload: { country: 'Britain', name: 42 },
    });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.country', 'body.name']));

    const empty = await t.inject({
      method: 'PATCH',
      url: '/api/v1/account',
      headers: { authorization: me.basic },
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });

  it('POST /account/password needs the current password, and the old password stops working at once', async () => {
    const me = await newClient(t.app);
    const wrong = await t.inject({
      method: 'POST',
      url: '/api/v1/account/password',
      headers: { authorization: me.basic },
      payload: { current_password: 'not-it-at-all', new_password: 'a-brand-new-password' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([{ field: 'body.current_password', message: 'does not match' }]);

    // Warm the Basic verification cache, then change the password.
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
    ).toBe(200);
    const changed = await t.inject({
      method: 'POST',
      url: '/api/v1/account/password',
      headers: { authorization: me.basic },
      payload: { current_password: me.password, new_password: 'a-brand-new-password' },
    });
    expect(changed.statusCode).toBe(204);
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
    ).toBe(401);
    const fresh = basicHeader(me.email, 'a-brand-new-password');
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: fresh } })).statusCode,
    ).toBe(200);
  });

  it('a password change on one instance locks the old password out of another instance’s cache', async () => {
    const twin = await t.twin();
    const me = await newClient(t.app);
    expect(
      (await twin.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
    ).toBe(200);
    await t.inject({
      method: 'POST',
      url: '/api/v1/account/password',
      headers: { authorization: me.basic },
      payload: { current_password: me.password, new_password: 'another-new-password' },
    });
    expect(
      (await twin.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
    ).toBe(401);
  });

  it('a suspended client cannot use the API even with a cached verification', async () => {
    const me = await newClient(t.app);
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
    ).toBe(200);
    await t.app.db.kysely.updateTable('clients').set({ status: 'suspended' }).where('id', '=', me.row.id).execute();
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
    ).toBe(401);
  });

  it('ten wrong Basic passwords from one address throttle it, but not the owner elsewhere', async () => {
    const me = await newClient(t.app);
    const wrong = basicHeader(me.email, 'wrong-password!');
    const attacker = '203.0.113.9';
    const fromAttacker = (authorization: string) =>
      t.inject({ method: 'GET', url: '/api/v1/account', remoteAddress: attacker, headers: { authorization } });
    for (let i = 0; i < 10; i++) expect((await fromAttacker(wrong)).statusCode).toBe(401);
    const throttled = await fromAttacker(wrong);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe('login_throttled');
    const owner = await t.inject({
      method: 'GET',
      url: '/api/v1/account',
      remoteAddress: '198.51.100.20',
      headers: { authorization: me.basic },
    });
    expect(owner.statusCode).toBe(200);
    expect(owner.json().id).toBe(me.row.id);
    expect((await fromAttacker(wrong)).statusCode).toBe(429);
  });

  it('failed Basic logins are throttled per account and address: 429 with Retry-After, even for the right password', async () => {
    const me = await newClient(t.app);
    const wrong = basicHeader(me.email, 'wrong-password!');
    for (let i = 0; i < 10; i++) {
      expect(
        (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: wrong } })).statusCode,
      ).toBe(401);
    }
    const blocked = await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('login_throttled');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('catalog routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('lists enabled products with prices and hides disabled ones (404 by id)', async () => {
    const on = await newProduct(t.app, { name: 'Visible' });
    const off = await newProduct(t.app, { name: 'Hidden', enabled: false });
    const list = await t.inject({ method: 'GET', url: '/api/v1/products' });
    const names = list.json().items.map((p: { name: string }) => p.name);
    expect(names).toContain('Visible');
    expect(names).not.toContain('Hidden');
    const one = await t.inject({ method: 'GET', url: `/api/v1/products/${on.id}` });
    expect(one.json().prices).toEqual([
      { billing_cycle: 'monthly', amount_minor: 499, setup_fee_minor: 0, currency: 'USD' },
    ]);
    expect((await t.inject({ method: 'GET', url: `/api/v1/products/${off.id}` })).statusCode).toBe(404);
    const byCategory = await t.inject({ method: 'GET', url: `/api/v1/products?category_id=${on.categoryId}` });
    expect(byCategory.json().items.map((p: { id: string }) => p.id)).toEqual([on.id]);
  });
});
