import { Type } from '@sinclair/typebox';
import {
  exampleId,
  IdParam,
  NullableString,
  NullableTimestamp,
  StringEnum,
  Timestamp,
} from '../platform/http/schemas.js';

export const INVOICE_STATUSES = ['unpaid', 'paid', 'cancelled', 'refunded'] as const;
export const InvoiceStatus = StringEnum(INVOICE_STATUSES);

const InvoiceItem = Type.Object(
  {
    id: IdParam('invoiceItem', 'Item id'),
    service_id: NullableString({
      description: 'The service billed, if any',
      examples: [exampleId('service')],
    }),
    description: Type.String({ examples: ['Starter hosting — example.com (2026-12-01 – 2026-12-31)'] }),
    amount_minor: Type.Integer({ examples: [499] }),
  },
  { additionalProperties: false },
);

const invoiceFields = {
  id: IdParam('invoice', 'Invoice id'),
  number: Type.String({ examples: ['INV-2026-000042'] }),
  status: InvoiceStatus,
  currency: Type.String({ examples: ['USD'] }),
  subtotal_minor: Type.Integer({ examples: [499] }),
  tax_minor: Type.Integer({ examples: [0] }),
  total_minor: Type.Integer({ examples: [499] }),
  issued_at: Timestamp,
  due_at: Timestamp,
  paid_at: NullableTimestamp,
};

export const InvoiceSummary = Type.Object(invoiceFields, { additionalProperties: false });
export const Invoice = Type.Object(
  { ...invoiceFields, items: Type.Array(InvoiceItem) },
  { additionalProperties: false },
);
