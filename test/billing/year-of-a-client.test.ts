import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { insertCategory, insertProduct } from '../../src/catalog/store.js';
import { changeCredit } from '../../src/clients/store.js';
import { Worker } from '../../src/jobs/worker.js';
import { ManualClock } from '../../src/platform/clock.js';
import { newId } from '../../src/platform/ids.js';
import { jobTypes } from '../../src/provisioning/index.js';
import { startSandboxPanel } from '../../src/sandbox/server.js';
import { addServer } from '../../src/servers/servers.js';
import { createTestApp } from '../helpers/app.js';
import { newClient } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';
import { expectGapFree, seqOf } from './due-services.js';

/**
 * Fourteen months of one client's hosting on a controlled clock, with the billing run every
 * morning and the worker against a sandbox panel, as `portico serve` would do:
 * - 15 Jan 2027: orders Starter (4.99/month), pays from credit; the account appears on the panel.
 * - Feb, Mar: renewals issued 7 days ahead and paid from the remaining credit on the spot.
 * - Apr: credit is gone; the 15 Apr invoice goes unpaid, the service is suspended on 19 Apr
 *   (4 days overdue, more than 3); the client tops up and pays on 21 Apr: unsuspended, and paid up
 *   to 15 May (one cycle from the previous due date, not from the day of payment).
 * - 1 May: a larger top-up; 1 Jun: upgrade to Pro (9.99), paid from credit: the panel package
 *   changes and every later renewal is 9.99.
 * - Feb 2028: credit runs out again; 15 Feb unpaid → suspended 19 Feb, terminated 17 Mar (31 days
 *   overdue, more than 30): the account is removed, its unpaid invoices cancelled.
 * Invoice numbers restart with 2028 and have no gaps in either year.
 */
const DAY = 86_400_000;
const utc = (y: number, m: number, d: number, h = 9) => DateTime.utc(y, m, d, h).toMillis();

describe('a year of one client’s life', () => {
  it('bills, suspends, unsuspends, upgrades and terminates, matching the panel all along', async () => {
    const clock = new ManualClock(utc(2027, 1, 15));
    const t = await createTestApp({ clock });
    const panel = await startSandboxPanel();
    const worker = new Worker(t.app, jobTypes(), { pollMs: 10, backoffBaseMs: 10, leaseMs: 5000 });
    try {
      await addServer(t.app, {
        name: 'sandbox-year',
        host: panel.host,
        port: panel.port,
        credentials: { kind: 'access_key', id: panel.accessKey.id, secret: panel.accessKey.secret },
        tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
      });
      const now = clock.nowMs();
      const categoryId = newId('category', now);
      await insertCategory(t.app.db.kysely, {
        id: categoryId,
        slug: 'web',
        name: 'Web',
        description: '',
        sort_order: 1,
      });
      const product = async (slug: string, pkg: string, amount: number) => {
        const id = newId('product', now);
        await insertProduct(
          t.app.db.kysely,
          {
            id,
            category_id: categoryId,
            slug,
            name: slug,
            description: '',
            module: 'hestia',
            panel_package: pkg,
            server_group: 'default',
            features: JSON.stringify({ webDomain: true, dnsZone: true, mailDomain: false }),
            enabled: 1,
            sort_order: 1,
            created_at_ms: now,
          },
          [{ product_id: id, billing_cycle: 'monthly', amount_minor: amount, setup_fee_minor: 0, currency: 'USD' }],
        );
        return id;
      };
      const starter = await product('starter', 'starter', 499);
      const pro = await product('pro', 'pro', 999);
      // The order and two renewals.
      const client = await newClient(t.app, { credit_minor: 3 * 499 });
      const topUp = (amount: number) =>
        changeCredit(t.app.db.kysely, {
          id: newId('credit', clock.nowMs()),
          client_id: client.row.id,
          amount_minor: amount,
          reason: 'Bank transfer',
          actor_type: 'admin',
          actor_id: null,
          invoice_id: null,
          payment_id: null,
          at_ms: clock.nowMs(),
        });
      const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
        t.inject({
          method,
          url: `/api/v1${url}`,
          headers: {
            authorization: client.basic,
            ...(method === 'POST' ? { 'idempotency-key': newId('request', Date.now()) } : {}),
          },
          ...(payload ? { payload } : {}),
        });
      worker.start();
      const settle = () =>
        waitFor(
          async () => {
            const open = await t.app.db.kysely
              .selectFrom('jobs')
              .select('id')
              .where('state', 'in', ['queued', 'running'])
              .execute();
            return open.length === 0;
          },
          { timeoutMs: 20_000, message: 'the queued lifecycle jobs finishing' },
        );

      const ordered = await api('POST', '/orders', {
        product_id: starter,
        billing_cycle: 'monthly',
        domain: 'year.example',
      });
      expect(ordered.statusCode).toBe(201);
      expect((await api('POST', `/invoices/${ordered.json().invoice_id}/payments`, {})).statusCode).toBe(201);
      await settle();
      const serviceId: string = ordered.json().service_id;
      const service = () =>
        t.app.db.kysely.selectFrom('services').selectAll().where('id', '=', serviceId).executeTakeFirstOrThrow();
      const account = async () => panel.state.users[(await service()).panel_username ?? ''];
      expect(await service()).toMatchObject({ status: 'active', next_due_at_ms: utc(2027, 2, 15, 0) });
      expect(await account()).toMatchObject({ package: 'starter', suspended: false });

      // Every morning: the billing run, then the jobs it queued; the script's events on their day.
      const events: Record<string, () => Promise<void>> = {
        '2027-04-19': async () => {
          expect(await service()).toMatchObject({ status: 'suspended', suspension_reason: 'overdue' });
          expect((await account())?.suspended).toBe(true);
        },
        '2027-04-21': async () => {
          await topUp(499);
          const unpaid = await t.app.db.kysely
            .selectFrom('invoices')
            .select('id')
            .where('client_id', '=', client.row.id)
            .where('status', '=', 'unpaid')
            .execute();
          expect(unpaid).toHaveLength(1);
          expect((await api('POST', `/invoices/${unpaid[0]!.id}/payments`, {})).statusCode).toBe(201);
          await settle();
          expect(await service()).toMatchObject({
            status: 'active',
            suspension_reason: null,
            next_due_at_ms: utc(2027, 5, 15, 0),
          });
          expect((await account())?.suspended).toBe(false);
        },
        '2027-05-01': async () => {
          await topUp(9_000);
        },
        '2027-06-01': async () => {
          const upgrade = await api('POST', `/services/${serviceId}/upgrade`, { product_id: pro });
          expect(upgrade.statusCode).toBe(201);
          expect((await api('POST', `/invoices/${upgrade.json().invoice_id}/payments`, {})).statusCode).toBe(201);
          await settle();
          expect(await service()).toMatchObject({ product_id: pro, amount_minor: 999, status: 'active' });
          expect((await account())?.package).toBe('pro');
        },
        '2028-02-19': async () => {
          expect(await service()).toMatchObject({ status: 'suspended', suspension_reason: 'overdue' });
          expect((await account())?.suspended).toBe(true);
        },
        '2028-03-16': async () => {
          expect((await service()).status).toBe('suspended');
        },
        '2028-03-17': async () => {
          expect((await service()).status).toBe('terminated');
          expect(await account()).toBeUndefined();
        },
      };
      for (let day = utc(2027, 1, 16); day <= utc(2028, 3, 20); day += DAY) {
        clock.advance(day - clock.nowMs());
        await runBilling(t.app, {});
        await settle();
        await events[DateTime.fromMillis(day, { zone: 'UTC' }).toISODate() ?? '']?.();
      }

      const db = t.app.db.kysely;
      const lines = await db
        .selectFrom('invoice_items')
        .innerJoin('invoices', 'invoices.id', 'invoice_items.invoice_id')
        .select([
          'invoice_items.period_start_ms',
          'invoice_items.amount_minor',
          'invoices.status',
          'invoices.number',
          'invoices.cancel_reason',
          'invoices.issued_at_ms',
        ])
        .where('invoice_items.kind', '=', 'renewal')
        .orderBy('invoice_items.period_start_ms')
        .execute();
      // One renewal per month from February 2027 to March 2028, each issued 7 days ahead.
      const months = Array.from({ length: 14 }, (_, i) => DateTime.utc(2027, 2, 15).plus({ months: i }).toMillis());
      expect(lines.map((l) => Number(l.period_start_ms))).toEqual(months);
      expect(lines.map((l) => Number(l.issued_at_ms))).toEqual(months.map((m) => m - 7 * DAY + 9 * 3_600_000));
      // 4.99 until the upgrade on 1 June, 9.99 after.
      expect(lines.map((l) => Number(l.amount_minor))).toEqual([499, 499, 499, 499, ...Array(10).fill(999)]);
      expect(lines.map((l) => l.status)).toEqual([...Array(12).fill('paid'), 'cancelled', 'cancelled']);
      expect(lines.slice(12).map((l) => l.cancel_reason)).toEqual(['terminated: overdue', 'terminated: overdue']);

      // Numbers: 2027 and 2028 each 1…n, in issuing order.
      const invoices = await db
        .selectFrom('invoices')
        .select(['number', 'issued_at_ms', 'kind'])
        .orderBy('issued_at_ms')
        .execute();
      expect(expectGapFree(invoices.map((i) => i.number))).toEqual({ ok: true, detail: '' });
      expect(invoices.map((i) => i.number.slice(4, 8))).toEqual(
        invoices.map((i) => String(DateTime.fromMillis(Number(i.issued_at_ms), { zone: 'UTC' }).year)),
      );
      expect(invoices.filter((i) => i.number.includes('2028')).map((i) => seqOf(i.number))).toEqual([1, 2, 3]);
      expect(invoices.map((i) => i.kind).sort()).toEqual(['order', 'upgrade', ...Array(14).fill('renewal')].sort());

      // The ledger: the balance is its sum and never went below zero; one debit per paid invoice.
      const ledger = await db
        .selectFrom('credit_ledger')
        .selectAll()
        .where('client_id', '=', client.row.id)
        .orderBy('id')
        .execute();
      expect(ledger.every((e) => Number(e.balance_after_minor) >= 0)).toBe(true);
      const balance = Number(
        (
          await db
            .selectFrom('clients')
            .select('credit_minor')
            .where('id', '=', client.row.id)
            .executeTakeFirstOrThrow()
        ).credit_minor,
      );
      expect(ledger.reduce((a, e) => a + Number(e.amount_minor), 0)).toBe(balance);
      expect(Number(ledger.at(-1)?.balance_after_minor)).toBe(balance);
      const debits = ledger.filter((e) => Number(e.amount_minor) < 0).map((e) => e.invoice_id);
      expect(new Set(debits).size).toBe(debits.length);
      expect(debits).toHaveLength(1 + 12 + 1);

      const final = await service();
      expect(final).toMatchObject({ status: 'terminated', next_due_at_ms: utc(2028, 2, 15, 0) });
      // The panel saw: created, suspended, unsuspended, package changed, suspended, removed.
      const jobs = await db.selectFrom('jobs').select(['type', 'state']).orderBy('created_at_ms').execute();
      expect(jobs.map((j) => j.type)).toEqual([
        'service.create',
        'service.suspend',
        'service.unsuspend',
        'service.change_package',
        'service.suspend',
        'service.terminate',
      ]);
      expect(jobs.every((j) => j.state === 'succeeded')).toBe(true);
    } finally {
      await worker.stop();
      await panel.close();
    }
  }, 300_000);
});
