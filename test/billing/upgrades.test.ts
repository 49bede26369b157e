import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateUpgrade } from '../../src/billing/upgrade.js';
import { insertCategory, insertProduct, type PriceRow } from '../../src/catalog/store.js';
import { ledgerBalance, listCreditEntries } from '../../src/clients/store.js';
import { listInvoiceItems } from '../../src/invoices/store.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { BillingCycle } from '../../src/platform/db/schema.js';
import { newId } from '../../src/platform/ids.js';
import { insertService } from '../../src/services/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, type TestClient } from '../helpers/factories.js';
import {
  enqueueCreate,
  type ProvisioningHarness,
  pendingService,
  service,
  settle,
  startProvisioning,
} from '../provisioning/helpers.js';

/**
 * Moving a service to another product of its category, prorated by local days in the provider's
 * time zone (Europe/Berlin here).
 *
 * The case worked by hand: a monthly service anchored on 15 January 2027 (Berlin), due on
 * 15 March, so its current period is [15 Feb, 15 Mar) = 28 local days. It is moved at 23:30 on
 * 1 March in Berlin (22:30 UTC): 14 days remain (1 → 15 March; counted in UTC it would be 13).
 *   unused of Starter 9.99: 999 × 14 / 28 = 499.5 → 500 (half up); used 999 − 500 = 499
 *   charge of Pro 24.99:   2499 × 14 / 28 = 1249.5 → 1250 (half up)
 *   to pay: 1250 − 500 = 750; from then on 24.99 a month.
 */
const ZONE = 'Europe/Berlin';
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const NOW = Date.UTC(2027, 2, 1, 22, 30); // 2027-03-01 23:30 in Berlin

let seq = 0;
async function category(t: TestApp) {
  const id = newId('category', t.app.clock.nowMs());
  await insertCategory(t.app.db.kysely, {
    id,
    slug: `cat-up-${seq++}`,
    name: 'Hosting',
    description: '',
    sort_order: 1,
  });
  return id;
}

async function product(
  t: TestApp,
  input: {
    categoryId: string;
    name: string;
    panelPackage?: string;
    enabled?: boolean;
    prices: Array<[BillingCycle, number, string?]>;
  },
) {
  const now = t.app.clock.nowMs();
  const id = newId('product', now);
  const prices: PriceRow[] = input.prices.map(([billing_cycle, amount_minor, currency]) => ({
    product_id: id,
    billing_cycle,
    amount_minor,
    setup_fee_minor: 0,
    currency: currency ?? 'USD',
  }));
  await insertProduct(
    t.app.db.kysely,
    {
      id,
      category_id: input.categoryId,
      slug: `prd-up-${seq++}`,
      name: input.name,
      description: 'A plan',
      module: 'hestia',
      panel_package: input.panelPackage ?? input.name.toLowerCase(),
      server_group: 'default',
      features: JSON.stringify({ webDomain: true, dnsZone: true, mailDomain: false }),
      enabled: input.enabled === false ? 0 : 1,
      sort_order: 1,
      created_at_ms: now,
    },
    prices,
  );
  return id;
}

async function activeService(
  t: TestApp,
  input: { clientId: string; productId: string; amountMinor: number; status?: 'active' | 'suspended' },
) {
  const id = newId('service', t.app.clock.nowMs());
  await insertService(t.app.db.kysely, {
    id,
    client_id: input.clientId,
    product_id: input.productId,
    domain: `site${seq++}.example`,
    status: input.status ?? 'active',
    billing_cycle: 'monthly',
    amount_minor: input.amountMinor,
    currency: 'USD',
    billing_anchor_ms: berlin('2027-01-15T00:00'),
    next_due_at_ms: berlin('2027-03-15T00:00'),
    created_at_ms: berlin('2027-01-15T00:00'),
  });
  return id;
}

describe('upgrades and downgrades, prorated by local days', () => {
  let t: TestApp;
  let clock: ManualClock;
  let starter: string;
  let pro: string;
  let catId: string;
  beforeAll(async () => {
    clock = new ManualClock(NOW);
    t = await createTestApp({ clock });
    await t.app.settings.set('billing.time_zone', ZONE);
    await t.app.settings.set('userapi.rate_limit', 'off');
    catId = await category(t);
    starter = await product(t, {
      categoryId: catId,
      name: 'Starter',
      prices: [
        ['monthly', 999],
        ['annually', 9990],
      ],
    });
    pro = await product(t, { categoryId: catId, name: 'Pro', prices: [['monthly', 2499]] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, auth: string, payload?: object, key?: string) =>
    t.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth, ...(key ? { 'idempotency-key': key } : {}) },
      ...(payload ? { payload } : {}),
    });

  async function setup(credit = 0) {
    const me = await newClient(t.app, { credit_minor: credit });
    const serviceId = await activeService(t, { clientId: me.row.id, productId: starter, amountMinor: 999 });
    return { me, serviceId };
  }

  it('estimates the hand-worked case: 14 of 28 days, 500 credited, 1250 charged, 750 to pay', async () => {
    const { me, serviceId } = await setup();
    const res = await call('POST', `/services/${serviceId}/upgrade/estimate`, me.basic, { product_id: pro });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      service_id: serviceId,
      direction: 'upgrade',
      from: { product_id: starter, name: 'Starter', amount_minor: 999 },
      to: { product_id: pro, name: 'Pro', amount_minor: 2499 },
      billing_cycle: 'monthly',
      currency: 'USD',
      period: { start: '2027-02-14T23:00:00.000Z', end: '2027-03-14T23:00:00.000Z' },
      days: { total: 28, used: 14, remaining: 14 },
      used_minor: 499,
      unused_credit_minor: 500,
      charge_minor: 1250,
      total_minor: 750,
      new_recurring_amount_minor: 2499,
    });
    expect(res.json().rounding).toMatch(/half up/);
    expect(res.json().method).toMatch(/local days/);
    // An estimate changes nothing.
    const svc = await call('GET', `/services/${serviceId}`, me.basic);
    expect(svc.json()).toMatchObject({ product_id: starter, amount_minor: 999 });
  });

  it('counts local days: the same instant read in UTC leaves 13 days, not 14', async () => {
    const { serviceId } = await setup();
    await t.app.settings.set('billing.time_zone', 'UTC');
    try {
      const e = await estimateUpgrade(t.app, { serviceId, productId: pro });
      expect(e.days).toEqual({ total: 28, used: 15, remaining: 13 });
    } finally {
      await t.app.settings.set('billing.time_zone', ZONE);
    }
  });

  it('splits the amount exactly into used and unused on every day of the period', async () => {
    const { me, serviceId } = await setup();
    const start = berlin('2027-02-15T12:00');
    try {
      for (let day = 0; day < 28; day++) {
        clock.advance(start + day * 86_400_000 - clock.nowMs());
        const e = await estimateUpgrade(t.app, { serviceId, productId: pro, clientId: me.row.id });
        expect(e.days).toEqual({ total: 28, used: day, remaining: 28 - day });
        expect(e.used_minor + e.unused_credit_minor).toBe(999);
        expect(e.total_minor).toBe(e.charge_minor - e.unused_credit_minor);
      }
    } finally {
      clock.advance(NOW - clock.nowMs());
    }
  });

  it('issues an upgrade invoice, refuses a second one while it is unpaid, and paying it makes the change', async () => {
    const { me, serviceId } = await setup(10_000);
    const key = `up-${serviceId}`;
    const res = await call('POST', `/services/${serviceId}/upgrade`, me.basic, { product_id: pro }, key);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      direction: 'upgrade',
      total: { amount_minor: 750, currency: 'USD' },
      operation_id: null,
    });
    expect(body.number).toMatch(/^INV-2027-/);
    expect(res.headers.location).toBe(`/api/v1/invoices/${body.invoice_id}`);

    // A retry with the same key gets the same invoice, not a second one.
    const again = await call('POST', `/services/${serviceId}/upgrade`, me.basic, { product_id: pro }, key);
    expect(again.json().invoice_id).toBe(body.invoice_id);

    const invoice = await t.app.db.kysely
      .selectFrom('invoices')
      .selectAll()
      .where('id', '=', body.invoice_id)
      .executeTakeFirstOrThrow();
    expect(invoice).toMatchObject({ kind: 'upgrade', status: 'unpaid', client_id: me.row.id });
    const items = await listInvoiceItems(t.app.db.kysely, body.invoice_id);
    expect(items.map((i) => [i.kind, Number(i.amount_minor), i.service_id])).toEqual([
      ['upgrade', 1250, serviceId],
      ['upgrade', -500, serviceId],
    ]);
    expect(JSON.parse(items[0]!.details!)).toMatchObject({
      from_product_id: starter,
      to_product_id: pro,
      new_amount_minor: 2499,
    });

    // Not yet paid: the service is unchanged and another move is refused, naming the invoice.
    const blocked = await call('POST', `/services/${serviceId}/upgrade`, me.basic, { product_id: pro });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().detail).toContain(body.number);
    expect(blocked.json().detail).toMatch(/pay it .*or have an admin void it/);
    expect((await call('GET', `/services/${serviceId}`, me.basic)).json()).toMatchObject({ product_id: starter });

    const paid = await call('POST', `/invoices/${body.invoice_id}/payments`, me.basic, {});
    expect(paid.statusCode).toBe(201);
    const [operation] = paid.json().operations;
    const job = await t.app.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', operation)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ type: 'service.change_package', service_id: serviceId, state: 'queued' });
    expect(JSON.parse(job.payload)).toMatchObject({ serviceId, productId: pro });
    expect((await call('GET', `/services/${serviceId}`, me.basic)).json()).toMatchObject({
      product_id: pro,
      amount_minor: 2499,
    });
    expect(await ledgerBalance(t.app.db.kysely, me.row.id)).toBe(10_000 - 750);
  });

  it('two upgrade requests at once: one invoice, the other refused', async () => {
    const { me, serviceId } = await setup();
    const results = await Promise.all(
      [1, 2].map(() => call('POST', `/services/${serviceId}/upgrade`, me.basic, { product_id: pro })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const invoices = await t.app.db.kysely
      .selectFrom('invoices')
      .select('id')
      .where('client_id', '=', me.row.id)
      .execute();
    expect(invoices).toHaveLength(1);
  });

  it('a downgrade credits the difference to the ledger and queues the change at once', async () => {
    const me = await newClient(t.app);
    const serviceId = await activeService(t, { clientId: me.row.id, productId: pro, amountMinor: 2499 });
    const res = await call('POST', `/services/${serviceId}/upgrade`, me.basic, { product_id: starter });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    // 2499 × 14/28 = 1249.5 → 1250 unused; 999 × 14/28 = 499.5 → 500 charged; 750 back.
    expect(body).toMatchObject({
      direction: 'downgrade',
      invoice_id: null,
      credited: { amount_minor: 750, currency: 'USD' },
      estimate: { unused_credit_minor: 1250, charge_minor: 500, total_minor: -750 },
    });
    const [entry] = await listCreditEntries(t.app.db.kysely, { clientId: me.row.id, limit: 1 });
    expect(entry).toMatchObject({ amount_minor: 750, balance_after_minor: 750, invoice_id: null });
    expect(entry!.reason).toContain('Pro');
    expect(entry!.reason).toContain('Starter');
    const job = await t.app.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', body.operation_id)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ type: 'service.change_package', service_id: serviceId });
    expect(JSON.parse(job.payload)).toMatchObject({ productId: starter });
    expect((await call('GET', `/services/${serviceId}`, me.basic)).json()).toMatchObject({
      product_id: starter,
      amount_minor: 999,
    });
    const operation = await call('GET', `/operations/${body.operation_id}`, me.basic);
    expect(operation.statusCode).toBe(200);
  });

  it('refuses what cannot be done, saying why', async () => {
    const { me, serviceId } = await setup();
    const other = await product(t, { categoryId: await category(t), name: 'Elsewhere', prices: [['monthly', 100]] });
    const disabled = await product(t, {
      categoryId: catId,
      name: 'Retired',
      enabled: false,
      prices: [['monthly', 100]],
    });
    const euro = await product(t, { categoryId: catId, name: 'Euro', prices: [['monthly', 100, 'EUR']] });
    const yearly = await product(t, { categoryId: catId, name: 'Yearly', prices: [['annually', 1000]] });
    const cases: Array<[string, number, RegExp]> = [
      [other, 400, /another category/],
      [starter, 400, /already on Starter/],
      [disabled, 400, /disabled/],
      [euro, 400, /not sold monthly in USD/],
      [yearly, 400, /not sold monthly in USD/],
      [newId('product', NOW), 404, /product was not found/],
    ];
    for (const [productId, status, message] of cases) {
      for (const url of [`/services/${serviceId}/upgrade/estimate`, `/services/${serviceId}/upgrade`]) {
        const res = await call('POST', url, me.basic, { product_id: productId });
        expect(res.statusCode, `${productId} ${url}`).toBe(status);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().detail).toMatch(message);
        expect(res.json().errors[0].field).toBe('body.product_id');
      }
    }
    const suspended = await activeService(t, {
      clientId: me.row.id,
      productId: starter,
      amountMinor: 999,
      status: 'suspended',
    });
    const res = await call('POST', `/services/${suspended}/upgrade`, me.basic, { product_id: pro });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/suspended: only an active service/);

    const stranger = await newClient(t.app);
    expect((await call('POST', `/services/${serviceId}/upgrade`, stranger.basic, { product_id: pro })).statusCode).toBe(
      404,
    );
    // Nothing was issued or changed by any refusal.
    expect(
      await t.app.db.kysely.selectFrom('invoices').select('id').where('client_id', '=', me.row.id).execute(),
    ).toEqual([]);
  });

  it('lists the products a service can move to, with their estimates', async () => {
    const { me, serviceId } = await setup();
    const res = await call('GET', `/services/${serviceId}/upgrade-options`, me.basic);
    expect(res.statusCode).toBe(200);
    const names = res.json().items.map((i: { to: { name: string } }) => i.to.name);
    expect(names).toContain('Pro');
    expect(names).not.toContain('Starter');
    expect(names).not.toContain('Retired');
    expect(names).not.toContain('Yearly');
    expect(res.json().items.find((i: { to: { name: string } }) => i.to.name === 'Pro')).toMatchObject({
      total_minor: 750,
    });
  });

  it('records a billing-cycle change for the next renewal, and the current cycle withdraws it', async () => {
    const { me, serviceId } = await setup();
    const set = await call('PUT', `/services/${serviceId}/billing-cycle`, me.basic, { billing_cycle: 'annually' });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      billing_cycle: 'monthly',
      next_billing_cycle: 'annually',
      next_amount_minor: 9990,
      takes_effect_at: '2027-03-14T23:00:00.000Z',
    });
    expect((await call('GET', `/services/${serviceId}`, me.basic)).json()).toMatchObject({
      billing_cycle: 'monthly',
      next_billing_cycle: 'annually',
      amount_minor: 999,
    });

    const unsold = await call('PUT', `/services/${serviceId}/billing-cycle`, me.basic, { billing_cycle: 'quarterly' });
    expect(unsold.statusCode).toBe(400);
    expect(unsold.json().errors[0]).toMatchObject({ field: 'body.billing_cycle' });
    expect(unsold.json().detail).toMatch(/not sold quarterly in USD/);

    const back = await call('PUT', `/services/${serviceId}/billing-cycle`, me.basic, { billing_cycle: 'monthly' });
    expect(back.json()).toMatchObject({ next_billing_cycle: null });
    expect((await call('GET', `/services/${serviceId}`, me.basic)).json()).toMatchObject({ next_billing_cycle: null });
  });

  it('an admin estimates and moves any client’s service, and changes its cycle', async () => {
    await newAdmin(t.app, { email: 'billing@example.com', password: 'admin-password-1' });
    const admin = basicHeader('billing@example.com', 'admin-password-1');
    const { serviceId } = await setup();
    const admin_ = (method: 'POST' | 'PUT', url: string, payload: object) =>
      t.inject({ method, url: `/admin/api/v1${url}`, headers: { authorization: admin }, payload });
    const estimate = await admin_('POST', `/services/${serviceId}/upgrade/estimate`, { product_id: pro });
    expect(estimate.json()).toMatchObject({ total_minor: 750 });
    const upgrade = await admin_('POST', `/services/${serviceId}/upgrade`, { product_id: pro });
    expect(upgrade.statusCode).toBe(201);
    expect(upgrade.json()).toMatchObject({ direction: 'upgrade', total: { amount_minor: 750 } });
    const paid = await admin_('POST', `/invoices/${upgrade.json().invoice_id}/mark-paid`, {});
    expect(paid.statusCode).toBe(201);
    const svc = await t.app.db.kysely
      .selectFrom('services')
      .selectAll()
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    expect(svc).toMatchObject({ product_id: pro, amount_minor: 2499 });
    const cycle = await admin_('PUT', `/services/${serviceId}/billing-cycle`, { billing_cycle: 'monthly' });
    expect(cycle.json()).toMatchObject({ next_billing_cycle: null });
  });
});

describe('an upgrade paid from credit changes the package on the panel', () => {
  let h: ProvisioningHarness;
  let me: TestClient;
  beforeAll(async () => {
    h = await startProvisioning();
    await h.t.app.settings.set('userapi.rate_limit', 'off');
    me = await newClient(h.t.app, { credit_minor: 100_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('pays the upgrade invoice, the worker moves the account to the Pro package, a downgrade moves it back', async () => {
    const db = h.t.app.db.kysely;
    const { id } = await pendingService(h);
    await db.updateTable('services').set({ client_id: me.row.id }).where('id', '=', id).execute();
    expect(
      (await settle(h, await enqueueCreate(h.t.app, { serviceId: id, clientId: me.row.id, tag: `up${id}` }))).state,
    ).toBe('succeeded');
    const starterRow = await db
      .selectFrom('products')
      .selectAll()
      .where('id', '=', h.productId)
      .executeTakeFirstOrThrow();
    const proId = await product(h.t, {
      categoryId: starterRow.category_id,
      name: 'Pro',
      panelPackage: 'pro',
      prices: [['monthly', 2499]],
    });
    // Ten days left of a 30-day period, whatever today is.
    const now = Date.now();
    const due = DateTime.fromMillis(now, { zone: 'UTC' }).startOf('day').plus({ days: 10 });
    await db
      .updateTable('services')
      .set({ next_due_at_ms: due.toMillis(), billing_anchor_ms: due.minus({ months: 1 }).toMillis() })
      .where('id', '=', id)
      .execute();

    const up = await h.t.inject({
      method: 'POST',
      url: `/api/v1/services/${id}/upgrade`,
      headers: { authorization: me.basic },
      payload: { product_id: proId },
    });
    expect(up.statusCode).toBe(201);
    const paid = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${up.json().invoice_id}/payments`,
      headers: { authorization: me.basic },
      payload: {},
    });
    expect(paid.statusCode).toBe(201);
    const [operation] = paid.json().operations;
    expect((await settle(h, operation)).state).toBe('succeeded');
    const upgraded = await service(h, id);
    expect(upgraded).toMatchObject({ product_id: proId, amount_minor: 2499 });
    expect(h.panel.state.users[upgraded.panel_username!]?.package).toBe('pro');

    const down = await h.t.inject({
      method: 'POST',
      url: `/api/v1/services/${id}/upgrade`,
      headers: { authorization: me.basic },
      payload: { product_id: h.productId },
    });
    expect(down.statusCode).toBe(202);
    expect(down.json().credited.amount_minor).toBeGreaterThan(0);
    expect((await settle(h, down.json().operation_id)).state).toBe('succeeded');
    expect(h.panel.state.users[upgraded.panel_username!]?.package).toBe(starterRow.panel_package);
    expect(await service(h, id)).toMatchObject({ product_id: h.productId, amount_minor: 499 });
  });
});
