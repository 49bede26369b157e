import type { Kysely } from 'kysely';
import { type AuditEntry, auditMany } from '../audit/audit.js';
import { type CreditEntryRow, debitCreditMany, findClientsBilling, insertCreditEntries } from '../clients/store.js';
import { recordInvoicePaid } from '../events/events.js';
import { markInvoicesPaid } from '../invoices/store.js';
import { payInvoiceInTransaction } from '../orders/orders.js';
import { insertPayments } from '../orders/store.js';
import type { Database } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { advanceServicesDue } from '../services/store.js';
import type { SettingsSnapshot } from '../settings/definitions.js';

/** A renewal invoice the billing run has just issued in this transaction: one renewal line. */
export interface IssuedRenewal {
  id: string;
  number: string;
  client_id: string;
  currency: string;
  total_minor: number;
  serviceId: string;
  periodEndMs: number;
  /** The service's suspension reason when the run read it ('overdue': suspended for non-payment). */
  suspensionReason: string | null;
}

export interface PaidFromCredit {
  invoiceId: string;
  number: string;
  operationId?: string;
}

const SYSTEM = { type: 'system', id: null } as const;

/**
 * Pays from credit the new renewal invoices each client's credit covers in full (same currency),
 * oldest period first — a client whose credit covers some of them pays the earliest it can.
 *
 * The rows are those of paying each invoice on its own (`payInvoiceInTransaction`: a ledger
 * entry with the balance after it, the paid invoice, a payment, the moved due date, an audit
 * entry), written a batch at a time: one conditional debit per 500 clients, multi-row inserts,
 * one update of the invoices and one of the due dates. Paying one at a time cost about nine
 * statements an invoice, most of the billing run. A client with a service suspended for
 * non-payment, or whose balance moved since it was read, is paid one invoice at a time, through
 * the same path as a client's own payment (it may unsuspend the service; a balance that no longer
 * covers the invoice fails the batch and the run, and the next run does it again).
 */
export async function payRenewalsFromCredit(
  trx: Kysely<Database>,
  settings: SettingsSnapshot,
  now: number,
  invoices: IssuedRenewal[],
): Promise<PaidFromCredit[]> {
  if (invoices.length === 0) return [];
  const clients = new Map(
    (await findClientsBilling(trx, [...new Set(invoices.map((i) => i.client_id))])).map((c) => [
      c.id,
      { currency: c.currency, credit: Number(c.credit_minor) },
    ]),
  );
  const chosen = new Map<string, IssuedRenewal[]>();
  const oneByOne = new Set<string>();
  for (const invoice of invoices) {
    const client = clients.get(invoice.client_id);
    if (!client || client.currency !== invoice.currency || client.credit < invoice.total_minor) continue;
    client.credit -= invoice.total_minor;
    const list = chosen.get(invoice.client_id) ?? [];
    list.push(invoice);
    chosen.set(invoice.client_id, list);
    if (invoice.suspensionReason === 'overdue') oneByOne.add(invoice.client_id);
  }
  const together = [...chosen].filter(([clientId]) => !oneByOne.has(clientId));
  const debited = await debitCreditMany(
    trx,
    together.map(([clientId, list]) => ({ clientId, amountMinor: list.reduce((n, i) => n + i.total_minor, 0) })),
    now,
  );
  const paid: PaidFromCredit[] = [];
  const ledger: CreditEntryRow[] = [];
  const payments: Parameters<typeof insertPayments>[1] = [];
  const audits: AuditEntry[] = [];
  const dueMoves = new Map<string, number>();
  for (const [clientId, list] of together) {
    const balance = debited.get(clientId);
    if (!balance) {
      oneByOne.add(clientId);
      continue;
    }
    let after = balance.balanceAfter + list.reduce((n, i) => n + i.total_minor, 0);
    for (const invoice of list) {
      const paymentId = newId('payment', now);
      after -= invoice.total_minor;
      ledger.push({
        id: newId('credit', now),
        client_id: clientId,
        amount_minor: -invoice.total_minor,
        balance_after_minor: after,
        currency: balance.currency,
        reason: `Payment of ${invoice.number}`,
        actor_type: SYSTEM.type,
        actor_id: SYSTEM.id,
        invoice_id: invoice.id,
        payment_id: paymentId,
        at_ms: now,
      });
      payments.push({
        id: paymentId,
        invoice_id: invoice.id,
        amount_minor: invoice.total_minor,
        currency: invoice.currency,
        method: 'credit',
        actor_type: SYSTEM.type,
        actor_id: SYSTEM.id,
        at_ms: now,
        kind: 'payment',
        reference: null,
      });
      audits.push({
        actorType: SYSTEM.type,
        actorId: SYSTEM.id,
        action: 'invoice.paid',
        targetType: 'invoice',
        targetId: invoice.id,
        ip: null,
        requestId: newId('request', now),
        details: { method: 'credit', amountMinor: invoice.total_minor },
      });
      dueMoves.set(invoice.serviceId, Math.max(dueMoves.get(invoice.serviceId) ?? 0, invoice.periodEndMs));
      paid.push({ invoiceId: invoice.id, number: invoice.number });
    }
  }
  if (payments.length > 0) {
    await insertCreditEntries(trx, ledger);
    const marked = await markInvoicesPaid(
      trx,
      payments.map((p) => p.invoice_id),
      now,
    );
    if (marked !== payments.length) {
      // Issued in this transaction, so nobody else can have paid them: a broken assumption, and
      // the batch is rolled back rather than recording payments for invoices that were not unpaid.
      throw new Error(
        `billing: ${payments.length - marked} of ${payments.length} new renewal invoices were not unpaid`,
      );
    }
    await insertPayments(trx, payments);
    const byId = new Map(invoices.map((i) => [i.id, i]));
    for (const p of payments) {
      const invoice = byId.get(p.invoice_id);
      if (invoice) await recordInvoicePaid(trx, now, invoice, { paymentId: p.id, method: 'credit' });
    }
    await advanceServicesDue(
      trx,
      [...dueMoves].map(([id, periodEndMs]) => ({ id, periodEndMs })),
      now,
    );
    await auditMany(trx, now, audits);
  }
  for (const [clientId, list] of chosen) {
    if (!oneByOne.has(clientId)) continue;
    for (const invoice of list) {
      const result = await payInvoiceInTransaction(trx, settings, now, {
        invoiceId: invoice.id,
        method: 'credit',
        actor: SYSTEM,
        correlationId: newId('request', now),
      });
      paid.push({
        invoiceId: invoice.id,
        number: invoice.number,
        ...(result.operations[0] ? { operationId: result.operations[0] } : {}),
      });
    }
  }
  return paid;
}
