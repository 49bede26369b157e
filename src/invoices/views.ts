import { iso } from '../platform/http/checks.js';
import type { InvoiceItemRow, InvoiceRow } from './store.js';

/** Both views (User API and Admin API) share these fields. */
export function invoiceFields(row: InvoiceRow) {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    kind: row.kind,
    currency: row.currency,
    subtotal_minor: Number(row.subtotal_minor),
    tax_minor: Number(row.tax_minor),
    tax_name: row.tax_name,
    tax_rate_bp: Number(row.tax_rate_bp),
    total_minor: Number(row.total_minor),
    refunded_minor: Number(row.refunded_minor),
    paid_minor: Number(row.paid_minor),
    issued_at: iso(Number(row.issued_at_ms)),
    due_at: iso(Number(row.due_at_ms)),
    paid_at: iso(row.paid_at_ms === null ? null : Number(row.paid_at_ms)),
  };
}

export function itemView(i: InvoiceItemRow) {
  return {
    id: i.id,
    kind: i.kind,
    service_id: i.service_id,
    description: i.description,
    amount_minor: Number(i.amount_minor),
    period_start: iso(i.period_start_ms === null ? null : Number(i.period_start_ms)),
    period_end: iso(i.period_end_ms === null ? null : Number(i.period_end_ms)),
  };
}
