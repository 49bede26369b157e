import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/queue.js';
import { ManualClock } from '../../src/platform/clock.js';
import { startSandboxPanel } from '../../src/sandbox/server.js';
import { addServer } from '../../src/servers/servers.js';
import { pauseServer } from '../../src/servers/store.js';
import { createTestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newInvoice, newProduct, newService } from '../helpers/factories.js';

const ADMIN = basicHeader('ops@example.com', 'admin-password-1');
const DAY = 86_400_000;

describe('Admin API: the dashboard', () => {
  it('sums this and last month’s income, MRR, overdue invoices, services by status, failed jobs, paused servers and newest orders', async () => {
    const clock = new ManualClock(Date.UTC(2026, 1, 20, 12));
    const t = await createTestApp({ clock });
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    const get = async () =>
      (await t.inject({ method: 'GET', url: '/admin/api/v1/dashboard', headers: { authorization: ADMIN } })).json();
    const markPaid = async (id: string) =>
      expect(
        (
          await t.inject({
            method: 'POST',
            url: `/admin/api/v1/invoices/${id}/mark-paid`,
            headers: { authorization: ADMIN },
          })
        ).statusCode,
      ).toBe(201);

    const empty = await get();
    expect(empty).toMatchObject({
      income_this_month: { from: '2026-02-01T00:00:00.000Z', totals: [] },
      income_last_month: { from: '2026-01-01T00:00:00.000Z', totals: [] },
      monthly_recurring_revenue: [],
      overdue_invoices: [],
      services_by_status: [],
      failed_jobs: 0,
      paused_servers: [],
      newest_orders: [],
    });

    const jane = await newClient(t.app, { name: 'Jane Doe' });
    // February: one invoice paid (last month, seen from March).
    await markPaid((await newInvoice(t.app, { clientId: jane.row.id, totalMinor: 1000 })).id);
    clock.advance(20 * DAY); // 2026-03-12
    const march = [
      await newInvoice(t.app, { clientId: jane.row.id, totalMinor: 2500 }),
      await newInvoice(t.app, { clientId: jane.row.id, totalMinor: 700 }),
    ];
    for (const invoice of march) await markPaid(invoice.id);
    // A refund to credit keeps the money here: income does not drop.
    const refund = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${march[1]!.id}/refunds`,
      headers: { authorization: ADMIN },
      payload: { reason: 'Goodwill' },
    });
    expect(refund.statusCode).toBe(201);
    // Unpaid: one due 7 days after 2026-03-01 (overdue on the 12th), one due next week.
    await newInvoice(t.app, { clientId: jane.row.id, totalMinor: 300, nowMs: Date.UTC(2026, 2, 1) });
    await newInvoice(t.app, { clientId: jane.row.id, totalMinor: 900 });

    const { id: productId } = await newProduct(t.app);
    await newService(t.app, { clientId: jane.row.id, productId });
    const yearly = await newService(t.app, { clientId: jane.row.id, productId });
    await t.app.db.kysely
      .updateTable('services')
      .set({ billing_cycle: 'annually', amount_minor: 12_000 })
      .where('id', '=', yearly.id)
      .execute();
    await newService(t.app, { clientId: jane.row.id, productId, status: 'suspended' });

    // A client's order through the User API, a provisioning job that failed, a paused server.
    await t.app.settings.set('userapi.rate_limit', 'off');
    const placed = await t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: jane.basic },
      payload: { product_id: productId, billing_cycle: 'monthly', domain: 'shop.example' },
    });
    expect(placed.statusCode).toBe(201);
    const jobId = await enqueueJob(t.app.db.kysely, {
      type: 'service.create',
      payload: {},
      maxAttempts: 1,
      correlationId: 'req_dashboard',
      nowMs: clock.nowMs(),
    });
    await t.app.db.kysely.updateTable('jobs').set({ state: 'failed' }).where('id', '=', jobId).execute();
    const panel = await startSandboxPanel();
    try {
      const server = await addServer(t.app, {
        name: 'web1',
        host: panel.host,
        port: panel.port,
        credentials: { kind: 'access_key', id: panel.accessKey.id, secret: panel.accessKey.secret },
        tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
      });
      await pauseServer(t.app.db.kysely, server.id, 'The panel refused our credentials', clock.nowMs());
    } finally {
      await panel.close();
    }

    const d = await get();
    expect(d.failed_jobs).toBe(1);
    expect(d.paused_servers).toEqual([
      { name: 'web1', reason: 'The panel refused our credentials', since: '2026-03-12T12:00:00.000Z' },
    ]);
    expect(d.newest_orders).toEqual([
      expect.objectContaining({
        service_id: placed.json().service_id,
        invoice_id: placed.json().invoice_id,
        client_id: jane.row.id,
        client_name: 'Jane Doe',
        product_name: 'Starter',
        domain: 'shop.example',
        status: 'pending',
      }),
    ]);
    expect(d.income_this_month).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      totals: [{ currency: 'USD', amount_minor: 3200, count: 2 }],
    });
    expect(d.income_last_month).toEqual({
      from: '2026-02-01T00:00:00.000Z',
      totals: [{ currency: 'USD', amount_minor: 1000, count: 1 }],
    });
    // 4.99 a month plus 120.00 a year (10.00 a month); the suspended one brings nothing.
    expect(d.monthly_recurring_revenue).toEqual([{ currency: 'USD', amount_minor: 1499, count: 2 }]);
    expect(d.overdue_invoices).toEqual([{ currency: 'USD', amount_minor: 300, count: 1 }]);
    expect(d.services_by_status).toEqual([
      { status: 'active', count: 2 },
      { status: 'pending', count: 1 },
      { status: 'suspended', count: 1 },
    ]);
  });

  it('answers 401 without an admin, and 400 naming the field for a bad `orders`', async () => {
    const t = await createTestApp();
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    expect((await t.inject({ method: 'GET', url: '/admin/api/v1/dashboard' })).statusCode).toBe(401);
    const bad = await t.inject({
      method: 'GET',
      url: '/admin/api/v1/dashboard?orders=0',
      headers: { authorization: ADMIN },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('query.orders');
  });
});
