import { type AdminRouteContext, defineAdminRoute } from '../admin/route.js';
import { Page } from '../platform/http/schemas.js';
import {
  type Actor,
  createManualInvoice,
  getInvoiceAdmin,
  listInvoicesAdmin,
  refundInvoice,
  resolveInvoice,
  voidInvoice,
} from './admin.js';
import {
  AdminInvoice,
  AdminInvoiceQuery,
  AdminInvoiceSummary,
  InvoiceParam,
  ManualInvoiceBody,
  RefundBody,
  RefundResult,
  VoidBody,
} from './admin-schemas.js';
import { pdfFileName, renderInvoicePdf } from './pdf.js';
import { PdfBody } from './schemas.js';

/** Invoices in the Admin API: the same operations as `portico invoices …`. */
const category = 'Billing';

function actor(ctx: AdminRouteContext): Actor {
  return { type: 'admin', id: ctx.principal.adminId, ip: ctx.ip, requestId: ctx.requestId };
}

export const invoiceAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/invoices',
    operationId: 'adminListInvoices',
    category,
    summary: 'List invoices',
    description:
      'Every client’s invoices, newest first; filter by status, client, number, kind, issue days and `overdue=true` (unpaid past due). Page with `limit` and `cursor`.',
    auth: 'admin',
    query: AdminInvoiceQuery,
    response: { status: 200, description: 'A page of invoices.', schema: Page(AdminInvoiceSummary, 'Invoices') },
    errors: ['not_found'],
    handler: async ({ query }, ctx) =>
      listInvoicesAdmin(ctx.app, {
        limit: query.limit ?? 20,
        cursor: query.cursor,
        oldestFirst: query.sort === 'oldest',
        status: query.status,
        client: query.client_id,
        number: query.number,
        kind: query.kind,
        issuedFrom: query.issued_from,
        issuedTo: query.issued_to,
        overdue: query.overdue,
      }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/invoices/{id}',
    operationId: 'adminGetInvoice',
    category,
    summary: 'Get an invoice',
    description: 'An invoice with its items, payments and refunds, and the client’s name and email.',
    auth: 'admin',
    params: InvoiceParam,
    response: { status: 200, description: 'The invoice.', schema: AdminInvoice },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => getInvoiceAdmin(ctx.app, params.id),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/invoices',
    operationId: 'adminCreateInvoice',
    category,
    summary: 'Write a manual invoice',
    description:
      'An invoice with the items given (e.g. setup work), numbered and taxed like every other; in the client’s currency unless `currency` says otherwise, due today unless `due_at` says otherwise. The same as `portico invoices create`.',
    auth: 'admin',
    permission: 'invoices',
    body: ManualInvoiceBody,
    response: { status: 201, description: 'The invoice.', schema: AdminInvoice },
    errors: ['not_found'],
    handler: async ({ body }, ctx) => {
      const invoice = await createManualInvoice(
        ctx.app,
        { client: body.client_id, items: body.items, dueAt: body.due_at, notes: body.notes, currency: body.currency },
        actor(ctx),
      );
      ctx.setHeader('location', `/admin/api/v1/invoices/${invoice.id}`);
      return invoice;
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/invoices/{id}/void',
    operationId: 'adminVoidInvoice',
    category,
    summary: 'Void an unpaid invoice',
    description:
      'Cancels an unpaid invoice, with the reason; its number stays used. A paid invoice cannot be voided: refund it. The same as `portico invoices void`.',
    auth: 'admin',
    permission: 'invoices',
    params: InvoiceParam,
    body: VoidBody,
    response: { status: 200, description: 'The invoice, cancelled.', schema: AdminInvoice },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => voidInvoice(ctx.app, params.id, body.reason, actor(ctx)),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/invoices/{id}/refunds',
    operationId: 'adminRefundInvoice',
    category,
    summary: 'Refund a paid invoice to credit',
    description:
      'Gives money back to the client’s credit: a refund payment and a credit entry in one transaction. Without `amount_minor`, what remains; partial refunds add up, and the invoice is `refunded` once all of it is. The same as `portico invoices refund`.',
    auth: 'admin',
    permission: 'invoices',
    params: InvoiceParam,
    body: RefundBody,
    response: { status: 201, description: 'The refund and the invoice after it.', schema: RefundResult },
    errors: ['not_found', 'conflict', 'invalid_request'],
    handler: async ({ params, body }, ctx) =>
      refundInvoice(ctx.app, params.id, { amountMinor: body.amount_minor, reason: body.reason }, actor(ctx)),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/invoices/{id}/pdf',
    operationId: 'adminGetInvoicePdf',
    category,
    summary: 'Download an invoice as PDF',
    description: 'The invoice as the client sees it, as a PDF. The same as `portico invoices pdf`.',
    auth: 'admin',
    params: InvoiceParam,
    response: { status: 200, description: 'The PDF.', schema: PdfBody, contentType: 'application/pdf' },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => {
      const { pdf, invoice } = await renderInvoicePdf(ctx.app, (await resolveInvoice(ctx.app, params.id)).id);
      ctx.setHeader('content-disposition', `attachment; filename="${pdfFileName(invoice)}"`);
      return pdf as unknown as string;
    },
  }),
];
