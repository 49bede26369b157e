import { Type } from '@sinclair/typebox';
import { IdParam } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import { clientInvoiceAttempts } from './attempts.js';
import { startPayment, startTopUp } from './pay.js';
import { removeSavedCard, savedCard } from './saved-card.js';
import { PaymentAttempt, PaymentBody, PaymentStarted, SavedCard, TopUpBody, TopUpCreated } from './schemas.js';

const CATEGORY = 'Billing';
const InvoiceParam = Type.Object({ id: IdParam('invoice', 'Invoice id') }, { additionalProperties: false });

/** Paying in the User API: an invoice by any method switched on, adding funds, and the attempts. */
export const paymentRoutes = [
  defineRoute({
    method: 'POST',
    path: '/invoices/{id}/payments',
    operationId: 'payInvoice',
    category: CATEGORY,
    summary: 'Pay an invoice',
    description:
      'Pays one of your unpaid invoices. `credit` (the default) pays at once from your balance and starts the provisioning of its services: follow it with GET /operations/{id}. `bank_transfer` answers the bank details and the reference to quote; the invoice is paid when the provider records the transfer. `stripe` answers a `checkout_url` to pay by card (`save_card: true` keeps the card for automatic renewal charges); the invoice is paid when Stripe confirms. Methods the provider switched off answer 409 `payment_method_disabled`. Send an Idempotency-Key so a retry never pays twice.',
    auth: 'client',
    idempotent: true,
    params: InvoiceParam,
    body: PaymentBody,
    errors: ['conflict', 'payment_method_disabled', 'payment_provider_error', 'invalid_request'],
    response: { status: 201, description: 'The payment, or how to complete it', schema: PaymentStarted },
    handler: async ({ params, body }, ctx) =>
      startPayment(ctx.app, {
        invoiceId: params.id,
        clientId: ctx.principal.clientId,
        method: body.method ?? 'credit',
        ...(body.save_card !== undefined ? { saveCard: body.save_card } : {}),
        actor: { type: 'client', id: ctx.principal.clientId, ip: ctx.ip },
        correlationId: ctx.requestId,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/invoices/{id}/payment-attempts',
    operationId: 'listInvoicePaymentAttempts',
    category: CATEGORY,
    summary: 'List an invoice’s card payment attempts',
    description:
      'Every card payment tried for one of your invoices, oldest first: checkouts and automatic renewal charges, with their outcome, the reason of a failure and when the next automatic try is due.',
    auth: 'client',
    params: InvoiceParam,
    response: {
      status: 200,
      description: 'The attempts',
      schema: Type.Object({ items: Type.Array(PaymentAttempt) }, { additionalProperties: false }),
    },
    handler: async ({ params }, ctx) => clientInvoiceAttempts(ctx.app, ctx.principal.clientId, params.id),
  }),
  defineRoute({
    method: 'POST',
    path: '/account/credit/top-ups',
    operationId: 'topUpCredit',
    category: 'Account',
    summary: 'Add funds to your credit',
    description:
      'Issues an invoice for the funds and starts paying it: `bank_transfer` answers what to transfer, `stripe` a `checkout_url`. Once the invoice is paid the amount is added to your credit (GET /account/credit). Send an Idempotency-Key so a retry issues one invoice.',
    auth: 'client',
    idempotent: true,
    body: TopUpBody,
    errors: ['payment_method_disabled', 'payment_provider_error', 'not_found'],
    response: { status: 201, description: 'The invoice for the funds and how to pay it', schema: TopUpCreated },
    handler: async ({ body }, ctx) => {
      const created = await startTopUp(ctx.app, {
        clientId: ctx.principal.clientId,
        amountMinor: body.amount_minor,
        method: body.method,
        ...(body.save_card !== undefined ? { saveCard: body.save_card } : {}),
        actor: { type: 'client', id: ctx.principal.clientId, ip: ctx.ip },
        correlationId: ctx.requestId,
      });
      ctx.setHeader('location', `/api/v1/invoices/${created.invoice_id}`);
      return created;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/account/card',
    operationId: 'getSavedCard',
    category: 'Account',
    summary: 'Your saved card',
    description:
      'The card you saved for automatic renewal charges (pay an invoice with `{"method": "stripe", "save_card": true}`): its brand, last four digits and expiry. `saved: false` when there is none.',
    auth: 'client',
    response: { status: 200, description: 'The saved card, or none', schema: SavedCard },
    handler: async (_input, ctx) => savedCard(ctx.app, ctx.principal.clientId),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/account/card',
    operationId: 'removeSavedCard',
    category: 'Account',
    summary: 'Remove your saved card',
    description:
      'Renewal invoices are no longer charged automatically (pay them yourself, by any method the provider offers); the card is detached from your Stripe customer. 404 when no card is saved.',
    auth: 'client',
    errors: ['not_found'],
    response: { status: 204, description: 'Removed' },
    handler: async (_input, ctx) => {
      await removeSavedCard(ctx.app, ctx.principal.clientId);
      return undefined;
    },
  }),
];
