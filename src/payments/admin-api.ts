import { adminActor, defineAdminRoute } from '../admin/route.js';
import { InvoiceParam } from '../invoices/admin-schemas.js';
import { Page } from '../platform/http/schemas.js';
import { pageAttempts } from './attempts.js';
import { recordBankTransfer } from './bank-transfer.js';
import {
  AdminPaymentAttempt,
  AttemptQuery,
  RecordedPayment,
  RecordPaymentBody,
  StripeRefundBody,
  StripeRefunded,
} from './schemas.js';
import { refundStripePayment } from './stripe.js';

/** Payments in the Admin API: record a bank transfer, refund a card payment, the attempts. */
const category = 'Billing';

export const paymentAdminRoutes = [
  defineAdminRoute({
    method: 'POST',
    permission: 'invoices',
    path: '/invoices/{id}/payments',
    operationId: 'adminRecordPayment',
    category,
    summary: 'Record a bank transfer',
    description:
      'Records money received by bank transfer for an unpaid invoice, in part or whole, dated the day it arrived (`received_on`, default today). Once the whole total is received the invoice is paid, through the same path as every payment (an order provisions, a renewal moves the due date, funds become credit). The same as `portico invoices record-payment`.',
    auth: 'admin',
    params: InvoiceParam,
    body: RecordPaymentBody,
    response: { status: 201, description: 'The payment and the invoice’s state after it.', schema: RecordedPayment },
    errors: ['not_found', 'conflict', 'invalid_request'],
    handler: async ({ params, body }, ctx) =>
      recordBankTransfer(
        ctx.app,
        params.id,
        { amountMinor: body.amount_minor, reference: body.reference, receivedOn: body.received_on },
        adminActor(ctx),
        ctx.requestId,
      ),
  }),
  defineAdminRoute({
    method: 'POST',
    permission: 'invoices',
    path: '/invoices/{id}/stripe-refunds',
    operationId: 'adminRefundStripePayment',
    category,
    summary: 'Refund a card payment through Stripe',
    description:
      'Refunds an invoice paid through Stripe back to the card, whole (without `amount_minor`) or in part, and records the refund on the invoice; it is `refunded` once all of it is. The `charge.refunded` event that follows changes nothing more. The same as `portico invoices stripe-refund`.',
    auth: 'admin',
    params: InvoiceParam,
    body: StripeRefundBody,
    response: { status: 201, description: 'The refund.', schema: StripeRefunded },
    errors: ['not_found', 'conflict', 'invalid_request', 'payment_provider_error', 'payment_method_disabled'],
    handler: async ({ params, body }, ctx) =>
      refundStripePayment(
        ctx.app,
        params.id,
        { amountMinor: body.amount_minor, reason: body.reason },
        { ...adminActor(ctx), requestId: ctx.requestId },
      ),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/payment-attempts',
    operationId: 'adminListPaymentAttempts',
    category,
    summary: 'List card payment attempts',
    description:
      'Checkouts and automatic renewal charges, newest first, with their outcome: `failed` with the reason and the next try, `mismatch` when Stripe reported an amount or currency other than the invoice’s (not paid: refund it or settle it by hand). Filter by `status` and `client_id`.',
    auth: 'admin',
    query: AttemptQuery,
    response: { status: 200, description: 'A page of attempts.', schema: Page(AdminPaymentAttempt, 'Attempts') },
    handler: async ({ query }, ctx) =>
      pageAttempts(ctx.app, {
        limit: query.limit ?? 20,
        cursor: query.cursor,
        status: query.status,
        clientId: query.client_id,
      }),
  }),
];
