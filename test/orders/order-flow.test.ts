import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicHeader, newAdmin, newClient } from '../helpers/factories.js';
import { type ProvisioningHarness, settle, startProvisioning } from '../provisioning/helpers.js';

describe('order → pay → active, over real HTTPS to the sandbox panel', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
    await h.t.app.settings.set('userapi.rate_limit', 'off');
  });
  afterAll(async () => {
    await h?.close();
  });

  const order = (auth: string, body: object, key?: string) =>
    h.t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: auth, ...(key ? { 'idempotency-key': key } : {}) },
      payload: body,
    });
  const pay = (auth: string, invoiceId: string, key?: string) =>
    h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoiceId}/payments`,
      headers: { authorization: auth, ...(key ? { 'idempotency-key': key } : {}) },
      payload: {},
    });

  it('a client orders, pays from credit, and gets a working account on the panel', async () => {
    const me = await newClient(h.t.app, { credit_minor: 10_000 });
    const placed = await order(me.basic, { product_id: h.productId, billing_cycle: 'monthly', domain: 'Shop.Example' });
    expect(placed.statusCode).toBe(201);
    const { invoice_id, service_id } = placed.json();
    expect(placed.headers.location).toBe(`/api/v1/invoices/${invoice_id}`);
    const pending = await h.t.inject({
      method: 'GET',
      url: `/api/v1/services/${service_id}`,
      headers: { authorization: me.basic },
    });
    expect(pending.json()).toMatchObject({ status: 'pending', domain: 'shop.example' });

    const paid = await pay(me.basic, invoice_id);
    expect(paid.statusCode).toBe(201);
    const [operation] = paid.json().operations;
    const job = await settle(h, operation);
    expect(job.state).toBe('succeeded');
    const op = await h.t.inject({
      method: 'GET',
      url: `/api/v1/operations/${operation}`,
      headers: { authorization: me.basic },
    });
    expect(op.json()).toMatchObject({ state: 'succeeded', action: 'service.create', service_id, error: null });
    expect(op.json().steps_done).toEqual(
      expect.arrayContaining(['place', 'credentials', 'create-user', 'web-domain', 'dns-zone']),
    );

    const active = (
      await h.t.inject({ method: 'GET', url: `/api/v1/services/${service_id}`, headers: { authorization: me.basic } })
    ).json();
    expect(active.status).toBe('active');
    expect(h.panel.state.users[active.panel_username]).toMatchObject({ package: 'starter', email: me.email });
    expect(Object.keys(h.panel.state.users[active.panel_username]!.web)).toEqual(['shop.example']);
    const account = (
      await h.t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })
    ).json();
    expect(account.credit.amount_minor).toBe(10_000 - 499);
    expect(job.correlation_id).toBe(paid.headers['x-request-id']);
  });

  it('Idempotency-Key: the same request replays the first response once; another body is refused with 422', async () => {
    const me = await newClient(h.t.app, { credit_minor: 10_000 });
    const body = { product_id: h.productId, billing_cycle: 'monthly', domain: 'idem.example' };
    const first = await order(me.basic, body, 'key-1');
    const again = await order(me.basic, body, 'key-1');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const orders = await h.t.app.db.kysely
      .selectFrom('orders')
      .select('id')
      .where('client_id', '=', me.row.id)
      .execute();
    expect(orders).toHaveLength(1);
    const other = await order(me.basic, { ...body, domain: 'other.example' }, 'key-1');
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');

    const p1 = await pay(me.basic, first.json().invoice_id, 'pay-1');
    const p2 = await pay(me.basic, first.json().invoice_id, 'pay-1');
    expect(p2.json()).toEqual(p1.json());
    const payments = await h.t.app.db.kysely
      .selectFrom('payments')
      .select('id')
      .where('invoice_id', '=', first.json().invoice_id)
      .execute();
    expect(payments).toHaveLength(1);
    const jobs = await h.t.app.db.kysely
      .selectFrom('jobs')
      .select('id')
      .where('service_id', '=', first.json().service_id)
      .execute();
    expect(jobs).toHaveLength(1);
  });

  it('refuses to pay without enough credit, or twice, with what is wrong', async () => {
    const poor = await newClient(h.t.app, { credit_minor: 100 });
    const placed = (
      await order(poor.basic, { product_id: h.productId, billing_cycle: 'monthly', domain: 'poor.example' })
    ).json();
    const refused = await pay(poor.basic, placed.invoice_id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('Not enough credit');
    const rich = await newClient(h.t.app, { credit_minor: 10_000 });
    const placed2 = (
      await order(rich.basic, { product_id: h.productId, billing_cycle: 'monthly', domain: 'rich.example' })
    ).json();
    expect((await pay(rich.basic, placed2.invoice_id)).statusCode).toBe(201);
    const twice = await pay(rich.basic, placed2.invoice_id);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().detail).toContain('already paid');
  });

  it('validates the order: a bad domain, an unsold cycle, an unknown product', async () => {
    const me = await newClient(h.t.app);
    const bad = await order(me.basic, { product_id: h.productId, billing_cycle: 'monthly', domain: 'not a domain' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.domain');
    const www = await order(me.basic, { product_id: h.productId, billing_cycle: 'monthly', domain: 'www.example.com' });
    expect(www.json().errors[0].message).toContain('without "www."');
    const cycle = await order(me.basic, { product_id: h.productId, billing_cycle: 'biennially', domain: 'x.example' });
    expect(cycle.statusCode).toBe(400);
    expect(cycle.json().errors[0].field).toBe('body.billing_cycle');
    const unknown = await order(me.basic, {
      product_id: 'prd_01M86WVZA5E1WETD2EBGVN3NTX',
      billing_cycle: 'monthly',
      domain: 'x.example',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('an admin marks an invoice paid through the Admin API, and provisioning starts', async () => {
    await newAdmin(h.t.app, { email: 'billing@example.com', name: 'Billing', password: 'billing-password-1' });
    const me = await newClient(h.t.app);
    const placed = (
      await order(me.basic, { product_id: h.productId, billing_cycle: 'monthly', domain: 'wire.example' })
    ).json();
    const marked = await h.t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${placed.invoice_id}/mark-paid`,
      headers: { authorization: basicHeader('billing@example.com', 'billing-password-1') },
    });
    expect(marked.statusCode).toBe(201);
    expect((await settle(h, marked.json().operations[0])).state).toBe('succeeded');
    const svc = await h.t.app.db.kysely
      .selectFrom('services')
      .select('status')
      .where('id', '=', placed.service_id)
      .executeTakeFirstOrThrow();
    expect(svc.status).toBe('active');
  });
});
