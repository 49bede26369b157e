import { Type } from '@sinclair/typebox';
import { adminActor, defineAdminRoute } from '../admin/route.js';
import { IdParam } from '../platform/http/schemas.js';
import { payInvoice } from './orders.js';
import { PaymentCreated } from './schemas.js';

/** Billing in the Admin API: mark an invoice paid. */
const InvoiceParam = Type.Object({ id: IdParam('invoice', 'Invoice id') }, { additionalProperties: false });

export const billingAdminRoutes = [
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
