import { describe, expect, it } from 'vitest';
import { type Actor, requireClient } from '../../src/clients/admin.js';
import { adjustCredit } from '../../src/clients/credit.js';
import { ledgerBalance } from '../../src/clients/store.js';
import { ManualClock } from '../../src/platform/clock.js';
import { AppError } from '../../src/platform/http/errors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newInvoice } from '../helpers/factories.js';

const ADMIN = basicHeader('ops@example.com', 'admin-password-1');

async function setup(): Promise<{ t: TestApp; clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const t = await createTestApp({ clock });
  await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
  return { t, clock };
}

const changeCredit = (t: TestApp, clientId: string, payload: object) =>
  t.inject({
    method: 'POST',
    url: `/admin/api/v1/clients/${clientId}/credit`,
    headers: { authorization: ADMIN },
    payload,
  });

/** The balance on the client row is the ledger's sum, whatever happened. */
async function expectBalance(t: TestApp, clientId: string, expected: number) {
  const row = await requireClient(t.app, clientId);
  expect(Number(row.credit_minor)).toBe(expected);
  expect(await ledgerBalance(t.app.db.kysely, clientId)).toBe(expected);
}

describe('the credit ledger', () => {
  it('an admin adds and removes credit with a reason; too much is refused with the balance; audited', async () => {
    const { t, clock } = await setup();
    const c = await newClient(t.app);

    const added = await changeCredit(t, c.row.id, { amount_minor: 1000, reason: 'Goodwill for the outage' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      entry: { amount_minor: 1000, balance_after_minor: 1000, reason: 'Goodwill for the outage', actor_type: 'admin' },
      balance: { amount_minor: 1000, currency: 'USD' },
    });
    clock.advance(1000);
    const removed = await changeCredit(t, c.row.id, { amount_minor: -250, reason: 'Correction' });
    expect(removed.json().balance.amount_minor).toBe(750);
    await expectBalance(t, c.row.id, 750);

    clock.advance(1000);
    const tooMuch = await changeCredit(t, c.row.id, { amount_minor: -751, reason: 'Oops' });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().detail).toContain('7.50 USD');
    await expectBalance(t, c.row.id, 750);

    const noReason = await changeCredit(t, c.row.id, { amount_minor: 100 });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toContain('reason');
    const blankReason = await changeCredit(t, c.row.id, { amount_minor: 100, reason: '   ' });
    expect(blankReason.statusCode).toBe(400);
    const zero = await changeCredit(t, c.row.id, { amount_minor: 0, reason: 'Nothing' });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().errors[0].field).toBe('amount_minor');
    await expectBalance(t, c.row.id, 750);

    const audits = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('target_id', '=', c.row.id)
      .orderBy('id')
      .execute();
    expect(audits).toEqual([
      { action: 'client.credit.add', actor_type: 'admin' },
      { action: 'client.credit.remove', actor_type: 'admin' },
    ]);

    const ledger = await t.inject({
      method: 'GET',
      url: `/admin/api/v1/clients/${c.row.id}/credit`,
      headers: { authorization: ADMIN },
    });
    expect(ledger.json().balance).toEqual({ amount_minor: 750, currency: 'USD' });
    expect(ledger.json().items.map((e: { amount_minor: number }) => e.amount_minor)).toEqual([-250, 1000]);
  });

  it('a client reads its balance and ledger page by page, with the invoice credit paid', async () => {
    const { t, clock } = await setup();
    const c = await newClient(t.app, { credit_minor: 2000 });
    const other = await newClient(t.app, { credit_minor: 5000 });
    const actor: Actor = { type: 'admin', id: null };
    for (const amount of [300, -100, 400]) {
      clock.advance(1000);
      await adjustCredit(t.app, c.row.id, { amountMinor: amount, reason: `Change ${amount}` }, actor);
    }
    clock.advance(1000);
    const invoice = await newInvoice(t.app, { clientId: c.row.id, totalMinor: 499 });
    const paid = await t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoice.id}/payments`,
      headers: { authorization: c.basic, 'idempotency-key': 'pay-credit-1' },
      payload: {},
    });
    expect(paid.statusCode).toBe(201);
    await expectBalance(t, c.row.id, 2000 + 300 - 100 + 400 - 499);
    await expectBalance(t, other.row.id, 5000);

    const items: { amount_minor: number; balance_after_minor: number; invoice_id: string | null; reason: string }[] =
      [];
    let cursor: string | null = null;
    let balance: unknown;
    do {
      const res = await t.inject({
        method: 'GET',
        url: `/api/v1/account/credit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: { authorization: c.basic },
      });
      expect(res.statusCode).toBe(200);
      balance = res.json().balance;
      items.push(...res.json().items);
      cursor = res.json().next_cursor;
    } while (cursor);
    expect(balance).toEqual({ amount_minor: 2101, currency: 'USD' });
    expect(items.map((e) => e.amount_minor)).toEqual([-499, 400, -100, 300, 2000]);
    expect(items.map((e) => e.balance_after_minor)).toEqual([2101, 2600, 2200, 2300, 2000]);
    expect(items[0]).toMatchObject({ invoice_id: invoice.id });
    expect(items[1]).toMatchObject({ invoice_id: null, reason: 'Change 400' });
    // A client sees its own ledger only, and no admin fields.
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(
      ['amount_minor', 'at', 'balance_after_minor', 'currency', 'id', 'invoice_id', 'reason'].sort(),
    );

    const account = await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: c.basic } });
    expect(account.json().credit).toEqual({ amount_minor: 2101, currency: 'USD' });

    const badCursor = await t.inject({
      method: 'GET',
      url: '/api/v1/account/credit?cursor=bm9wZQ',
      headers: { authorization: c.basic },
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0].field).toBe('query.cursor');
  });

  it('two removals that together exceed the balance: exactly one succeeds, through the API', async () => {
    const { t } = await setup();
    const c = await newClient(t.app, { credit_minor: 1000 });
    const results = await Promise.all([
      changeCredit(t, c.row.id, { amount_minor: -600, reason: 'First' }),
      changeCredit(t, c.row.id, { amount_minor: -600, reason: 'Second' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    await expectBalance(t, c.row.id, 400);
  });

  it('many concurrent removals, from two instances on PostgreSQL, never spend more than the balance', async () => {
    const { t } = await setup();
    // Two SQLite instances in one process would block each other's synchronous driver: one there.
    const twin = t.db.databaseUrl ? await t.twin() : t;
    const c = await newClient(t.app, { credit_minor: 1000 });
    const actor: Actor = { type: 'admin', id: null };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        adjustCredit(i % 2 ? twin.app : t.app, c.row.id, { amountMinor: -300, reason: `Removal ${i}` }, actor),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(ok).toHaveLength(3);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    await expectBalance(t, c.row.id, 100);
  });
});
