import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { basicHeader, newAdmin, newClient, newInvoice, newProduct } from '../helpers/factories.js';
import { pdfText } from '../invoices/pdf-text.js';

const BANK = 'Example Hosting Ltd\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX';

describe('paying by bank transfer, recorded by an admin', () => {
  let t: TestApp;
  let admin: string;
  const clock = new ManualClock(Date.UTC(2026, 11, 3, 12));
  beforeAll(async () => {
    t = await createTestApp({ clock });
    await t.app.settings.set('userapi.rate_limit', 'off');
    await t.app.settings.set('payments.bank_transfer', 'on');
    await t.app.settings.set('payments.bank_details', BANK);
    await newAdmin(t.app, { email: 'billing@example.com', password: 'admin-password-1' });
    admin = basicHeader('billing@example.com', 'admin-password-1');
  });

  const record = (invoiceId: string, amount: number, reference = 'TRANSFER-1') =>
    t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${invoiceId}/payments`,
      headers: { authorization: admin },
      payload: { amount_minor: amount, method: 'bank_transfer', reference },
    });

  it('shows the bank details and the reference on the invoice (JSON and PDF)', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 1250 });
    const res = await t.inject({ method: 'GET', url: `/api/v1/invoices/${id}`, headers: { authorization: me.basic } });
    expect(res.statusCode).toBe(200);
    const invoice = res.json();
    expect(invoice.payment_methods).toEqual(['credit', 'bank_transfer']);
    expect(invoice.bank_transfer).toEqual({
      bank_details: BANK,
      reference: invoice.number,
      amount_minor: 1250,
      currency: 'USD',
    });
    const pdf = await t.inject({
      method: 'GET',
      url: `/api/v1/invoices/${id}/pdf`,
      headers: { authorization: me.basic },
    });
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('IBAN DE89 3704 0044 0532 0130 00');
    expect(text).toContain(`Reference: ${invoice.number}`);

    const started = await t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${id}/payments`,
      headers: { authorization: me.basic },
      payload: { method: 'bank_transfer' },
    });
    expect(started.statusCode).toBe(201);
    expect(started.json()).toMatchObject({
      status: 'pending',
      method: 'bank_transfer',
      bank_transfer: { reference: invoice.number },
    });
  });

  it('takes a transfer in parts; the last part pays the order and starts its provisioning', async () => {
    const me = await newClient(t.app);
    const product = await newProduct(t.app);
    const order = await t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: me.basic },
      payload: { product_id: product.id, billing_cycle: 'monthly', domain: 'transfer.example' },
    });
    const { invoice_id } = order.json();

    const part = await record(invoice_id, 200);
    expect(part.statusCode).toBe(201);
    expect(part.json()).toMatchObject({ status: 'unpaid', paid_minor: 200, operations: [] });
    const after = await t.inject({
      method: 'GET',
      url: `/api/v1/invoices/${invoice_id}`,
      headers: { authorization: me.basic },
    });
    expect(after.json()).toMatchObject({ status: 'unpaid', paid_minor: 200, bank_transfer: { amount_minor: 299 } });

    const tooMuch = await record(invoice_id, 300);
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().errors).toEqual([{ field: 'body.amount_minor', message: 'must be between 1 and 299' }]);

    const rest = await record(invoice_id, 299, 'TRANSFER-2');
    expect(rest.json()).toMatchObject({ status: 'paid', paid_minor: 499 });
    expect(rest.json().operations).toHaveLength(1);
    const job = await t.app.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', rest.json().operations[0])
      .executeTakeFirstOrThrow();
    expect(job.type).toBe('service.create');

    const shown = await t.inject({
      method: 'GET',
      url: `/admin/api/v1/invoices/${invoice_id}`,
      headers: { authorization: admin },
    });
    expect(shown.json()).toMatchObject({ status: 'paid', paid_minor: 499 });
    expect(
      shown
        .json()
        .payments.map((p: { method: string; amount_minor: number; reference: string }) => [
          p.method,
          p.amount_minor,
          p.reference,
        ])
        // Both parts may carry the same millisecond, and ids of one millisecond do not sort in order.
        .sort((a: string[], b: string[]) => String(a[2]).localeCompare(String(b[2]))),
    ).toEqual([
      ['bank_transfer', 200, 'TRANSFER-1'],
      ['bank_transfer', 299, 'TRANSFER-2'],
    ]);
    const again = await record(invoice_id, 1);
    expect(again.statusCode).toBe(409);
  });

  it('refuses a method the admin switched off, naming the ones that are on', async () => {
    const me = await newClient(t.app, { credit_minor: 10_000 });
    const { id } = await newInvoice(t.app, { clientId: me.row.id });
    const stripe = await t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${id}/payments`,
      headers: { authorization: me.basic },
      payload: { method: 'stripe' },
    });
    expect(stripe.statusCode).toBe(409);
    expect(stripe.json()).toMatchObject({
      code: 'payment_method_disabled',
      errors: [{ field: 'body.method', message: 'is switched off (on: credit, bank_transfer)' }],
    });
    await t.app.settings.set('payments.credit', 'off');
    try {
      const credit = await t.inject({
        method: 'POST',
        url: `/api/v1/invoices/${id}/payments`,
        headers: { authorization: me.basic },
        payload: {},
      });
      expect(credit.statusCode).toBe(409);
      expect(credit.json().detail).toContain('Pay with bank_transfer instead');
    } finally {
      await t.app.settings.set('payments.credit', 'on');
    }
  });

  it('adds funds: a top-up invoice paid by transfer becomes a credit-ledger entry', async () => {
    const me = await newClient(t.app);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/account/credit/top-ups',
      headers: { authorization: me.basic },
      payload: { amount_minor: 2000, method: 'bank_transfer' },
    });
    expect(res.statusCode).toBe(201);
    const topUp = res.json();
    expect(topUp).toMatchObject({
      total: { amount_minor: 2000, currency: 'USD' },
      payment: { status: 'pending', bank_transfer: { amount_minor: 2000, reference: topUp.number } },
    });
    const invoice = await t.inject({
      method: 'GET',
      url: `/api/v1/invoices/${topUp.invoice_id}`,
      headers: { authorization: me.basic },
    });
    expect(invoice.json()).toMatchObject({ kind: 'funds', payment_methods: ['bank_transfer'] });

    expect((await record(topUp.invoice_id, 2000)).json()).toMatchObject({ status: 'paid' });
    const credit = await t.inject({
      method: 'GET',
      url: '/api/v1/account/credit',
      headers: { authorization: me.basic },
    });
    expect(credit.json().balance).toEqual({ amount_minor: 2000, currency: 'USD' });
    expect(credit.json().items[0]).toMatchObject({ amount_minor: 2000, invoice_id: topUp.invoice_id });
  });

  it('records a transfer from the shell: portico invoices record-payment', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 1000 });
    const part = await runCli(t.db, [
      'invoices',
      'record-payment',
      id,
      '--amount',
      '4.00',
      '--method',
      'bank_transfer',
      '--reference',
      'BANK-77',
    ]);
    expect(part.stderr).toBe('');
    expect(part.stdout).toContain('4.00 USD received, 6.00 USD still due');
    const bad = await runCli(t.db, [
      'invoices',
      'record-payment',
      id,
      '--amount',
      '7.00',
      '--method',
      'bank_transfer',
      '--reference',
      'X',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('6.00 USD');
    const rest = await runCli(t.db, [
      'invoices',
      'record-payment',
      id,
      '--amount',
      '6.00',
      '--method',
      'bank_transfer',
      '--reference',
      'BANK-78',
    ]);
    expect(rest.stdout).toContain('paid');
    const row = await t.app.db.kysely.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('paid');
  });

  it('dates a transfer the day it arrived; a day after today or before the invoice is refused naming the field', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 900 });
    clock.advance(3 * 86_400_000);
    const send = (received_on: string, amount = 300) =>
      t.inject({
        method: 'POST',
        url: `/admin/api/v1/invoices/${id}/payments`,
        headers: { authorization: admin },
        payload: { amount_minor: amount, method: 'bank_transfer', reference: 'BANK-9', received_on },
      });
    const today = new Date(clock.nowMs()).toISOString().slice(0, 10);
    const issuedDay = new Date(clock.nowMs() - 3 * 86_400_000).toISOString().slice(0, 10);
    const dayBefore = new Date(clock.nowMs() - 4 * 86_400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(clock.nowMs() + 86_400_000).toISOString().slice(0, 10);
    for (const [day, message] of [
      [tomorrow, 'must not be after today'],
      [dayBefore, `must not be before ${issuedDay}`],
    ] as const) {
      const bad = await send(day);
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.json().errors).toEqual([{ field: 'body.received_on', message }]);
    }
    expect((await send(issuedDay)).statusCode).toBe(201);
    expect((await send(today)).statusCode).toBe(201);
    const payments = await t.app.db.kysely
      .selectFrom('payments')
      .select(['at_ms', 'reference'])
      .where('invoice_id', '=', id)
      .orderBy('at_ms')
      .execute();
    // billing.time_zone is UTC here: the earlier one is dated the start of its day, today's keeps its time.
    expect(payments.map((p) => p.at_ms)).toEqual([Date.parse(`${issuedDay}T00:00:00Z`), clock.nowMs()]);
  });

  it('dates a transfer from the shell with --received-on', async () => {
    const me = await newClient(t.app);
    // The command runs in its own process, on the real clock.
    const { id } = await newInvoice(t.app, {
      clientId: me.row.id,
      totalMinor: 800,
      nowMs: Date.now() - 5 * 86_400_000,
    });
    const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const record = (receivedOn: string) =>
      runCli(t.db, [
        'invoices',
        'record-payment',
        id,
        '--amount',
        '3.00',
        '--method',
        'bank_transfer',
        '--reference',
        'LATE-1',
        '--received-on',
        receivedOn,
      ]);
    const future = await record(day(2));
    expect(future.code).not.toBe(0);
    expect(future.stderr).toContain('after today');
    expect((await record(day(-2))).code).toBe(0);
    const payment = await t.app.db.kysely
      .selectFrom('payments')
      .select('at_ms')
      .where('invoice_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(new Date(payment.at_ms).toISOString().slice(0, 10)).toBe(day(-2));
  });
});
