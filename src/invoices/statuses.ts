/**
 * The states of an invoice.
 * Apart from the schemas, so the CLI can name them without loading TypeBox.
 */
export const INVOICE_STATUSES = ['unpaid', 'paid', 'cancelled', 'refunded'] as const;
