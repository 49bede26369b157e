import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { issueInvoice } from '../../src/invoices/issue.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp } from '../helpers/app.js';
import { newClient } from '../helpers/factories.js';

/** Invoice numbers: the format setting, gap-free through rollbacks and concurrency, per provider year. */
function issue(app: AppContext, clientId: string, nowMs = app.clock.nowMs()) {
  return app.db.kysely.transaction().execute(async (trx) => {
    const { invoice } = await issueInvoice(trx, app.settings.snapshot, nowMs, {
      clientId,
      currency: 'USD',
      kind: 'manual',
      dueAtMs: nowMs,
      items: [{ kind: 'manual', description: 'Work', amountMinor: 100 }],
    });
    return invoice.number;
  });
}

describe('invoice numbers', () => {
  it('follow billing.invoice_number_format, the default being INV-{YYYY}-{seq:5}', async () => {
    const t = await createTestApp({ clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    const client = await newClient(t.app);
    expect(await issue(t.app, client.row.id)).toBe('INV-2026-00001');
    await t.app.settings.set('billing.invoice_number_format', 'ACME/{YY}/{seq:3}');
    expect(await issue(t.app, client.row.id)).toBe('ACME/26/002');
  });

  it('give a rolled-back transaction’s number to the next invoice', async () => {
    const t = await createTestApp({ clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    const client = await newClient(t.app);
    expect(await issue(t.app, client.row.id)).toBe('INV-2026-00001');
    const failed = t.app.db.kysely.transaction().execute(async (trx) => {
      const { invoice } = await issueInvoice(trx, t.app.settings.snapshot, t.app.clock.nowMs(), {
        clientId: client.row.id,
        currency: 'USD',
        kind: 'manual',
        dueAtMs: t.app.clock.nowMs(),
        items: [{ kind: 'manual', description: 'Work', amountMinor: 100 }],
      });
      expect(invoice.number).toBe('INV-2026-00002');
      throw new Error('the payment step failed');
    });
    await expect(failed).rejects.toThrow('the payment step failed');
    expect(await issue(t.app, client.row.id)).toBe('INV-2026-00002');
  });

  it('take the year in the provider’s time zone, restarting at 1', async () => {
    const t = await createTestApp({ clock: new ManualClock(Date.UTC(2026, 11, 31, 22)) });
    const client = await newClient(t.app);
    await t.app.settings.set('billing.time_zone', 'Europe/Berlin');
    expect(await issue(t.app, client.row.id)).toBe('INV-2026-00001');
    expect(await issue(t.app, client.row.id)).toBe('INV-2026-00002');
    // 31 Dec 23:30 UTC is 1 Jan 00:30 in Berlin: the new year's first number.
    const newYear = Date.UTC(2026, 11, 31, 23, 30);
    expect(await issue(t.app, client.row.id, newYear)).toBe('INV-2027-00001');
    await t.app.settings.set('billing.time_zone', 'UTC');
    expect(await issue(t.app, client.row.id, newYear)).toBe('INV-2026-00003');
  });

  it('are 1..40 with no gap and no duplicate when 40 transactions issue at once', async () => {
    const t = await createTestApp({ clock: new ManualClock(Date.UTC(2026, 5, 1)) });
    const client = await newClient(t.app);
    const numbers = await Promise.all(Array.from({ length: 40 }, () => issue(t.app, client.row.id)));
    const expected = Array.from({ length: 40 }, (_, i) => `INV-2026-${String(i + 1).padStart(5, '0')}`);
    expect([...numbers].sort()).toEqual(expected);
    const stored = await t.app.db.kysely.selectFrom('invoices').select('number').orderBy('number').execute();
    expect(stored.map((r) => r.number)).toEqual(expected);
  });
});
