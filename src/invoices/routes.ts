import { Type } from '@sinclair/typebox';
import { IdParam, Page, PageQuery } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import { getInvoice, pageInvoices } from './invoices.js';
import { Invoice, InvoiceStatus, InvoiceSummary } from './schemas.js';

const CATEGORY = 'Billing';

export const invoiceRoutes = [
  defineRoute({
    method: 'GET',
    path: '/invoices',
    operationId: 'listInvoices',
    category: CATEGORY,
    summary: 'List your invoices',
    description: 'Your invoices, newest first. Page with `limit` and `cursor`; filter by `status`.',
    auth: 'client',
    query: Type.Object({ ...PageQuery, status: Type.Optional(InvoiceStatus) }, { additionalProperties: false }),
    response: {
      status: 200,
      description: 'A page of invoices',
      schema: Page(InvoiceSummary, 'Invoices, newest first'),
    },
    handler: async ({ query }, ctx) =>
      pageInvoices(ctx.app.db.kysely, {
        clientId: ctx.principal.clientId,
        limit: query.limit ?? 20,
        cursor: query.cursor,
        status: query.status,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/invoices/{id}',
    operationId: 'getInvoice',
    category: CATEGORY,
    summary: 'Get an invoice',
    description: 'One of your invoices with its items. Another client’s invoice id answers 404.',
    auth: 'client',
    params: Type.Object({ id: IdParam('invoice', 'Invoice id') }, { additionalProperties: false }),
    response: { status: 200, description: 'The invoice', schema: Invoice },
    handler: async ({ params }, ctx) => getInvoice(ctx.app.db.kysely, ctx.principal.clientId, params.id),
  }),
];
