import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newProduct, type TestClient } from '../helpers/factories.js';

/** The back office's lists of orders and of payments: who ordered what, and money in and out. */
describe('Admin API: GET /orders and GET /payments', () => {
  let t: TestApp;
  let ada: TestClient;
  let bob: TestClient;
  let productId: string;
  const admin = { authorization: basicHeader('ops@example.com', 'admin-password-1') };
  const get = (url: string) => t.inject({ method: 'GET', url: `/admin/api/v1${url}`, headers: admin });
  const order = async (who: TestClient, domain: string) =>
    (
      await t.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { authorization: who.basic },
        payload: { product_id: productId, billing_cycle: 'monthly', domain },
      })
    ).json() as { order_id: string; invoice_id: string; service_id: string };

  let paidInvoice = '';
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    productId = (await newProduct(t.app, { name: 'Starter' })).id;
    ada = await newClient(t.app, { name: 'Ada', credit_minor: 10_000 });
    bob = await newClient(t.app, { name: 'Bob' });
    const first = await order(ada, 'ada-one.example');
    await order(ada, 'ada-two.example');
    await order(bob, 'bob.example');
    const paid = await t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${first.invoice_id}/payments`,
      headers: { authorization: ada.basic },
      payload: {},
    });
    expect(paid.statusCode).toBe(201);
    paidInvoice = first.invoice_id;
    const refund = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${paidInvoice}/refunds`,
      headers: admin,
      payload: { amount_minor: 100, reason: 'Goodwill' },
    });
    expect(refund.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists orders newest first with client, product, invoice and status; filters by client (email) and status; pages', async () => {
    const all = await get('/orders');
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((o: { domain: string }) => o.domain)).toEqual([
      'bob.example',
      'ada-two.example',
      'ada-one.example',
    ]);
    expect(all.json().items[2]).toMatchObject({
      status: 'active',
      client_id: ada.row.id,
      client_name: 'Ada',
      product_name: 'Starter',
      billing_cycle: 'monthly',
      invoice_id: paidInvoice,
      invoice_status: 'paid',
      total_minor: 499,
      currency: 'USD',
    });
    const adas = await get(`/orders?client=${encodeURIComponent(ada.email)}&status=pending`);
    expect(adas.json().items.map((o: { domain: string }) => o.domain)).toEqual(['ada-two.example']);
    const first = await get('/orders?limit=2&sort=oldest');
    expect(first.json().items.map((o: { domain: string }) => o.domain)).toEqual(['ada-one.example', 'ada-two.example']);
    const next = await get(`/orders?limit=2&sort=oldest&cursor=${first.json().next_cursor}`);
    expect(next.json()).toMatchObject({
      items: [expect.objectContaining({ domain: 'bob.example' })],
      next_cursor: null,
    });
  });

  it('lists payments and refunds newest first, filtered by kind, method and client', async () => {
    const all = await get('/payments');
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((p: { kind: string; amount_minor: number }) => [p.kind, p.amount_minor])).toEqual([
      ['refund', 100],
      ['payment', 499],
    ]);
    expect(all.json().items[1]).toMatchObject({
      method: 'credit',
      invoice_id: paidInvoice,
      client_id: ada.row.id,
      client_email: ada.email,
      actor_type: 'client',
    });
    expect((await get('/payments?kind=refund')).json().items).toHaveLength(1);
    expect((await get('/payments?method=stripe')).json().items).toHaveLength(0);
    expect((await get(`/payments?client=${bob.row.id}`)).json().items).toHaveLength(0);
  });

  it('says what is wrong with a filter: an unknown client, a status or day that does not exist', async () => {
    const unknown = await get('/orders?client=nobody@example.test');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('nobody@example.test');
    const status = await get('/orders?status=shipped');
    expect(status.statusCode).toBe(400);
    expect(status.json().errors[0]).toMatchObject({ field: 'query.status' });
    const day = await get('/payments?from=2026-13-45');
    expect(day.statusCode).toBe(400);
    expect(day.json().errors[0].field).toBe('query.from');
  });
});
