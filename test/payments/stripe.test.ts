import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertInvoice } from '../../src/invoices/store.js';
import { chargeRenewals } from '../../src/payments/stripe.js';
import { ManualClock } from '../../src/platform/clock.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import {
  basicHeader,
  newAdmin,
  newClient,
  newInvoice,
  newProduct,
  newService,
  type TestClient,
} from '../helpers/factories.js';
import { type FakeStripe, startFakeStripe } from '../helpers/stripe.js';

const WEBHOOK_SECRET = 'whsec_test_portico';
const DAY = 86_400_000;

describe('paying by card through Stripe (the real SDK against a loopback Stripe)', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let admin: string;
  const clock = new ManualClock(Date.UTC(2026, 11, 3, 12));
  beforeAll(async () => {
    stripe = await startFakeStripe();
    t = await createTestApp({
      clock,
      env: { PORTICO_STRIPE_API_BASE: stripe.url, PORTICO_PUBLIC_URL: 'https://portal.example.test/' },
    });
    await t.app.settings.set('userapi.rate_limit', 'off');
    await t.app.settings.set('payments.stripe', 'on');
    await t.app.settings.set('payments.stripe_secret_key', 'sk_test_portico_secret');
    await t.app.settings.set('payments.stripe_webhook_secret', WEBHOOK_SECRET);
    await newAdmin(t.app, { email: 'billing@example.com', password: 'admin-password-1' });
    admin = basicHeader('billing@example.com', 'admin-password-1');
  });
  afterAll(async () => {
    await stripe?.close();
  });

  const db = () => t.app.db.kysely;
  const invoiceRow = (id: string) =>
    db().selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const paymentsOf = (id: string) =>
    db().selectFrom('payments').selectAll().where('invoice_id', '=', id).orderBy('id').execute();
  const deliver = (type: string, object: Record<string, unknown>, options: { id?: string; secret?: string } = {}) => {
    const event = stripe.signedEvent(options.secret ?? WEBHOOK_SECRET, type, object, options.id);
    return {
      event,
      send: () =>
        t.inject({ method: 'POST', url: '/payments/stripe/webhook', headers: event.headers, payload: event.payload }),
    };
  };
  const checkout = async (me: TestClient, invoiceId: string, saveCard = false) => {
    const res = await t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoiceId}/payments`,
      headers: { authorization: me.basic },
      payload: { method: 'stripe', ...(saveCard ? { save_card: true } : {}) },
    });
    expect(res.statusCode).toBe(201);
    const sessionId = res.json().checkout_url.split('/').pop() as string;
    return { res, sessionId };
  };

  it('keeps the Stripe secret key sealed at rest', async () => {
    const row = await db()
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', 'payments.stripe_secret_key')
      .executeTakeFirstOrThrow();
    expect(row.value).toMatch(/^v1:/);
    expect(row.value).not.toContain('sk_test_portico_secret');
    expect(t.app.settings.list().find((s) => s.key === 'payments.stripe_secret_key')?.value).toBe('(set, sealed)');
  });

  it('creates a Checkout Session for the invoice, and the signed completion pays it once', async () => {
    const me = await newClient(t.app);
    const product = await newProduct(t.app);
    const order = await t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: me.basic },
      payload: { product_id: product.id, billing_cycle: 'monthly', domain: 'card.example' },
    });
    const { invoice_id } = order.json();
    const { res, sessionId } = await checkout(me, invoice_id, true);
    expect(res.json()).toMatchObject({ status: 'pending', method: 'stripe', operations: [] });
    const created = stripe.requests.find(
      (r) => r.path === '/v1/checkout/sessions' && r.params.client_reference_id === invoice_id,
    );
    expect(created?.params).toMatchObject({
      mode: 'payment',
      'line_items[0][price_data][unit_amount]': '499',
      'line_items[0][price_data][currency]': 'usd',
      'metadata[invoice_id]': invoice_id,
      'payment_intent_data[setup_future_usage]': 'off_session',
    });
    expect(created?.params.success_url).toContain('https://portal.example.test/');
    expect(stripe.requests.some((r) => r.path === '/v1/customers')).toBe(true);
    expect((await invoiceRow(invoice_id)).status).toBe('unpaid');

    const completed = deliver('checkout.session.completed', stripe.completedSession(sessionId));
    const first = await completed.send();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true, outcome: 'paid' });
    expect((await invoiceRow(invoice_id)).status).toBe('paid');
    const jobs = await db().selectFrom('jobs').selectAll().where('type', '=', 'service.create').execute();
    expect(jobs.some((j) => j.payload.includes(order.json().service_id))).toBe(true);
    const card = await db()
      .selectFrom('stripe_customers')
      .selectAll()
      .where('client_id', '=', me.row.id)
      .executeTakeFirstOrThrow();
    expect(card.payment_method_id).toMatch(/^pm_/);

    // Stripe redelivers the same event: answered 200, nothing recorded twice.
    const replay = await completed.send();
    expect(replay.statusCode).toBe(200);
    expect(replay.json().outcome).toBe('duplicate');
    const payments = await paymentsOf(invoice_id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ method: 'stripe', amount_minor: 499, kind: 'payment' });
  });

  it('adds funds by card: the top-up Checkout, once completed, becomes credit', async () => {
    const me = await newClient(t.app);
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/account/credit/top-ups',
      headers: { authorization: me.basic },
      payload: { amount_minor: 5000, method: 'stripe' },
    });
    expect(res.statusCode).toBe(201);
    const topUp = res.json();
    expect(topUp.payment).toMatchObject({ method: 'stripe', status: 'pending' });
    const sessionId = topUp.payment.checkout_url.split('/').pop();
    expect(
      (await deliver('checkout.session.completed', stripe.completedSession(sessionId)).send()).json().outcome,
    ).toBe('paid');
    const credit = await t.inject({
      method: 'GET',
      url: '/api/v1/account/credit',
      headers: { authorization: me.basic },
    });
    expect(credit.json().balance).toEqual({ amount_minor: 5000, currency: 'USD' });
  });

  it('refuses a forged or unsigned event with 400 and changes nothing', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id });
    const { sessionId } = await checkout(me, id);
    const forged = deliver('checkout.session.completed', stripe.completedSession(sessionId), {
      secret: 'whsec_attacker',
    });
    const res = await forged.send();
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual([{ field: 'header.stripe-signature', message: 'does not verify' }]);
    const unsigned = await t.inject({
      method: 'POST',
      url: '/payments/stripe/webhook',
      headers: { 'content-type': 'application/json' },
      payload: forged.event.payload,
    });
    expect(unsigned.statusCode).toBe(400);
    // A body changed after signing does not verify either.
    const tampered = await t.inject({
      method: 'POST',
      url: '/payments/stripe/webhook',
      headers: deliver('checkout.session.completed', stripe.completedSession(sessionId)).event.headers,
      payload: forged.event.payload,
    });
    expect(tampered.statusCode).toBe(400);
    expect((await invoiceRow(id)).status).toBe('unpaid');
    expect(await paymentsOf(id)).toHaveLength(0);
    expect(await db().selectFrom('stripe_events').selectAll().execute()).not.toContainEqual(
      expect.objectContaining({ id: JSON.parse(forged.event.payload).id }),
    );
  });

  it('records a completion for another amount as a mismatch the admin sees, and does not pay', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 1500 });
    const { sessionId } = await checkout(me, id);
    const res = await deliver(
      'checkout.session.completed',
      stripe.completedSession(sessionId, { amount_total: 150 }),
    ).send();
    expect(res.json().outcome).toBe('mismatch');
    expect((await invoiceRow(id)).status).toBe('unpaid');
    expect(await paymentsOf(id)).toHaveLength(0);
    const seen = await t.inject({
      method: 'GET',
      url: `/admin/api/v1/payment-attempts?status=mismatch&client_id=${me.row.id}`,
      headers: { authorization: admin },
    });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().items).toHaveLength(1);
    expect(seen.json().items[0]).toMatchObject({
      invoice_id: id,
      status: 'mismatch',
      purpose: 'checkout',
      provider_ref: sessionId,
    });
    expect(seen.json().items[0].error).toContain('1.50 USD');
  });

  it('refunds a card payment through Stripe, in part, and reconciles charge.refunded', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 1000 });
    const { sessionId } = await checkout(me, id);
    const session = stripe.completedSession(sessionId);
    await deliver('checkout.session.completed', session).send();
    const refund = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${id}/stripe-refunds`,
      headers: { authorization: admin },
      payload: { amount_minor: 300, reason: 'Goodwill' },
    });
    expect(refund.statusCode).toBe(201);
    const sent = stripe.requests.filter((r) => r.path === '/v1/refunds').at(-1);
    expect(sent?.params).toMatchObject({ amount: '300', payment_intent: session.payment_intent });
    expect(sent?.idempotencyKey).toBeTruthy();
    expect(await invoiceRow(id)).toMatchObject({ status: 'paid', refunded_minor: 300 });

    const charge = {
      id: 'ch_test_1',
      object: 'charge',
      payment_intent: session.payment_intent,
      amount: 1000,
      amount_refunded: 300,
    };
    expect((await deliver('charge.refunded', charge).send()).json().outcome).toBe('already_recorded');
    // The rest refunded in Stripe's dashboard: recorded from the event, the invoice fully refunded.
    const rest = await deliver('charge.refunded', { ...charge, amount_refunded: 1000 }).send();
    expect(rest.json().outcome).toBe('refunded');
    expect(await invoiceRow(id)).toMatchObject({ status: 'refunded', refunded_minor: 1000 });
    const refunds = (await paymentsOf(id)).filter((p) => p.kind === 'refund');
    expect(refunds.map((p) => Number(p.amount_minor)).sort((a, b) => a - b)).toEqual([300, 700]);
  });

  it('refunds a card payment and lists mismatches from the shell', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 800 });
    const { sessionId } = await checkout(me, id);
    await deliver('checkout.session.completed', stripe.completedSession(sessionId)).send();
    const env = { PORTICO_STRIPE_API_BASE: stripe.url };
    const refunded = await runCli(
      t.db,
      ['invoices', 'stripe-refund', id, '--amount', '2.00', '--reason', 'Late setup'],
      { env },
    );
    expect(refunded.stderr).toBe('');
    expect(refunded.stdout).toMatch(/^Refunded 2\.00 USD of .+ to the card \(re_test_/);
    expect(await invoiceRow(id)).toMatchObject({ refunded_minor: 200 });
    const tooMuch = await runCli(t.db, ['invoices', 'stripe-refund', id, '--amount', '7.00', '--reason', 'x'], { env });
    expect(tooMuch.code).not.toBe(0);
    expect(tooMuch.stderr).toContain('6.00 USD left to refund');
    const { id: other } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 900 });
    const wrong = await checkout(me, other);
    await deliver('checkout.session.completed', stripe.completedSession(wrong.sessionId, { amount_total: 90 })).send();
    const listed = await runCli(t.db, ['payments', 'attempts', '--status', 'mismatch'], { env });
    expect(listed.stdout).toContain(other);
    expect(listed.stdout).toContain('mismatch\tcheckout');
  });

  /** An unpaid renewal invoice of one service for the period ending at `periodEnd`. */
  const renewalInvoice = async (clientId: string, serviceId: string, periodEnd: number) => {
    const now = clock.nowMs();
    const renewalId = newId('invoice', now);
    await insertInvoice(
      db(),
      {
        id: renewalId,
        client_id: clientId,
        number: `R-${renewalId.slice(-6)}`,
        status: 'unpaid',
        currency: 'USD',
        subtotal_minor: 499,
        tax_minor: 0,
        total_minor: 499,
        issued_at_ms: now,
        due_at_ms: now + 7 * DAY,
        paid_at_ms: null,
        created_at_ms: now,
        kind: 'renewal',
      },
      [
        {
          id: newId('invoiceItem', now),
          invoice_id: renewalId,
          service_id: serviceId,
          description: 'Renewal',
          amount_minor: 499,
          sort_order: 1,
          kind: 'renewal',
          period_start_ms: now,
          period_end_ms: periodEnd,
        },
      ],
    );
    return renewalId;
  };

  it('charges the saved card for a renewal, retries a declined charge on schedule, and shows each attempt', async () => {
    const me = await newClient(t.app);
    // Saving a card: a paid checkout with save_card.
    const { id: first } = await newInvoice(t.app, { clientId: me.row.id });
    const { sessionId } = await checkout(me, first, true);
    await deliver('checkout.session.completed', stripe.completedSession(sessionId)).send();

    const product = await newProduct(t.app);
    const service = await newService(t.app, { clientId: me.row.id, productId: product.id });
    const now = clock.nowMs();
    const periodEnd = now + 30 * DAY;
    const renewalId = await renewalInvoice(me.row.id, service.id, periodEnd);

    stripe.declineNextCharges(1);
    expect(await chargeRenewals(t.app)).toEqual({ charged: 0, failed: 1 });
    const charges = () =>
      stripe.requests.filter((r) => r.path === '/v1/payment_intents' && r.params['metadata[invoice_id]'] === renewalId);
    expect(charges()).toHaveLength(1);
    expect(charges()[0]?.params).toMatchObject({ amount: '499', off_session: 'true', confirm: 'true' });
    expect((await invoiceRow(renewalId)).status).toBe('unpaid');

    // Not due again before payments.retry_days' first day.
    clock.advance(DAY - 1000);
    expect(await chargeRenewals(t.app)).toEqual({ charged: 0, failed: 0 });
    expect(charges()).toHaveLength(1);

    clock.advance(1000);
    expect(await chargeRenewals(t.app)).toEqual({ charged: 1, failed: 0 });
    expect(charges()).toHaveLength(2);
    expect((await invoiceRow(renewalId)).status).toBe('paid');
    const due = await db()
      .selectFrom('services')
      .select('next_due_at_ms')
      .where('id', '=', service.id)
      .executeTakeFirstOrThrow();
    expect(Number(due.next_due_at_ms)).toBe(periodEnd);

    const mine = await t.inject({
      method: 'GET',
      url: `/api/v1/invoices/${renewalId}/payment-attempts`,
      headers: { authorization: me.basic },
    });
    expect(
      mine
        .json()
        .items.map((a: { attempt: number; status: string; error: string | null; next_attempt_at: string | null }) => [
          a.attempt,
          a.status,
          a.error,
          a.next_attempt_at,
        ]),
    ).toEqual([
      [1, 'failed', 'Your card was declined.', new Date(now + DAY).toISOString()],
      [2, 'succeeded', null, null],
    ]);
    const failures = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'payment.failed')
      .where('target_id', '=', renewalId)
      .execute();
    expect(failures).toHaveLength(1);
    // Paid: nothing more is charged.
    clock.advance(3 * DAY);
    expect(await chargeRenewals(t.app)).toEqual({ charged: 0, failed: 0 });
  });

  it('shows the client the card they saved; removed, it is detached at Stripe and renewals are no longer charged', async () => {
    const me = await newClient(t.app);
    const card = () => t.inject({ method: 'GET', url: '/api/v1/account/card', headers: { authorization: me.basic } });
    expect((await card()).json()).toEqual({ saved: false, card: null, saved_at: null, note: null });
    const { id: first } = await newInvoice(t.app, { clientId: me.row.id });
    const { sessionId } = await checkout(me, first, true);
    await deliver('checkout.session.completed', stripe.completedSession(sessionId)).send();
    const shown = (await card()).json();
    expect(shown).toMatchObject({ saved: true, card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 } });

    const product = await newProduct(t.app);
    const service = await newService(t.app, { clientId: me.row.id, productId: product.id });
    const renewalId = await renewalInvoice(me.row.id, service.id, clock.nowMs() + 30 * DAY);
    const removed = await t.inject({
      method: 'DELETE',
      url: '/api/v1/account/card',
      headers: { authorization: me.basic },
    });
    expect(removed.statusCode).toBe(204);
    expect(stripe.requests.some((r) => /^\/v1\/payment_methods\/pm_[^/]+\/detach$/.test(r.path))).toBe(true);
    expect((await card()).json().saved).toBe(false);
    const charged = () =>
      stripe.requests.filter((r) => r.path === '/v1/payment_intents' && r.params['metadata[invoice_id]'] === renewalId);
    await chargeRenewals(t.app);
    expect(charged()).toHaveLength(0);
    expect((await invoiceRow(renewalId)).status).toBe('unpaid');
    const again = await t.inject({
      method: 'DELETE',
      url: '/api/v1/account/card',
      headers: { authorization: me.basic },
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().detail).toContain('saved card');
  });

  it('refunds through Stripe only what was paid by card when part came by bank transfer, saying where the rest goes', async () => {
    const me = await newClient(t.app);
    const { id } = await newInvoice(t.app, { clientId: me.row.id, totalMinor: 500 });
    await t.app.settings.set('payments.bank_transfer', 'on');
    const transfer = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${id}/payments`,
      headers: { authorization: admin },
      payload: { amount_minor: 200, method: 'bank_transfer', reference: 'PART-1' },
    });
    expect(transfer.statusCode).toBe(201);
    const { sessionId } = await checkout(me, id);
    await deliver('checkout.session.completed', stripe.completedSession(sessionId)).send();
    expect(await invoiceRow(id)).toMatchObject({ status: 'paid' });
    const refund = (amount: number) =>
      t.inject({
        method: 'POST',
        url: `/admin/api/v1/invoices/${id}/stripe-refunds`,
        headers: { authorization: admin },
        payload: { amount_minor: amount, reason: 'Goodwill' },
      });
    const tooMuch = await refund(400);
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().detail).toMatch(/5\.00 USD left to refund, of which 3\.00 USD was paid by card/);
    expect(tooMuch.json().errors[0]).toMatchObject({
      field: 'body.amount_minor',
      message: 'must be between 1 and 300',
    });
    expect(stripe.requests.filter((r) => r.path === '/v1/refunds' && r.params.amount === '400')).toHaveLength(0);
    expect((await refund(300)).statusCode).toBe(201);
    expect(await invoiceRow(id)).toMatchObject({ refunded_minor: 300 });
  });
});
