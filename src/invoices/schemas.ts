import { Type } from '@sinclair/typebox';
import { BankTransfer, PaymentMethod } from '../payments/schemas.js';
import {
  exampleId,
  IdParam,
  NullableString,
  NullableTimestamp,
  StringEnum,
  Timestamp,
} from '../platform/http/schemas.js';
import { INVOICE_STATUSES } from './statuses.js';

export { INVOICE_STATUSES };
export const InvoiceStatus = StringEnum(INVOICE_STATUSES);
export const INVOICE_KINDS = ['order', 'renewal', 'upgrade', 'funds', 'manual'] as const;
export const InvoiceKind = StringEnum(INVOICE_KINDS, { description: 'What the invoice is for' });
const ITEM_KINDS = ['order', 'setup', 'renewal', 'upgrade', 'funds', 'manual'] as const;

export const InvoiceItem = Type.Object(
  {
    id: IdParam('invoiceItem', 'Item id'),
    kind: StringEnum(ITEM_KINDS, { description: 'What the line pays for' }),
    service_id: NullableString({
      description: 'The service billed, if any',
      examples: [exampleId('service')],
    }),
    description: Type.String({ examples: ['Starter hosting — example.com (2026-12-01 – 2026-12-31)'] }),
    amount_minor: Type.Integer({ description: 'Net (before tax), minor units', examples: [499] }),
    period_start: NullableString({
      format: 'date-time',
      description: 'Start of the period billed (inclusive), or null',
    }),
    period_end: NullableString({ format: 'date-time', description: 'End of the period billed (exclusive), or null' }),
  },
  { additionalProperties: false },
);

export const invoiceFields = {
  id: IdParam('invoice', 'Invoice id'),
  number: Type.String({ examples: ['INV-2026-00042'] }),
  status: InvoiceStatus,
  kind: InvoiceKind,
  currency: Type.String({ examples: ['USD'] }),
  subtotal_minor: Type.Integer({ description: 'Sum of the items (net)', examples: [499] }),
  tax_minor: Type.Integer({ examples: [95] }),
  tax_name: NullableString({ description: 'The tax applied (by your country), or null', examples: ['VAT'] }),
  tax_rate_bp: Type.Integer({ description: 'Tax rate in basis points: 1900 = 19 %', examples: [1900] }),
  total_minor: Type.Integer({ examples: [594] }),
  refunded_minor: Type.Integer({ description: 'Refunded so far', examples: [0] }),
  paid_minor: Type.Integer({
    description: 'Received so far (a bank transfer may come in parts); paid once it reaches the total',
    examples: [0],
  }),
  issued_at: Timestamp,
  due_at: Timestamp,
  paid_at: NullableTimestamp,
};

export const InvoiceSummary = Type.Object(invoiceFields, { additionalProperties: false });
export const Invoice = Type.Object(
  {
    ...invoiceFields,
    items: Type.Array(InvoiceItem),
    payment_methods: Type.Array(PaymentMethod, {
      description: 'How you can pay it (POST /invoices/{id}/payments); empty once it is no longer unpaid',
    }),
    bank_transfer: Type.Union([BankTransfer, Type.Null()], {
      description: 'An unpaid invoice, when bank transfer is on: where to transfer and the reference to quote',
    }),
  },
  { additionalProperties: false },
);

/** A PDF body, for the OpenAPI documents. */
export const PdfBody = Type.String({ format: 'binary', description: 'The invoice as a PDF' });
