import { Type } from '@sinclair/typebox';
import {
  Day,
  exampleId,
  IdParam,
  NullableString,
  NullableTimestamp,
  PageQuery,
  StringEnum,
  TextBlock,
  TextLine,
  Timestamp,
} from '../platform/http/schemas.js';
import { InvoiceItem, InvoiceKind, InvoiceStatus, invoiceFields } from './schemas.js';

/** The invoices' Admin API shapes. */

export const InvoiceParam = Type.Object({ id: IdParam('invoice', 'Invoice id') }, { additionalProperties: false });

export const AdminInvoiceQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(InvoiceStatus),
    client_id: Type.Optional(IdParam('client', 'Only this client’s invoices')),
    number: Type.Optional(TextLine({ maxLength: 64, description: 'The invoice number', examples: ['INV-2026-00042'] })),
    kind: Type.Optional(InvoiceKind),
    issued_from: Type.Optional(Day('Issued on or after this day (provider’s time zone)')),
    issued_to: Type.Optional(Day('Issued on or before this day (provider’s time zone)')),
    overdue: Type.Optional(Type.Boolean({ description: 'Only unpaid invoices past their due date' })),
    sort: Type.Optional(
      StringEnum(['newest', 'oldest'], { default: 'newest', description: 'newest (default) or oldest first' }),
    ),
  },
  { additionalProperties: false },
);

const adminFields = {
  ...invoiceFields,
  client_id: IdParam('client', 'The client billed'),
  client_name: Type.String({ examples: ['Ada Lovelace'] }),
  client_email: Type.String({ examples: ['ada@example.com'] }),
  cancelled_at: NullableTimestamp,
  cancel_reason: NullableString({ examples: ['Issued twice'] }),
};

export const AdminInvoiceSummary = Type.Object(adminFields, { additionalProperties: false });

const InvoicePayment = Type.Object(
  {
    id: IdParam('payment', 'Payment id'),
    kind: StringEnum(['payment', 'refund'] as const, { description: 'A payment, or a refund to credit' }),
    method: StringEnum(['credit', 'admin', 'bank_transfer', 'stripe'] as const),
    amount_minor: Type.Integer({ examples: [499] }),
    currency: Type.String({ examples: ['USD'] }),
    reference: NullableString({ description: 'A refund’s reason, a transfer’s reference' }),
    at: Timestamp,
  },
  { additionalProperties: false },
);

export const AdminInvoice = Type.Object(
  {
    ...adminFields,
    notes: NullableString(),
    items: Type.Array(InvoiceItem),
    payments: Type.Array(InvoicePayment, { description: 'Payments and refunds, oldest first' }),
  },
  { additionalProperties: false },
);

export const ManualInvoiceBody = Type.Object(
  {
    client_id: TextLine({
      minLength: 1,
      maxLength: 254,
      description: 'The client: id or email',
      examples: [exampleId('client')],
    }),
    items: Type.Array(
      Type.Object(
        {
          description: TextLine({ minLength: 1, maxLength: 500, examples: ['Setup work'] }),
          amount_minor: Type.Integer({
            minimum: -100_000_000_000,
            maximum: 100_000_000_000,
            description: 'Net amount, minor units (negative: a credit line)',
            examples: [5000],
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    due_at: Type.Optional(Day('Due date (provider’s time zone); default today')),
    notes: Type.Optional(TextBlock({ maxLength: 2000, description: 'Printed on the invoice' })),
    currency: Type.Optional(
      Type.String({ pattern: '^[A-Z]{3}$', description: 'Default: the client’s currency', examples: ['USD'] }),
    ),
  },
  { additionalProperties: false },
);

export const VoidBody = Type.Object(
  { reason: TextLine({ minLength: 1, maxLength: 500, description: 'Why it is voided', examples: ['Issued twice'] }) },
  { additionalProperties: false },
);

export const RefundBody = Type.Object(
  {
    amount_minor: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100_000_000_000, description: 'Default: what remains', examples: [250] }),
    ),
    reason: TextLine({ minLength: 1, maxLength: 500, description: 'Why it is refunded', examples: ['Goodwill'] }),
  },
  { additionalProperties: false },
);

export const RefundResult = Type.Object(
  { refund_id: IdParam('payment', 'The refund’s payment id'), invoice: AdminInvoice },
  { additionalProperties: false },
);
