import { Type } from '@sinclair/typebox';
import { adminActor, defineAdminRoute } from '../admin/route.js';
import { BillingCycle } from '../catalog/schemas.js';
import { InvoiceStatus } from '../invoices/schemas.js';
import {
  Day,
  IdParam,
  NullableString,
  NullableTimestamp,
  Page,
  PageQuery,
  StringEnum,
  Timestamp,
} from '../platform/http/schemas.js';
import { listOrdersAdmin, listPaymentsAdmin } from './admin.js';
import { payInvoice } from './orders.js';
import { PaymentCreated } from './schemas.js';

/** Billing in the Admin API: mark an invoice paid; the lists of orders and of payments. */
const InvoiceParam = Type.Object({ id: IdParam('invoice', 'Invoice id') }, { additionalProperties: false });

const ClientFilter = Type.String({
  minLength: 1,
  maxLength: 320,
  description: 'Only this client’s: a client id (cli_…) or email',
});

const AdminOrder = Type.Object(
  {
    id: IdParam('order', 'Order id'),
    status: StringEnum(['pending', 'active', 'cancelled'] as const, {
      description: 'pending: its invoice is unpaid; active: paid (the service is provisioned or runs); cancelled',
    }),
    client_id: IdParam('client', 'Who ordered'),
    client_name: Type.String(),
    client_email: Type.String(),
    product_id: IdParam('product', 'What was ordered'),
    product_name: Type.String(),
    billing_cycle: BillingCycle,
    domain: NullableString(),
    invoice_id: IdParam('invoice', 'The order’s invoice'),
    invoice_number: Type.String(),
    invoice_status: InvoiceStatus,
    total_minor: Type.Integer({ description: 'The invoice total in minor units' }),
    currency: Type.String(),
    service_id: IdParam('service', 'The service it made'),
    created_at: Timestamp,
    cancelled_at: NullableTimestamp,
  },
  { additionalProperties: false },
);

const PAYMENT_METHODS = ['credit', 'bank_transfer', 'stripe', 'admin'] as const;
const AdminPayment = Type.Object(
  {
    id: IdParam('payment', 'Payment id'),
    kind: StringEnum(['payment', 'refund'] as const, {
      description: 'A refund’s amount is positive: money going back',
    }),
    method: StringEnum(PAYMENT_METHODS, { description: 'admin: marked paid by staff (money taken outside Portico)' }),
    amount_minor: Type.Integer(),
    currency: Type.String(),
    at: Timestamp,
    reference: NullableString({ description: 'The bank transfer’s reference, or null' }),
    provider_ref: NullableString({ description: 'The Stripe PaymentIntent or Refund id, or null' }),
    actor_type: StringEnum(['admin', 'client', 'cli', 'system'] as const),
    invoice_id: IdParam('invoice', 'The invoice paid or refunded'),
    invoice_number: Type.String(),
    client_id: IdParam('client', 'The invoice’s client'),
    client_name: Type.String(),
    client_email: Type.String(),
  },
  { additionalProperties: false },
);

export const billingAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/orders',
    operationId: 'adminListOrders',
    category: 'Billing',
    summary: 'List orders',
    description:
      'Every client’s orders, newest first: what was ordered, by whom, its invoice and whether it is paid; filter by client (id or email) and status. Page with `limit` and `cursor`.',
    auth: 'admin',
    query: Type.Object(
      {
        ...PageQuery,
        client: Type.Optional(ClientFilter),
        status: Type.Optional(StringEnum(['pending', 'active', 'cancelled'] as const)),
        sort: Type.Optional(StringEnum(['newest', 'oldest'] as const, { default: 'newest' })),
      },
      { additionalProperties: false },
    ),
    errors: ['not_found'],
    response: { status: 200, description: 'A page of orders.', schema: Page(AdminOrder, 'Orders') },
    handler: async ({ query }, ctx) =>
      listOrdersAdmin(ctx.app, {
        limit: query.limit ?? 20,
        cursor: query.cursor,
        client: query.client,
        status: query.status,
        oldestFirst: query.sort === 'oldest',
      }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/payments',
    operationId: 'adminListPayments',
    category: 'Billing',
    summary: 'List payments and refunds',
    description:
      'Money in and out, newest first: every payment and refund with its method, invoice and client; filter by client (id or email), method, kind and days (provider’s time zone). Page with `limit` and `cursor`.',
    auth: 'admin',
    query: Type.Object(
      {
        ...PageQuery,
        client: Type.Optional(ClientFilter),
        method: Type.Optional(StringEnum(PAYMENT_METHODS)),
        kind: Type.Optional(StringEnum(['payment', 'refund'] as const)),
        from: Type.Optional(Day('On or after this day')),
        to: Type.Optional(Day('On or before this day')),
      },
      { additionalProperties: false },
    ),
    errors: ['not_found'],
    response: { status: 200, description: 'A page of payments.', schema: Page(AdminPayment, 'Payments and refunds') },
    handler: async ({ query }, ctx) =>
      listPaymentsAdmin(ctx.app, {
        limit: query.limit ?? 20,
        cursor: query.cursor,
        client: query.client,
        method: query.method,
        kind: query.kind,
        from: query.from,
        to: query.to,
      }),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/invoices/{id}/mark-paid',
    operationId: 'adminMarkInvoicePaid',
    category: 'Billing',
    summary: 'Mark an invoice paid',
    description:
      'Records a payment received outside Portico and starts the provisioning the invoice pays for, in one transaction. The same as `portico invoices mark-paid`.',
    auth: 'admin',
    permission: 'invoices',
    params: InvoiceParam,
    response: { status: 201, description: 'The payment.', schema: PaymentCreated },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) =>
      payInvoice(ctx.app, {
        invoiceId: params.id,
        method: 'admin',
        actor: adminActor(ctx),
        correlationId: ctx.requestId,
      }),
  }),
];
