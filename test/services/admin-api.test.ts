import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicHeader, newAdmin, newClient, newInvoice, newProduct, newService } from '../helpers/factories.js';
import { type ProvisioningHarness, settle, startProvisioning } from '../provisioning/helpers.js';

const ADMIN = basicHeader('ops@example.com', 'admin-password-1');

describe('Admin API: services and their job timeline', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
    await h.t.app.settings.set('userapi.rate_limit', 'off');
    await newAdmin(h.t.app, { email: 'ops@example.com', password: 'admin-password-1' });
  });
  afterAll(async () => {
    await h?.close();
  });
  const get = (url: string) =>
    h.t.inject({ method: 'GET', url: `/admin/api/v1${url}`, headers: { authorization: ADMIN } });
  const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((s) => s.id);

  it('lists every client’s services, searched, filtered, sorted and paged on the server', async () => {
    const ann = await newClient(h.t.app, { name: 'Ann', email: 'ann@shop.example' });
    const bob = await newClient(h.t.app, { name: 'Bob', email: 'bob@other.example' });
    const other = await newProduct(h.t.app, { name: 'Pro' });
    const day = 86_400_000;
    const now = h.t.app.clock.nowMs();
    const a1 = await newService(h.t.app, {
      clientId: ann.row.id,
      productId: h.productId,
      domain: 'alpha.example',
      nowMs: now - 3000,
    });
    const a2 = await newService(h.t.app, {
      clientId: ann.row.id,
      productId: other.id,
      domain: 'beta.example',
      status: 'suspended',
      nowMs: now - 2000,
    });
    const b1 = await newService(h.t.app, {
      clientId: bob.row.id,
      productId: h.productId,
      domain: 'gamma.example',
      nowMs: now - 1000,
    });
    await h.t.app.db.kysely
      .updateTable('services')
      .set({ next_due_at_ms: now + 3 * day })
      .where('id', '=', b1.id)
      .execute();

    expect(ids(await get(`/services?client_id=${ann.row.id}`))).toEqual([a2.id, a1.id]);
    expect(ids(await get(`/services?client_id=${ann.row.id}&sort=oldest`))).toEqual([a1.id, a2.id]);
    expect(ids(await get('/services?q=SHOP.example'))).toEqual([a2.id, a1.id]);
    expect(ids(await get('/services?q=gamma'))).toEqual([b1.id]);
    expect(ids(await get(`/services?status=suspended&client_id=${ann.row.id}`))).toEqual([a2.id]);
    expect(ids(await get(`/services?product_id=${other.id}`))).toEqual([a2.id]);
    const soon = new Date(now + 10 * day).toISOString().slice(0, 10);
    expect(ids(await get(`/services?due_before=${soon}&q=.example`))).toEqual([b1.id]);
    const byDomain = await get('/services?q=.example&sort=domain&limit=2');
    expect(byDomain.json().items.map((s: { domain: string }) => s.domain)).toEqual(['alpha.example', 'beta.example']);
    expect(byDomain.json().next_offset).toBe(2);
    const rest = await get('/services?q=.example&sort=domain&limit=2&offset=2');
    expect(rest.json()).toMatchObject({ items: [{ domain: 'gamma.example' }], next_offset: null });
    expect((await get(`/services?client_id=${ann.row.id}`)).json().items[1]).toMatchObject({
      client: { id: ann.row.id, name: 'Ann', email: 'ann@shop.example' },
      server: null,
      product_name: 'Starter',
    });

    const bad = await get('/services?sort=price&due_before=tomorrow');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(expect.arrayContaining(['query.sort']));
  });

  it('shows a provisioned service with its server, invoices and every job with steps and panel calls', async () => {
    const me = await newClient(h.t.app, { credit_minor: 10_000 });
    const placed = await h.t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: me.basic },
      payload: { product_id: h.productId, billing_cycle: 'monthly', domain: 'timeline.example' },
    });
    const { invoice_id, service_id } = placed.json();
    const paid = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoice_id}/payments`,
      headers: { authorization: me.basic },
      payload: {},
    });
    const [jobId] = paid.json().operations;
    expect((await settle(h, jobId)).state).toBe('succeeded');
    await newInvoice(h.t.app, { clientId: me.row.id });

    const svc = await get(`/services/${service_id}`);
    expect(svc.statusCode).toBe(200);
    expect(svc.json()).toMatchObject({
      id: service_id,
      status: 'active',
      domain: 'timeline.example',
      server: { id: h.serverId },
      client: { id: me.row.id },
      panel_username: expect.any(String),
      invoices: [{ id: invoice_id, status: 'paid', kind: 'order' }],
    });

    const jobs = await get(`/jobs?service_id=${service_id}`);
    expect(jobs.json().items.map((j: { id: string }) => j.id)).toEqual([jobId]);
    const job = (await get(`/jobs/${jobId}`)).json();
    expect(job.steps.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['place', 'create-user']));
    expect(job.panel_calls.length).toBeGreaterThan(0);
    expect(job.panel_calls[0]).toMatchObject({
      command: expect.any(String),
      exit_code: expect.any(Number),
      correlation_id: job.correlation_id,
      duration_ms: expect.any(Number),
    });

    expect((await get('/services/svc_01JD8X3Q4W5E6R7T8Y9ZABCDEF')).statusCode).toBe(404);
  });

  it('gives the next due date as the provider’s day, which is not always the UTC date', async () => {
    const me = await newClient(h.t.app);
    const svc = await newService(h.t.app, { clientId: me.row.id, productId: h.productId });
    // 15:00 UTC on 30 January is already 31 January in Auckland (UTC+13 in summer).
    await h.t.app.db.kysely
      .updateTable('services')
      .set({ next_due_at_ms: Date.parse('2027-01-30T15:00:00Z') })
      .where('id', '=', svc.id)
      .execute();
    await h.t.app.settings.set('billing.time_zone', 'Pacific/Auckland');
    try {
      const shown = (await get(`/services/${svc.id}`)).json();
      expect(shown.next_due_at).toBe('2027-01-30T15:00:00.000Z');
      expect(shown.next_due_date).toBe('2027-01-31');
    } finally {
      await h.t.app.settings.set('billing.time_zone', 'UTC');
    }
  });
});
