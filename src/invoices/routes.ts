import { Type } from '@sinclair/typebox';
import { IdParam, Page, PageQuery } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import { getInvoice, pageInvoices } from './invoices.js';
import { pdfFileName, renderInvoicePdf } from './pdf.js';
import { Invoice, InvoiceStatus, InvoiceSummary, PdfBody } from './schemas.js';

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
    handler: async ({ params }, ctx) =>
      getInvoice(ctx.app.db.kysely, ctx.app.settings.snapshot, ctx.principal.clientId, params.id),
  }),
  defineRoute({
    method: 'GET',
    path: '/invoices/{id}/pdf',
    operationId: 'getInvoicePdf',
    category: CATEGORY,
    summary: 'Download an invoice as PDF',
    description:
      'One of your invoices as a PDF, for your records: the provider, you, the items with their periods, tax and total, and whether it is paid, void or refunded. Another client’s invoice id answers 404.',
    auth: 'client',
    params: Type.Object({ id: IdParam('invoice', 'Invoice id') }, { additionalProperties: false }),
    response: { status: 200, description: 'The PDF', schema: PdfBody, contentType: 'application/pdf' },
    handler: async ({ params }, ctx) => {
      const { pdf, invoice } = await renderInvoicePdf(ctx.app, params.id, ctx.principal.clientId);
      ctx.setHeader('content-disposition', `attachment; filename="${pdfFileName(invoice)}"`);
      return pdf as unknown as string;
    },
  }),
];
