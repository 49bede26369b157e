import { describe, expect, it } from 'vitest';
import { BillingRunInProgress, runBilling } from '../../src/billing/run.js';
import { takeBillingLock } from '../../src/billing/store.js';
import { payInvoice } from '../../src/orders/orders.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';
import { startProvisioning } from '../provisioning/helpers.js';

const DAY = 86_400_000;

async function dueService(t: TestApp, dueMs: number) {
  const client = await newClient(t.app);
  const product = await newProduct(t.app);
  const service = await newService(t.app, { clientId: client.row.id, productId: product.id });
  await t.app.db.kysely
    .updateTable('services')
    .set({ next_due_at_ms: dueMs, billing_anchor_ms: dueMs })
    .where('id', '=', service.id)
    .execute();
  return service.id;
}

const countRenewals = async (t: TestApp, serviceId: string) =>
  Number(
    (
      await t.app.db.kysely
        .selectFrom('invoice_items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('service_id', '=', serviceId)
        .where('kind', '=', 'renewal')
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('billing run: one at a time', { timeout: 120_000 }, () => {
  it('invoices once when two instances run at the same moment; the other says a run is in progress', async () => {
    const t = await createTestApp();
    const twin = await t.twin();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await dueService(t, Date.now() + 2 * DAY));
    const results = await Promise.allSettled([runBilling(t.app, {}), runBilling(twin.app, {}), runBilling(t.app, {})]);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(BillingRunInProgress);
    }
    await runBilling(twin.app, {});
    for (const id of ids) expect(await countRenewals(t, id)).toBe(1);
  });

  it('takes over the lock of a run that crashed and marks it abandoned', async () => {
    const t = await createTestApp();
    const id = await dueService(t, Date.now() + 2 * DAY);
    const db = t.app.db.kysely;
    const now = Date.now();
    // A run that took the lock and died: its lease ran out a moment ago.
    await db
      .insertInto('billing_runs')
      .values({
        id: 'brn_CRASHED',
        as_of_ms: now,
        started_at_ms: now - 120_000,
        finished_at_ms: null,
        status: 'running',
        summary: null,
        error: null,
      })
      .execute();
    expect(await takeBillingLock(db, 'brn_CRASHED', now - 120_000, now - 1)).toBe(true);
    const report = await runBilling(t.app, {});
    expect(report.abandonedRuns).toEqual(['brn_CRASHED']);
    expect(report.counts.invoice).toBe(1);
    expect(await countRenewals(t, id)).toBe(1);
    expect(
      (await db.selectFrom('billing_runs').select('status').where('id', '=', 'brn_CRASHED').executeTakeFirst())?.status,
    ).toBe('abandoned');
  });
});

describe('portico billing', { timeout: 120_000 }, () => {
  it('run --at … --dry-run prints the planned actions and changes nothing; run does them; runs lists them', async () => {
    const t = await createTestApp();
    const serviceId = await dueService(t, Date.parse('2031-05-01T00:00:00Z'));
    const dry = await runCli(t.db, ['billing', 'run', '--at', '2031-04-28', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run (nothing was changed)');
    expect(dry.stdout).toMatch(new RegExp(`invoice +${serviceId} +period 2031-05-01`));
    expect(dry.stdout).toContain('Would do: invoice 1');
    expect(await countRenewals(t, serviceId)).toBe(0);
    const real = await runCli(t.db, ['billing', 'run', '--at', '2031-04-28']);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('Done: invoice 1');
    expect(await countRenewals(t, serviceId)).toBe(1);
    const runs = await runCli(t.db, ['billing', 'runs']);
    expect(runs.stdout).toMatch(/brn_\w+ +done +as of 2031-04-28T00:00:00.000Z/);
    const bad = await runCli(t.db, ['billing', 'run', '--at', 'next tuesday']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--at next tuesday is not an ISO date or time');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('says which run is in progress instead of failing with a stack', async () => {
    const t = await createTestApp();
    expect(await takeBillingLock(t.app.db.kysely, 'brn_OTHER', Date.now(), Date.now() + 600_000)).toBe(true);
    const busy = await runCli(t.db, ['billing', 'run']);
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toContain('Another billing run is in progress (brn_OTHER');
    expect(busy.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('billing run on a panel', { timeout: 120_000 }, () => {
  it('suspends an overdue account on the panel and a payment unsuspends it there', async () => {
    const h = await startProvisioning();
    try {
      const db = h.t.app.db.kysely;
      const svc = await newService(h.t.app, { clientId: h.client.row.id, productId: h.productId, status: 'pending' });
      const { enqueue, settle, service } = await import('../provisioning/helpers.js');
      expect((await settle(h, await enqueue(h, 'create', svc.id))).state).toBe('succeeded');
      const due = Date.parse('2031-05-01T00:00:00Z');
      await db
        .updateTable('services')
        .set({ next_due_at_ms: due, billing_anchor_ms: due })
        .where('id', '=', svc.id)
        .execute();
      await runBilling(h.t.app, { atMs: due - 7 * DAY });
      const report = await runBilling(h.t.app, { atMs: due + 5 * DAY });
      expect(report.counts.suspend).toBe(1);
      const username = (await service(h, svc.id)).panel_username!;
      await waitFor(() => h.panel.state.users[username]?.suspended === true, {
        message: 'the account suspended on the panel',
      });
      await waitFor(async () => (await service(h, svc.id)).status === 'suspended', {
        message: 'the service suspended',
      });
      const invoice = await db
        .selectFrom('invoice_items')
        .select('invoice_id')
        .where('service_id', '=', svc.id)
        .where('kind', '=', 'renewal')
        .executeTakeFirstOrThrow();
      await payInvoice(h.t.app, {
        invoiceId: invoice.invoice_id,
        method: 'admin',
        actor: { type: 'admin', id: null },
        correlationId: 'req_test_pay',
      });
      await waitFor(() => h.panel.state.users[username]?.suspended === false, {
        message: 'the account unsuspended on the panel',
      });
      await waitFor(async () => (await service(h, svc.id)).status === 'active', { message: 'the service active' });
      expect((await service(h, svc.id)).suspension_reason).toBeNull();
    } finally {
      await h.close();
    }
  });
});
