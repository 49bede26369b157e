import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newInvoice } from '../helpers/factories.js';

describe('Admin API: invoices', () => {
  let t: TestApp;
  let admin: string;
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 12));
  beforeAll(async () => {
    t = await createTestApp({ clock });
    await t.app.settings.set('billing.tax_rates', 'DE=19:VAT');
    await newAdmin(t.app, { email: 'billing@example.com', password: 'admin-password-1' });
    admin = basicHeader('billing@example.com', 'admin-password-1');
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.inject({
      method,
      url: `/admin/api/v1${url}`,
      headers: { authorization: admin },
      ...(payload ? { payload } : {}),
    });
  const auditOf = (targetId: string) =>
    t.app.db.kysely.selectFrom('audit_log').selectAll().where('target_id', '=', targetId).orderBy('id').execute();

  it('writes a manual invoice in the client’s currency, taxed by the client’s country, and audits it', async () => {
    const client = await newClient(t.app, { country: 'DE', currency: 'EUR', name: 'Grete Muster' });
    const res = await call('POST', '/invoices', {
      client_id: client.email,
      items: [
        { description: 'Setup work', amount_minor: 5000 },
        { description: 'Migration', amount_minor: 1 },
      ],
      due_at: '2026-12-20',
      notes: 'Thank you',
    });
    expect(res.statusCode).toBe(201);
    const invoice = res.json();
    // 50.01 × 19 % = 9.5019 → 9.50 (half away from zero, on the subtotal).
    expect(invoice).toMatchObject({
      kind: 'manual',
      status: 'unpaid',
      currency: 'EUR',
      subtotal_minor: 5001,
      tax_name: 'VAT',
      tax_rate_bp: 1900,
      tax_minor: 950,
      total_minor: 5951,
      client_name: 'Grete Muster',
      client_email: client.email,
      due_at: '2026-12-20T00:00:00.000Z',
      notes: 'Thank you',
      payments: [],
    });
    expect(invoice.number).toMatch(/^INV-2026-\d{5}$/);
    expect(invoice.items.map((i: { description: string }) => i.description)).toEqual(['Setup work', 'Migration']);
    expect(res.headers.location).toBe(`/admin/api/v1/invoices/${invoice.id}`);
    const [entry] = await auditOf(invoice.id);
    expect(entry).toMatchObject({ action: 'invoice.create', actor_type: 'admin' });
  });

  it('refuses a manual invoice for an unknown client or a past due date, saying what to give', async () => {
    const unknown = await call('POST', '/invoices', {
      client_id: 'nobody@example.test',
      items: [{ description: 'X', amount_minor: 100 }],
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain("give a client id (cli_…) or the client's email");
    const client = await newClient(t.app);
    const past = await call('POST', '/invoices', {
      client_id: client.row.id,
      items: [{ description: 'X', amount_minor: 100 }],
      due_at: '2026-11-01',
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().errors).toEqual([{ field: 'body.due_at', message: 'must be 2026-12-02 or later' }]);
    const empty = await call('POST', '/invoices', { client_id: client.row.id, items: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('body.items');
  });

  it('lists with filters (client, status, number, overdue, issue days) and pages with a cursor', async () => {
    const client = await newClient(t.app);
    const other = await newClient(t.app);
    const overdue = await newInvoice(t.app, { clientId: client.row.id, nowMs: clock.nowMs() - 30 * 86_400_000 });
    clock.advance(1000);
    const paid = await newInvoice(t.app, { clientId: client.row.id, status: 'paid' });
    clock.advance(1000);
    const current = await newInvoice(t.app, { clientId: client.row.id });
    await newInvoice(t.app, { clientId: other.row.id });

    const mine = await call('GET', `/invoices?client_id=${client.row.id}`);
    expect(mine.json().items.map((i: { id: string }) => i.id)).toEqual([current.id, paid.id, overdue.id]);
    expect(mine.json().items[0]).toMatchObject({ client_email: client.email, client_id: client.row.id });

    const late = await call('GET', `/invoices?client_id=${client.row.id}&overdue=true`);
    expect(late.json().items.map((i: { id: string }) => i.id)).toEqual([overdue.id]);
    const paidOnly = await call('GET', `/invoices?client_id=${client.row.id}&status=paid`);
    expect(paidOnly.json().items.map((i: { id: string }) => i.id)).toEqual([paid.id]);
    const number = (await call('GET', `/invoices/${paid.id}`)).json().number;
    const byNumber = await call('GET', `/invoices?number=${number}`);
    expect(byNumber.json().items.map((i: { id: string }) => i.id)).toEqual([paid.id]);
    const november = await call(
      'GET',
      `/invoices?client_id=${client.row.id}&issued_from=2026-11-01&issued_to=2026-11-30`,
    );
    expect(november.json().items.map((i: { id: string }) => i.id)).toEqual([overdue.id]);

    const first = await call('GET', `/invoices?client_id=${client.row.id}&limit=2`);
    expect(first.json().items).toHaveLength(2);
    const second = await call('GET', `/invoices?client_id=${client.row.id}&limit=2&cursor=${first.json().next_cursor}`);
    expect(second.json()).toMatchObject({ items: [{ id: overdue.id }], next_cursor: null });

    // Oldest first, paged the same way.
    const oldest = await call('GET', `/invoices?client_id=${client.row.id}&sort=oldest&limit=2`);
    expect(oldest.json().items.map((i: { id: string }) => i.id)).toEqual([overdue.id, paid.id]);
    const rest = await call(
      'GET',
      `/invoices?client_id=${client.row.id}&sort=oldest&limit=2&cursor=${oldest.json().next_cursor}`,
    );
    expect(rest.json()).toMatchObject({ items: [{ id: current.id }], next_cursor: null });
  });

  it('voids an unpaid invoice with its reason, and refuses a paid one saying to refund it', async () => {
    const client = await newClient(t.app);
    const unpaid = await newInvoice(t.app, { clientId: client.row.id });
    const missing = await call('POST', `/invoices/${unpaid.id}/void`, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('body.reason');

    const voided = await call('POST', `/invoices/${unpaid.id}/void`, { reason: 'Issued twice' });
    expect(voided.statusCode).toBe(200);
    expect(voided.json()).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'Issued twice',
      cancelled_at: new Date(clock.nowMs()).toISOString(),
    });
    expect((await auditOf(unpaid.id)).map((a) => a.action)).toEqual(['invoice.void']);
    const again = await call('POST', `/invoices/${unpaid.id}/void`, { reason: 'Again' });
    expect(again.statusCode).toBe(409);

    const paid = await newInvoice(t.app, { clientId: client.row.id, status: 'paid' });
    const refused = await call('POST', `/invoices/${paid.id}/void`, { reason: 'Oops' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('refund it instead');
  });

  it('refunds a paid invoice to credit in parts, refuses more than remains, and is refunded once all is back', async () => {
    const client = await newClient(t.app);
    const paid = await newInvoice(t.app, { clientId: client.row.id, status: 'paid', totalMinor: 1000 });

    const part = await call('POST', `/invoices/${paid.id}/refunds`, { amount_minor: 250, reason: 'Goodwill' });
    expect(part.statusCode).toBe(201);
    expect(part.json().invoice).toMatchObject({ status: 'paid', refunded_minor: 250 });
    expect(part.json().invoice.payments).toEqual([
      expect.objectContaining({ id: part.json().refund_id, kind: 'refund', amount_minor: 250, reference: 'Goodwill' }),
    ]);

    const tooMuch = await call('POST', `/invoices/${paid.id}/refunds`, { amount_minor: 800, reason: 'More' });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().detail).toContain('what remains to refund');
    expect(tooMuch.json().detail).toContain('7.50 USD');

    clock.advance(1000);
    const rest = await call('POST', `/invoices/${paid.id}/refunds`, { reason: 'Cancelled contract' });
    expect(rest.statusCode).toBe(201);
    expect(rest.json().invoice).toMatchObject({ status: 'refunded', refunded_minor: 1000 });

    const after = await call('POST', `/invoices/${paid.id}/refunds`, { amount_minor: 1, reason: 'Again' });
    expect(after.statusCode).toBe(409);
    expect(after.json().detail).toContain('already fully refunded');

    // The client's credit holds both refunds, each a ledger entry naming the invoice.
    const account = await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: client.basic } });
    expect(account.json().credit_minor ?? account.json().credit?.amount_minor).toBe(1000);
    const ledger = await t.app.db.kysely
      .selectFrom('credit_ledger')
      .selectAll()
      .where('client_id', '=', client.row.id)
      .orderBy('id')
      .execute();
    expect(ledger.map((e) => [Number(e.amount_minor), e.invoice_id])).toEqual([
      [250, paid.id],
      [750, paid.id],
    ]);
    expect((await auditOf(paid.id)).map((a) => a.action)).toEqual(['invoice.refund', 'invoice.refund']);

    const unpaid = await newInvoice(t.app, { clientId: client.row.id });
    const notPaid = await call('POST', `/invoices/${unpaid.id}/refunds`, { reason: 'x' });
    expect(notPaid.statusCode).toBe(409);
    expect(notPaid.json().detail).toContain('void it instead');
  });

  it('never refunds more than the total when two refunds race', async () => {
    const client = await newClient(t.app);
    const paid = await newInvoice(t.app, { clientId: client.row.id, status: 'paid', totalMinor: 1000 });
    const both = await Promise.all([
      call('POST', `/invoices/${paid.id}/refunds`, { amount_minor: 600, reason: 'First' }),
      call('POST', `/invoices/${paid.id}/refunds`, { amount_minor: 600, reason: 'Second' }),
    ]);
    expect(both.filter((r) => r.statusCode === 201)).toHaveLength(1);
    const after = (await call('GET', `/invoices/${paid.id}`)).json();
    expect(after).toMatchObject({ refunded_minor: 600, status: 'paid' });
    expect(after.payments).toHaveLength(1);
  });

  it('shows an invoice with its payments and the client; another id is not found', async () => {
    const client = await newClient(t.app, { name: 'Ada' });
    const paid = await newInvoice(t.app, { clientId: client.row.id, status: 'paid' });
    const res = await call('GET', `/invoices/${paid.id}`);
    expect(res.json()).toMatchObject({ id: paid.id, client_name: 'Ada', client_email: client.email });
    const missing = await call('GET', '/invoices/inv_01JD8X3Q4W5E6R7T8Y9ZABCDEF');
    expect(missing.statusCode).toBe(404);
  });
});
