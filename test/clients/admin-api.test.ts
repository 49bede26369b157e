import { describe, expect, it } from 'vitest';
import { issueInvoice } from '../../src/invoices/issue.js';
import { bearer, loginAs } from '../auth/helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newInvoice, newProduct, newService } from '../helpers/factories.js';

const ADMIN = basicHeader('ops@example.com', 'admin-password-1');

async function setup(): Promise<TestApp> {
  const t = await createTestApp();
  await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
  return t;
}

function admin(t: TestApp, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  return t.inject({
    method,
    url: `/admin/api/v1${url}`,
    headers: { authorization: ADMIN },
    ...(payload ? { payload } : {}),
  });
}

async function auditActions(t: TestApp, clientId: string) {
  const rows = await t.app.db.kysely
    .selectFrom('audit_log')
    .select(['action', 'actor_type', 'actor_id', 'details'])
    .where('target_id', '=', clientId)
    .orderBy('id')
    .execute();
  return rows;
}

describe('Admin API: clients', () => {
  it('lists clients newest first, searching email or name in any case, by status, page by page', async () => {
    const t = await setup();
    const jane = await newClient(t.app, { name: 'Jane Müller', email: 'jane@shop.example' });
    const bob = await newClient(t.app, { name: 'Bob Stone', email: 'bob@JANEWAY.example'.toLowerCase() });
    const carl = await newClient(t.app, { name: 'Carl 100%_off', status: 'suspended' });

    const byName = await admin(t, 'GET', '/clients?q=JANE');
    expect(byName.statusCode).toBe(200);
    expect(
      byName
        .json()
        .items.map((c: { id: string }) => c.id)
        .sort(),
    ).toEqual([jane.row.id, bob.row.id].sort());

    const literal = await admin(t, 'GET', `/clients?q=${encodeURIComponent('0%_')}`);
    expect(literal.json().items.map((c: { id: string }) => c.id)).toEqual([carl.row.id]);
    const wildcard = await admin(t, 'GET', `/clients?q=${encodeURIComponent('%')}`);
    expect(wildcard.json().items.map((c: { id: string }) => c.id)).toEqual([carl.row.id]);

    const suspended = await admin(t, 'GET', '/clients?status=suspended');
    expect(suspended.json().items.map((c: { id: string }) => c.id)).toEqual([carl.row.id]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await admin(t, 'GET', `/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      seen.push(...page.json().items.map((c: { id: string }) => c.id));
      cursor = page.json().next_cursor;
    } while (cursor);
    expect(seen).toEqual([carl.row.id, bob.row.id, jane.row.id].sort().reverse());
    const oldest: string[] = [];
    cursor = null;
    do {
      const page = await admin(t, 'GET', `/clients?sort=oldest&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      oldest.push(...page.json().items.map((c: { id: string }) => c.id));
      cursor = page.json().next_cursor;
    } while (cursor);
    expect(oldest).toEqual([carl.row.id, bob.row.id, jane.row.id].sort());

    const bad = await admin(t, 'GET', '/clients?status=gone');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toContain('status');
  });

  it('shows a client with its balance, services by status and unpaid invoices', async () => {
    const t = await setup();
    const c = await newClient(t.app, { credit_minor: 1250 });
    const product = await newProduct(t.app);
    await newService(t.app, { clientId: c.row.id, productId: product.id, status: 'active' });
    await newService(t.app, { clientId: c.row.id, productId: product.id, status: 'terminated' });
    await newInvoice(t.app, { clientId: c.row.id });
    await newInvoice(t.app, { clientId: c.row.id, status: 'paid' });

    const res = await admin(t, 'GET', `/clients/${c.row.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: c.row.id,
      email: c.email,
      status: 'active',
      credit: { amount_minor: 1250, currency: 'USD' },
      services: { total: 2, active: 1, terminated: 1, suspended: 0 },
      unpaid_invoices: 1,
    });

    const missing = await admin(t, 'GET', `/clients/${c.row.id.slice(0, -1)}Z`);
    expect(missing.statusCode).toBe(404);
  });

  it('changes a profile: country is ISO 3166-1 alpha-2 and decides the tax, email stays unique, audited', async () => {
    const t = await setup();
    await t.app.settings.set('billing.tax_rates', 'DE=19:VAT');
    const c = await newClient(t.app);
    const other = await newClient(t.app);

    const unknown = await admin(t, 'PATCH', `/clients/${c.row.id}`, { country: 'XX' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([expect.objectContaining({ field: 'country' })]);
    expect(unknown.json().detail).toContain('ISO 3166-1 alpha-2');

    const taken = await admin(t, 'PATCH', `/clients/${c.row.id}`, { email: other.email.toUpperCase() });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().detail).toContain(other.email);

    const badEmail = await admin(t, 'PATCH', `/clients/${c.row.id}`, { email: 'not-an-email' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().errors[0].field).toBe('email');

    const ok = await admin(t, 'PATCH', `/clients/${c.row.id}`, {
      country: 'de',
      email: 'New@Example.com',
      address: 'Hauptstr. 1\n10115 Berlin',
      tax_id: 'DE123456789',
      company: null,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      country: 'DE',
      email: 'new@example.com',
      address: 'Hauptstr. 1\n10115 Berlin',
      tax_id: 'DE123456789',
      company: null,
    });

    // The new country's tax applies to the client's next invoice; the new email logs in.
    const { invoice } = await t.app.db.kysely.transaction().execute((trx) =>
      issueInvoice(trx, t.app.settings.snapshot, t.app.clock.nowMs(), {
        clientId: c.row.id,
        currency: 'USD',
        kind: 'manual',
        dueAtMs: t.app.clock.nowMs(),
        items: [{ kind: 'manual', description: 'Setup', amountMinor: 1000 }],
      }),
    );
    expect(invoice).toMatchObject({ tax_minor: 190, tax_name: 'VAT' });
    const login = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'new@example.com', password: c.password },
    });
    expect(login.statusCode).toBe(200);

    const entries = await auditActions(t, c.row.id);
    expect(entries).toEqual([expect.objectContaining({ action: 'client.update', actor_type: 'admin' })]);
    expect(JSON.parse(entries[0]?.details ?? '{}')).toMatchObject({ previousEmail: c.email });
  });

  it('a suspended client is refused on every credential, cached ones too, until unsuspended', async () => {
    const t = await setup();
    const c = await newClient(t.app);
    const jwt = (await loginAs(t, c)).access_token;
    const token = await t.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(jwt),
      payload: { name: 'ci', scope: 'read' },
    });
    expect(token.statusCode).toBe(201);
    const apiToken = token.json().token as string;
    const credentials = [c.basic, `Bearer ${jwt}`, `Bearer ${apiToken}`];
    // Warm the Basic verification cache and the JWT cache.
    for (const authorization of credentials) {
      expect((await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization } })).statusCode).toBe(
        200,
      );
    }

    const suspended = await admin(t, 'POST', `/clients/${c.row.id}/suspend`, { reason: 'Chargeback' });
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json().status).toBe('suspended');
    for (const authorization of credentials) {
      const res = await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization } });
      expect(res.statusCode).toBe(401);
    }
    const again = await admin(t, 'POST', `/clients/${c.row.id}/suspend`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('already suspended');

    expect((await admin(t, 'POST', `/clients/${c.row.id}/unsuspend`)).json().status).toBe('active');
    for (const authorization of credentials) {
      expect((await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization } })).statusCode).toBe(
        200,
      );
    }
    const actions = (await auditActions(t, c.row.id)).map((e) => e.action);
    expect(actions).toEqual(['client.suspend', 'client.unsuspend']);
  });

  it('closing is refused while services run, naming them; once closed no credential works', async () => {
    const t = await setup();
    const c = await newClient(t.app);
    const product = await newProduct(t.app);
    const live = await newService(t.app, { clientId: c.row.id, productId: product.id, status: 'active' });
    const paused = await newService(t.app, { clientId: c.row.id, productId: product.id, status: 'suspended' });
    await newService(t.app, { clientId: c.row.id, productId: product.id, status: 'terminated' });
    const tokens = await loginAs(t, c);
    // Warm the Basic verification cache.
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: c.basic } })).statusCode,
    ).toBe(200);

    const refused = await admin(t, 'POST', `/clients/${c.row.id}/close`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain(live.id);
    expect(refused.json().detail).toContain(paused.id);
    expect(refused.json().detail).toContain('Terminate them first');
    expect((await admin(t, 'GET', `/clients/${c.row.id}`)).json().status).toBe('active');

    await t.app.db.kysely
      .updateTable('services')
      .set({ status: 'terminated' })
      .where('id', 'in', [live.id, paused.id])
      .execute();
    const closed = await admin(t, 'POST', `/clients/${c.row.id}/close`);
    expect(closed.statusCode).toBe(200);
    expect(closed.json().status).toBe('closed');

    for (const authorization of [c.basic, `Bearer ${tokens.access_token}`]) {
      expect((await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization } })).statusCode).toBe(
        401,
      );
    }
    const refresh = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    expect(refresh.statusCode).toBe(401);
    const login = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: c.email, password: c.password },
    });
    expect(login.statusCode).toBe(401);

    const reopen = await admin(t, 'POST', `/clients/${c.row.id}/unsuspend`);
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json().detail).toContain('closed');
    expect((await auditActions(t, c.row.id)).map((e) => e.action)).toEqual(['client.close']);
  });

  it('refuses a client’s own credentials', async () => {
    const t = await setup();
    const c = await newClient(t.app);
    const res = await t.inject({ method: 'GET', url: '/admin/api/v1/clients', headers: { authorization: c.basic } });
    expect(res.statusCode).toBe(401);
  });
});
