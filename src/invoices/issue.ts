import type { Kysely } from 'kysely';
import { localYear } from '../billing/calendar.js';
import { findClientById, findClientsBilling } from '../clients/store.js';
import { recordEvent } from '../events/events.js';
import type { Database, InvoiceItemKind, InvoiceKind } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import {
  type InvoiceItemRow,
  type InvoiceRow,
  insertInvoice,
  insertInvoices,
  takeInvoiceSequence,
  takeInvoiceSequences,
} from './store.js';

/**
 * Issuing an invoice: the one place an invoice is made (orders, renewals, upgrades, funds, an
 * admin's manual invoice). It takes the next gap-free number of the year in the provider's time
 * zone and applies the tax of the client's country (billing.tax_rates), in the caller's
 * transaction.
 */
export type IssueSettings = Pick<
  SettingsSnapshot,
  'billing.time_zone' | 'billing.invoice_number_format' | 'billing.tax_rates'
>;

export interface NewInvoiceItem {
  kind: InvoiceItemKind;
  description: string;
  /** Net, minor units; may be negative (a credit line, e.g. the unused part of a period). */
  amountMinor: number;
  serviceId?: string | null;
  periodStartMs?: number | null;
  periodEndMs?: number | null;
  details?: Record<string, unknown> | null;
}

export interface NewInvoice {
  clientId: string;
  currency: string;
  kind: InvoiceKind;
  dueAtMs: number;
  items: NewInvoiceItem[];
  notes?: string | null;
}

/** `INV-{YYYY}-{seq:5}` with 2027 and 12 → `INV-2027-00012`. */
export function formatInvoiceNumber(format: string, year: number, seq: number): string {
  return format
    .replace('{YYYY}', String(year))
    .replace('{YY}', String(year % 100).padStart(2, '0'))
    .replace(/\{seq(?::(\d{1,2}))?\}/, (_m, width?: string) => String(seq).padStart(Number(width ?? 0), '0'));
}

/** Tax on a net amount in basis points, rounded half away from zero to the minor unit. */
export function taxOn(netMinor: number, rateBp: number): number {
  const exact = (Math.abs(netMinor) * rateBp) / 10_000;
  return Math.sign(netMinor) * Math.round(exact);
}

/** The rows of one invoice: its number, the tax of the client's country, its lines. */
function invoiceRows(
  settings: IssueSettings,
  nowMs: number,
  input: NewInvoice & { id?: string },
  client: { country: string | null },
  year: number,
  seq: number,
): { invoice: InvoiceRow; items: InvoiceItemRow[] } {
  const tax = client.country ? settings['billing.tax_rates'][client.country.toUpperCase()] : undefined;
  const subtotal = input.items.reduce((sum, i) => sum + i.amountMinor, 0);
  const taxMinor = tax ? taxOn(subtotal, tax.rateBp) : 0;
  const id = input.id ?? newId('invoice', nowMs);
  return {
    invoice: {
      id,
      client_id: input.clientId,
      number: formatInvoiceNumber(settings['billing.invoice_number_format'], year, seq),
      status: 'unpaid',
      currency: input.currency,
      subtotal_minor: subtotal,
      tax_minor: taxMinor,
      total_minor: subtotal + taxMinor,
      issued_at_ms: nowMs,
      due_at_ms: input.dueAtMs,
      paid_at_ms: null,
      created_at_ms: nowMs,
      kind: input.kind,
      tax_name: tax ? tax.name : null,
      tax_rate_bp: tax ? tax.rateBp : 0,
      refunded_minor: 0,
      paid_minor: 0,
      cancelled_at_ms: null,
      cancel_reason: null,
      notes: input.notes ?? null,
    },
    items: input.items.map((item, i) => ({
      id: newId('invoiceItem', nowMs),
      invoice_id: id,
      service_id: item.serviceId ?? null,
      description: item.description,
      amount_minor: item.amountMinor,
      sort_order: i + 1,
      kind: item.kind,
      period_start_ms: item.periodStartMs ?? null,
      period_end_ms: item.periodEndMs ?? null,
      details: item.details ? JSON.stringify(item.details) : null,
    })),
  };
}

export async function issueInvoice(
  trx: Kysely<Database>,
  settings: IssueSettings,
  nowMs: number,
  input: NewInvoice,
): Promise<{ invoice: InvoiceRow; items: InvoiceItemRow[] }> {
  if (input.items.length === 0) {
    throw new AppError('validation_failed', 'An invoice needs at least one item.', {
      errors: [{ field: 'items', message: 'must have at least one item' }],
    });
  }
  const client = await findClientById(trx, input.clientId);
  if (!client) throw new AppError('not_found', 'The client was not found.');
  const year = localYear(nowMs, settings['billing.time_zone']);
  const seq = await takeInvoiceSequence(trx, String(year));
  const rows = invoiceRows(settings, nowMs, input, client, year, seq);
  await insertInvoice(trx, rows.invoice, rows.items);
  await recordIssued(trx, nowMs, rows.invoice);
  return rows;
}

/**
 * Many invoices at once (the billing run's batches): the same numbers, tax and rows as
 * `issueInvoice` one by one, with the clients read in one query and a block of numbers taken in
 * one update — still gap-free, as the block is taken and used in the caller's transaction.
 */
export async function issueInvoices(
  trx: Kysely<Database>,
  settings: IssueSettings,
  nowMs: number,
  inputs: (NewInvoice & { id?: string })[],
): Promise<{ invoice: InvoiceRow; items: InvoiceItemRow[] }[]> {
  if (inputs.length === 0) return [];
  const clients = new Map(
    (await findClientsBilling(trx, [...new Set(inputs.map((i) => i.clientId))])).map((c) => [c.id, c]),
  );
  const year = localYear(nowMs, settings['billing.time_zone']);
  const first = await takeInvoiceSequences(trx, String(year), inputs.length);
  const out = inputs.map((input, n) => {
    const client = clients.get(input.clientId);
    if (!client) throw new AppError('not_found', `The client ${input.clientId} was not found.`);
    return invoiceRows(settings, nowMs, input, client, year, first + n);
  });
  await insertInvoices(
    trx,
    out.map((o) => o.invoice),
    out.flatMap((o) => o.items),
  );
  for (const o of out) await recordIssued(trx, nowMs, o.invoice);
  return out;
}

function recordIssued(trx: Kysely<Database>, nowMs: number, invoice: InvoiceRow) {
  return recordEvent(trx, nowMs, {
    type: 'invoice.issued',
    key: invoice.id,
    clientId: invoice.client_id,
    invoiceId: invoice.id,
    payload: {
      number: invoice.number,
      totalMinor: invoice.total_minor,
      currency: invoice.currency,
      dueAtMs: invoice.due_at_ms,
    },
  });
}
