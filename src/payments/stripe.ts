import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { findClientById } from '../clients/store.js';
import { resolveInvoice } from '../invoices/admin.js';
import {
  addInvoiceRefund,
  findInvoice,
  type InvoiceRow,
  listInvoicePayments,
  listUnpaidRenewalsOfClients,
} from '../invoices/store.js';
import { findPaymentByProviderRef, insertPayment, stripeRefundedOn } from '../orders/store.js';
import type { Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { formatAmount } from '../platform/money.js';
import { onPaymentFailed } from './failed.js';
import { amountDue, type PaymentActor, recordPayment } from './record.js';
import {
  claimStripeEvent,
  findPaymentAttempt,
  findPaymentAttemptByProviderRef,
  findStripeCustomer,
  firstRenewalCharge,
  insertPaymentAttempt,
  insertStripeCustomer,
  latestRenewalCharges,
  listClientsWithCards,
  listInvoiceAttempts,
  saveStripeCard,
  setStripeEventOutcome,
  updatePaymentAttempt,
} from './store.js';
import { providerError, type StripeDeps, stripeClient, stripeWebhookSecret } from './stripe-client.js';

/**
 * Stripe: Checkout for a client's invoice (optionally saving the card for renewals), the webhook
 * that reports payments and refunds (each event applied once, amounts checked against the
 * invoice), refunds an admin starts, and the billing run's off-session renewal charges with
 * retries. Calls to Stripe happen outside database transactions; what they return is recorded in
 * one transaction each.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'logger'> & StripeDeps;

const DAY_MS = 86_400_000;
const SYSTEM: PaymentActor = { type: 'system', id: null };

function returnUrl(deps: Pick<AppContext, 'settings' | 'config'>, invoiceId: string, outcome: string): string {
  const base = deps.settings.snapshot['payments.stripe_return_url'] || deps.config.publicUrl;
  if (!base) {
    throw new AppError(
      'payment_method_disabled',
      'Card payments are not set up: the provider has to set payments.stripe_return_url (or PORTICO_PUBLIC_URL). Pay another way meanwhile.',
    );
  }
  const url = new URL(base);
  url.searchParams.set('invoice', invoiceId);
  url.searchParams.set('payment', outcome);
  return url.href;
}

async function ensureCustomer(deps: Deps, stripe: Stripe, clientId: string): Promise<string> {
  const db = deps.db.kysely;
  const known = await findStripeCustomer(db, clientId);
  if (known) return known.customer_id;
  const client = await findClientById(db, clientId);
  let customer: Stripe.Customer;
  try {
    customer = await stripe.customers.create(
      { email: client?.email ?? undefined, name: client?.name ?? undefined, metadata: { client_id: clientId } },
      { idempotencyKey: `portico-customer-${clientId}` },
    );
  } catch (error) {
    throw providerError(error, 'create the customer');
  }
  const now = deps.clock.nowMs();
  await insertStripeCustomer(db, {
    client_id: clientId,
    customer_id: customer.id,
    payment_method_id: null,
    created_at_ms: now,
    updated_at_ms: now,
  });
  return (await findStripeCustomer(db, clientId))?.customer_id ?? customer.id;
}

/** A Checkout Session for what remains of an unpaid invoice; the client is sent to its URL. */
export async function startStripeCheckout(
  deps: Deps,
  invoice: InvoiceRow,
  options: { saveCard: boolean },
): Promise<{ checkout_url: string; session_id: string; attempt_id: string }> {
  const stripe = stripeClient(deps);
  const due = amountDue(invoice);
  const customer = await ensureCustomer(deps, stripe, invoice.client_id);
  const now = deps.clock.nowMs();
  const attemptId = newId('paymentAttempt', now);
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        customer,
        client_reference_id: invoice.id,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: invoice.currency.toLowerCase(),
              unit_amount: due,
              product_data: { name: `Invoice ${invoice.number}` },
            },
          },
        ],
        metadata: { invoice_id: invoice.id, attempt_id: attemptId, save_card: options.saveCard ? '1' : '0' },
        payment_intent_data: {
          metadata: { invoice_id: invoice.id, attempt_id: attemptId, purpose: 'checkout' },
          ...(options.saveCard ? { setup_future_usage: 'off_session' as const } : {}),
        },
        success_url: returnUrl(deps, invoice.id, 'success'),
        cancel_url: returnUrl(deps, invoice.id, 'cancelled'),
      },
      { idempotencyKey: `portico-checkout-${attemptId}` },
    );
  } catch (error) {
    throw providerError(error, 'start the checkout');
  }
  if (!session.url) throw providerError(new Error('no URL in the Checkout Session'), 'start the checkout');
  await insertPaymentAttempt(deps.db.kysely, {
    id: attemptId,
    invoice_id: invoice.id,
    client_id: invoice.client_id,
    method: 'stripe',
    purpose: 'checkout',
    provider_ref: session.id,
    amount_minor: due,
    currency: invoice.currency,
    status: 'pending',
    error: null,
    attempt: (await listInvoiceAttempts(deps.db.kysely, invoice.id)).length + 1,
    next_attempt_at_ms: null,
    created_at_ms: now,
    updated_at_ms: now,
  });
  return { checkout_url: session.url, session_id: session.id, attempt_id: attemptId };
}

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/** Verifies a webhook body with the endpoint's signing secret; a forged or stale one is refused. */
export function verifyStripeEvent(deps: Deps, rawBody: Buffer, signature: string | undefined): Stripe.Event {
  const secret = stripeWebhookSecret(deps);
  if (!secret) {
    throw new AppError(
      'invalid_request',
      'The Stripe webhook is not set up here: set payments.stripe_webhook_secret to the endpoint’s signing secret.',
    );
  }
  if (!signature) {
    throw new AppError('invalid_request', 'The Stripe-Signature header is missing.', {
      errors: [{ field: 'header.stripe-signature', message: 'is required' }],
    });
  }
  try {
    return stripeClient(deps).webhooks.constructEvent(rawBody, signature, secret);
  } catch (error) {
    throw new AppError(
      'invalid_request',
      'The Stripe-Signature does not match this body and the endpoint’s signing secret: the event is ignored.',
      { errors: [{ field: 'header.stripe-signature', message: 'does not verify' }], cause: error },
    );
  }
}

type Outcome = { outcome: string; invoiceId: string | null };

/**
 * Applies one verified event, once: its id is taken in the same transaction as its effect, so a
 * replay (Stripe retries, or an attacker resending a captured body) answers 200 and changes
 * nothing. The few reads Stripe has to answer (the card of a completed checkout) are made before.
 */
export async function applyStripeEvent(deps: Deps, event: Stripe.Event): Promise<Outcome & { duplicate: boolean }> {
  const now = deps.clock.nowMs();
  let cardToSave: string | null = null;
  if (event.type === 'checkout.session.completed') {
    const session = event.data.object;
    if (session.metadata?.save_card === '1' && typeof session.payment_intent === 'string') {
      try {
        const intent = await stripeClient(deps).paymentIntents.retrieve(session.payment_intent);
        cardToSave =
          typeof intent.payment_method === 'string' ? intent.payment_method : (intent.payment_method?.id ?? null);
      } catch (error) {
        // Stripe retries the event while this answers 5xx: the card is saved on a later delivery.
        throw providerError(error, 'read the payment of the completed checkout');
      }
    }
  }
  return deps.db.kysely.transaction().execute(async (trx) => {
    if (
      !(await claimStripeEvent(trx, {
        id: event.id,
        type: event.type,
        invoice_id: null,
        outcome: 'applying',
        received_at_ms: now,
      }))
    ) {
      return { outcome: 'duplicate', invoiceId: null, duplicate: true };
    }
    let result: Outcome;
    switch (event.type) {
      case 'checkout.session.completed':
        result = await checkoutCompleted(deps, trx, now, event.data.object, cardToSave);
        break;
      case 'payment_intent.succeeded':
        result = await intentSucceeded(deps, trx, now, event.data.object);
        break;
      case 'payment_intent.payment_failed':
        result = await intentFailed(trx, now, event.data.object);
        break;
      case 'charge.refunded':
        result = await chargeRefunded(trx, now, event.data.object);
        break;
      default:
        result = { outcome: 'ignored', invoiceId: null };
    }
    await setStripeEventOutcome(trx, event.id, result.outcome, result.invoiceId);
    return { ...result, duplicate: false };
  });
}

/**
 * Money Stripe reports for an invoice: checked against what remains to pay (amount and
 * currency); a mismatch, or an invoice no longer unpaid, is recorded on the attempt (for the
 * admin to refund or settle) and pays nothing.
 */
async function receive(
  deps: Deps,
  trx: Kysely<Database>,
  now: number,
  input: {
    invoiceId: string | undefined;
    attemptId: string | undefined;
    intentId: string;
    amountMinor: number;
    currency: string;
    eventRef: string;
  },
): Promise<Outcome> {
  if (await findPaymentByProviderRef(trx, input.intentId))
    return { outcome: 'already_recorded', invoiceId: input.invoiceId ?? null };
  const invoice = input.invoiceId ? await findInvoice(trx, input.invoiceId) : undefined;
  if (!invoice) return { outcome: 'unknown_invoice', invoiceId: null };
  const attempt = input.attemptId ? await findPaymentAttempt(trx, input.attemptId) : undefined;
  const due = amountDue(invoice);
  const currency = input.currency.toUpperCase();
  let problem: string | null = null;
  if (invoice.status !== 'unpaid') {
    problem = `Stripe took ${formatAmount(input.amountMinor, currency)} ${currency} for ${invoice.number}, which is ${invoice.status}: refund it in Stripe or add it as credit.`;
  } else if (currency !== invoice.currency || input.amountMinor !== due) {
    problem = `Stripe took ${formatAmount(input.amountMinor, currency)} ${currency} for ${invoice.number}, which is due ${formatAmount(due, invoice.currency)} ${invoice.currency}: not marked paid. Refund it in Stripe, or record it by hand.`;
  }
  if (problem) {
    if (attempt)
      await updatePaymentAttempt(trx, attempt.id, { status: 'mismatch', error: problem, updated_at_ms: now });
    await audit(trx, now, {
      actorType: 'system',
      actorId: null,
      action: 'payment.mismatch',
      targetType: 'invoice',
      targetId: invoice.id,
      ip: null,
      requestId: input.eventRef,
      details: { intentId: input.intentId, amountMinor: input.amountMinor, currency, dueMinor: due, problem },
    });
    return { outcome: 'mismatch', invoiceId: invoice.id };
  }
  await recordPayment(trx, deps.settings.snapshot, now, {
    invoice,
    amountMinor: input.amountMinor,
    method: 'stripe',
    reference: input.eventRef,
    providerRef: input.intentId,
    actor: SYSTEM,
    correlationId: newId('request', now),
  });
  if (attempt)
    await updatePaymentAttempt(trx, attempt.id, {
      status: 'succeeded',
      error: null,
      next_attempt_at_ms: null,
      updated_at_ms: now,
    });
  return { outcome: 'paid', invoiceId: invoice.id };
}

async function checkoutCompleted(
  deps: Deps,
  trx: Kysely<Database>,
  now: number,
  session: Stripe.Checkout.Session,
  cardToSave: string | null,
): Promise<Outcome> {
  if (session.mode !== 'payment' || session.payment_status !== 'paid' || typeof session.payment_intent !== 'string') {
    return { outcome: 'not_paid', invoiceId: session.client_reference_id };
  }
  const attempt = await findPaymentAttemptByProviderRef(trx, session.id);
  const result = await receive(deps, trx, now, {
    invoiceId: session.metadata?.invoice_id ?? session.client_reference_id ?? undefined,
    attemptId: attempt?.id,
    intentId: session.payment_intent,
    amountMinor: session.amount_total ?? 0,
    currency: session.currency ?? '',
    eventRef: session.id,
  });
  if (cardToSave && attempt && result.outcome === 'paid') await saveStripeCard(trx, attempt.client_id, cardToSave, now);
  return result;
}

async function intentSucceeded(
  deps: Deps,
  trx: Kysely<Database>,
  now: number,
  intent: Stripe.PaymentIntent,
): Promise<Outcome> {
  // A checkout's payment is applied from checkout.session.completed; this one reports renewal charges.
  if (intent.metadata?.purpose !== 'renewal_charge')
    return { outcome: 'ignored', invoiceId: intent.metadata?.invoice_id ?? null };
  return receive(deps, trx, now, {
    invoiceId: intent.metadata.invoice_id,
    attemptId: intent.metadata.attempt_id,
    intentId: intent.id,
    amountMinor: intent.amount_received ?? intent.amount,
    currency: intent.currency,
    eventRef: intent.id,
  });
}

async function intentFailed(trx: Kysely<Database>, now: number, intent: Stripe.PaymentIntent): Promise<Outcome> {
  const attemptId = intent.metadata?.attempt_id;
  const attempt = attemptId ? await findPaymentAttempt(trx, attemptId) : undefined;
  if (attempt?.status !== 'pending') return { outcome: 'ignored', invoiceId: intent.metadata?.invoice_id ?? null };
  const reason = intent.last_payment_error?.message ?? 'The card was declined.';
  await onPaymentFailed(trx, now, { attempt, reason, nextAttemptAtMs: null });
  return { outcome: 'failed', invoiceId: attempt.invoice_id };
}

/**
 * A refund in Stripe (from `portico invoices stripe-refund`, or made in Stripe's dashboard): what
 * Stripe has refunded beyond what is recorded is recorded as a refund of the invoice.
 */
async function chargeRefunded(trx: Kysely<Database>, now: number, charge: Stripe.Charge): Promise<Outcome> {
  const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  const payment = intentId ? await findPaymentByProviderRef(trx, intentId) : undefined;
  if (!payment) return { outcome: 'unknown_payment', invoiceId: null };
  const recorded = await stripeRefundedOn(trx, payment.invoice_id);
  const missing = charge.amount_refunded - recorded;
  if (missing <= 0) return { outcome: 'already_recorded', invoiceId: payment.invoice_id };
  await recordStripeRefund(trx, now, {
    invoiceId: payment.invoice_id,
    amountMinor: missing,
    refundRef: `${charge.id}:${charge.amount_refunded}`,
    reason: 'Refunded in Stripe',
    actor: SYSTEM,
    requestId: charge.id,
  });
  return { outcome: 'refunded', invoiceId: payment.invoice_id };
}

async function recordStripeRefund(
  trx: Kysely<Database>,
  now: number,
  input: {
    invoiceId: string;
    amountMinor: number;
    refundRef: string;
    reason: string;
    actor: PaymentActor;
    requestId: string | null;
  },
): Promise<string> {
  const invoice = await findInvoice(trx, input.invoiceId);
  if (!invoice) throw new AppError('not_found', `No invoice ${input.invoiceId}.`);
  if (!(await addInvoiceRefund(trx, invoice.id, input.amountMinor))) {
    throw new AppError(
      'conflict',
      `Invoice ${invoice.number} cannot take a refund of ${input.amountMinor} more; look at it and try again.`,
    );
  }
  const paymentId = newId('payment', now);
  await insertPayment(trx, {
    id: paymentId,
    invoice_id: invoice.id,
    amount_minor: input.amountMinor,
    currency: invoice.currency,
    method: 'stripe',
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    at_ms: now,
    kind: 'refund',
    reference: input.reason,
    provider_ref: input.refundRef,
  });
  await audit(trx, now, {
    actorType: input.actor.type,
    actorId: input.actor.id,
    action: 'invoice.refund',
    targetType: 'invoice',
    targetId: invoice.id,
    ip: input.actor.ip ?? null,
    requestId: input.requestId,
    details: {
      number: invoice.number,
      amountMinor: input.amountMinor,
      reason: input.reason,
      paymentId,
      method: 'stripe',
    },
  });
  return paymentId;
}

/**
 * An admin refunds a Stripe payment to the card, whole or in part: Stripe first (with an
 * idempotency key, so a retried request refunds once), then the refund recorded on the invoice.
 * The `charge.refunded` event that follows finds it recorded and changes nothing.
 */
export async function refundStripePayment(
  deps: Deps,
  idOrNumber: string,
  input: { amountMinor?: number | undefined; reason: string; idempotencyKey?: string },
  actor: PaymentActor & { requestId?: string | null },
) {
  const db = deps.db.kysely;
  const invoice = await resolveInvoice(deps, idOrNumber);
  const payment = (await listInvoicePayments(db, invoice.id)).find(
    (p) => p.kind === 'payment' && p.method === 'stripe' && p.provider_ref,
  );
  if (!payment?.provider_ref) {
    throw new AppError(
      'conflict',
      `Invoice ${invoice.number} was not paid through Stripe: refund it to credit instead (POST /invoices/{id}/refunds).`,
    );
  }
  const onInvoice = Number(invoice.total_minor) - Number(invoice.refunded_minor);
  // Only what came through Stripe can go back through Stripe (part may have come by bank transfer).
  const onCard = Number(payment.amount_minor) - (await stripeRefundedOn(db, invoice.id));
  const remaining = Math.min(onInvoice, onCard);
  const amount = input.amountMinor ?? remaining;
  if (invoice.status !== 'paid' || amount <= 0 || amount > remaining) {
    const money = (m: number) => `${formatAmount(m, invoice.currency)} ${invoice.currency}`;
    throw new AppError(
      'invalid_request',
      onCard < onInvoice
        ? `Invoice ${invoice.number} has ${money(onInvoice)} left to refund, of which ${money(Math.max(0, onCard))} was paid by card: refund at most that through Stripe, and the rest to credit (POST /invoices/{id}/refunds).`
        : `Invoice ${invoice.number} has ${money(remaining)} left to refund; refund at most that.`,
      { errors: [{ field: 'body.amount_minor', message: `must be between 1 and ${Math.max(0, remaining)}` }] },
    );
  }
  let refund: Stripe.Refund;
  try {
    refund = await stripeClient(deps).refunds.create(
      { payment_intent: payment.provider_ref, amount, metadata: { invoice_id: invoice.id, reason: input.reason } },
      {
        idempotencyKey:
          input.idempotencyKey ?? `portico-refund-${invoice.id}-${Number(invoice.refunded_minor)}-${amount}`,
      },
    );
  } catch (error) {
    throw providerError(error, 'refund the payment');
  }
  const now = deps.clock.nowMs();
  const refundId = await db.transaction().execute(async (trx) => {
    const known = await findPaymentByProviderRef(trx, refund.id);
    if (known) return known.id;
    return recordStripeRefund(trx, now, {
      invoiceId: invoice.id,
      amountMinor: amount,
      refundRef: refund.id,
      reason: input.reason,
      actor,
      requestId: actor.requestId ?? null,
    });
  });
  return { refund_id: refundId, stripe_refund_id: refund.id, invoice_id: invoice.id, amount_minor: amount };
}

/** When the renewal charge after `attempt` failures is due, from the first failure; null when none is left. */
function nextChargeAt(
  settings: Deps['settings']['snapshot'],
  firstFailedAtMs: number,
  failures: number,
): number | null {
  const days = settings['payments.retry_days'][failures - 1];
  return days === undefined ? null : firstFailedAtMs + days * DAY_MS;
}

export interface RenewalChargeReport {
  charged: number;
  failed: number;
}

/**
 * Charges saved cards for unpaid renewal invoices (the billing schedule calls this after each
 * run): an invoice never tried is charged now; one whose last charge failed, when its retry is
 * due (payments.retry_days after the first failure). Each try is an attempt row taken before
 * Stripe is called (a unique attempt number per invoice, so two instances never charge twice;
 * its id is the Stripe idempotency key), then its outcome.
 */
export async function chargeRenewals(deps: Deps): Promise<RenewalChargeReport> {
  const report = { charged: 0, failed: 0 };
  if (!deps.settings.snapshot['payments.stripe'] || !deps.settings.snapshot['payments.stripe_secret_key'])
    return report;
  const db = deps.db.kysely;
  const cards = new Map((await listClientsWithCards(db)).map((c) => [c.client_id, c]));
  if (cards.size === 0) return report;
  const invoices = await listUnpaidRenewalsOfClients(db, [...cards.keys()]);
  const latest = await latestRenewalCharges(
    db,
    invoices.map((i) => i.id),
  );
  for (const invoice of invoices) {
    const now = deps.clock.nowMs();
    const last = latest.get(invoice.id);
    if (last && (last.status !== 'failed' || last.next_attempt_at_ms === null || Number(last.next_attempt_at_ms) > now))
      continue;
    const card = cards.get(invoice.client_id);
    if (!card?.payment_method_id) continue;
    const attempt = {
      id: newId('paymentAttempt', now),
      invoice_id: invoice.id,
      client_id: invoice.client_id,
      method: 'stripe' as const,
      purpose: 'renewal_charge' as const,
      provider_ref: null,
      amount_minor: amountDue(invoice),
      currency: invoice.currency,
      status: 'pending' as const,
      error: null,
      attempt: (last?.attempt ?? 0) + 1,
      next_attempt_at_ms: null,
      created_at_ms: now,
      updated_at_ms: now,
    };
    try {
      await insertPaymentAttempt(db, attempt);
    } catch {
      continue; // another instance took this attempt number
    }
    if ((await charge(deps, invoice, attempt, card)) === 'paid') report.charged++;
    else report.failed++;
  }
  return report;
}

async function charge(
  deps: Deps,
  invoice: InvoiceRow,
  attempt: { id: string; amount_minor: number; attempt: number; created_at_ms: number },
  card: { customer_id: string; payment_method_id: string | null },
): Promise<'paid' | 'failed'> {
  let intent: Stripe.PaymentIntent | undefined;
  let reason = '';
  try {
    intent = await stripeClient(deps).paymentIntents.create(
      {
        amount: attempt.amount_minor,
        currency: invoice.currency.toLowerCase(),
        customer: card.customer_id,
        payment_method: card.payment_method_id ?? undefined,
        off_session: true,
        confirm: true,
        description: `Invoice ${invoice.number}`,
        metadata: { invoice_id: invoice.id, attempt_id: attempt.id, purpose: 'renewal_charge' },
      },
      { idempotencyKey: `portico-charge-${attempt.id}` },
    );
    if (intent.status !== 'succeeded') reason = `The charge is ${intent.status}; the card needs the client’s action.`;
  } catch (error) {
    const raw = error as { message?: string; raw?: { message?: string; payment_intent?: { id?: string } } };
    reason = raw.raw?.message ?? raw.message ?? 'The card was declined.';
    const failedIntent = raw.raw?.payment_intent?.id;
    if (failedIntent) await updatePaymentAttempt(deps.db.kysely, attempt.id, { provider_ref: failedIntent });
  }
  const now = deps.clock.nowMs();
  return deps.db.kysely.transaction().execute(async (trx) => {
    const row = await findPaymentAttempt(trx, attempt.id);
    if (!row) return 'failed';
    if (intent && !reason) {
      await updatePaymentAttempt(trx, attempt.id, { provider_ref: intent.id, updated_at_ms: now });
      const fresh = await findInvoice(trx, invoice.id);
      const outcome = await receive(deps, trx, now, {
        invoiceId: invoice.id,
        attemptId: attempt.id,
        intentId: intent.id,
        amountMinor: intent.amount_received ?? intent.amount,
        currency: intent.currency,
        eventRef: intent.id,
      });
      return outcome.outcome === 'paid' || fresh?.status === 'paid' ? 'paid' : 'failed';
    }
    if (intent) await updatePaymentAttempt(trx, attempt.id, { provider_ref: intent.id });
    const first = attempt.attempt === 1 ? attempt : ((await firstRenewalCharge(trx, invoice.id)) ?? attempt);
    const next = nextChargeAt(deps.settings.snapshot, Number(first.created_at_ms), attempt.attempt);
    await onPaymentFailed(trx, now, { attempt: row, reason, nextAttemptAtMs: next });
    return 'failed';
  });
}
