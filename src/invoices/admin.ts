import { DateTime } from 'luxon';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { addDays, localDate, startOfDay } from '../billing/calendar.js';
import { clientFilter } from '../clients/admin.js';
import { changeCredit, findClientById, findClientByIdOrEmail } from '../clients/store.js';
import { insertPayment } from '../orders/store.js';
import type { InvoiceKind, InvoiceStatus } from '../platform/db/schema.js';
import { decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { formatAmount } from '../platform/money.js';
import { issueInvoice } from './issue.js';
import {
  addInvoiceRefund,
  cancelInvoice,
  findInvoice,
  findInvoiceByNumber,
  type InvoiceRow,
  listInvoiceItems,
  listInvoicePayments,
  listInvoicesForAdmin,
} from './store.js';
import { invoiceFields, itemView } from './views.js';

/**
 * Invoices as the provider administers them (Admin API and CLI): every client's invoices, a
 * manual invoice, voiding an unpaid one and refunding a paid one to the client's credit. Each
 * change is audited in its own transaction.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings'>;

export interface Actor {
  type: 'admin' | 'cli';
  id: string | null;
  ip?: string | null;
  requestId?: string | null;
}

function adminSummary(row: InvoiceRow & { client_name: string; client_email: string }) {
  return {
    ...invoiceFields(row),
    client_id: row.client_id,
    client_name: row.client_name,
    client_email: row.client_email,
    cancelled_at: iso(row.cancelled_at_ms === null ? null : Number(row.cancelled_at_ms)),
    cancel_reason: row.cancel_reason,
  };
}

/** A `YYYY-MM-DD` calendar day in the provider's zone → its start (epoch ms); a field error if not a day. */
export function parseDay(text: string, zone: string, field: string): number {
  const day = DateTime.fromISO(text, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !day.isValid) {
    throw new AppError('validation_failed', `The ${field.split('.').pop()} must be a date like 2026-12-31.`, {
      errors: [{ field, message: 'must be a date YYYY-MM-DD' }],
    });
  }
  return day.toMillis();
}

export interface AdminListQuery {
  limit: number;
  cursor?: string | undefined;
  status?: InvoiceStatus | undefined;
  client?: string | undefined;
  number?: string | undefined;
  kind?: InvoiceKind | undefined;
  issuedFrom?: string | undefined;
  issuedTo?: string | undefined;
  overdue?: boolean | undefined;
  oldestFirst?: boolean | undefined;
}

export async function listInvoicesAdmin(deps: Deps, q: AdminListQuery) {
  const db = deps.db.kysely;
  const zone = deps.settings.snapshot['billing.time_zone'];
  const clientId = await clientFilter(deps, q.client);
  const issuedTo = q.issuedTo ? parseDay(q.issuedTo, zone, 'query.issued_to') : undefined;
  const rows = await listInvoicesForAdmin(db, {
    status: q.status,
    clientId,
    number: q.number,
    kind: q.kind,
    issuedFromMs: q.issuedFrom ? parseDay(q.issuedFrom, zone, 'query.issued_from') : undefined,
    // `issued_to` is inclusive: the whole day.
    issuedToMs: issuedTo === undefined ? undefined : addDays(issuedTo, 1, zone),
    overdueAtMs: q.overdue ? deps.clock.nowMs() : undefined,
    afterId: decodeCursor(q.cursor, 'invoice'),
    oldestFirst: q.oldestFirst,
    limit: q.limit + 1,
  });
  return toPage(rows, q.limit, adminSummary);
}

/** An invoice by id (`inv_…`) or by its number; not found says which was searched. */
export async function resolveInvoice(deps: Pick<Deps, 'db'>, idOrNumber: string): Promise<InvoiceRow> {
  const value = idOrNumber.trim();
  const db = deps.db.kysely;
  const row = /^inv_/.test(value) ? await findInvoice(db, value) : await findInvoiceByNumber(db, value);
  if (!row) throw new AppError('not_found', `No invoice ${value}: give an invoice id (inv_…) or its number.`);
  return row;
}

export async function getInvoiceAdmin(deps: Pick<Deps, 'db'>, idOrNumber: string) {
  const db = deps.db.kysely;
  const row = await resolveInvoice(deps, idOrNumber);
  const client = await findClientById(db, row.client_id);
  const [items, payments] = await Promise.all([listInvoiceItems(db, row.id), listInvoicePayments(db, row.id)]);
  return {
    ...adminSummary({ ...row, client_name: client?.name ?? '', client_email: client?.email ?? '' }),
    notes: row.notes,
    items: items.map(itemView),
    payments: payments.map((p) => ({
      id: p.id,
      kind: p.kind,
      method: p.method,
      amount_minor: Number(p.amount_minor),
      currency: p.currency,
      reference: p.reference,
      at: iso(Number(p.at_ms)),
    })),
  };
}

export interface ManualInvoiceInput {
  client: string;
  items: { description: string; amount_minor: number }[];
  dueAt?: string | undefined;
  notes?: string | undefined;
  currency?: string | undefined;
}

/** An invoice an admin writes (setup work, a one-off charge); due today unless a date is given. */
export async function createManualInvoice(deps: Deps, input: ManualInvoiceInput, actor: Actor) {
  const settings = deps.settings.snapshot;
  const zone = settings['billing.time_zone'];
  const now = deps.clock.nowMs();
  const db = deps.db.kysely;
  const client = await findClientByIdOrEmail(db, input.client);
  if (!client) {
    throw new AppError('not_found', `No client ${input.client}: give a client id (cli_…) or the client's email.`, {
      errors: [{ field: 'body.client_id', message: 'no such client' }],
    });
  }
  const dueAtMs = input.dueAt ? parseDay(input.dueAt, zone, 'body.due_at') : startOfDay(now, zone);
  if (dueAtMs < startOfDay(now, zone)) {
    throw new AppError('validation_failed', `The due date ${input.dueAt} is in the past; give today or a later day.`, {
      errors: [{ field: 'body.due_at', message: `must be ${localDate(now, zone)} or later` }],
    });
  }
  const id = await db.transaction().execute(async (trx) => {
    const { invoice } = await issueInvoice(trx, settings, now, {
      clientId: client.id,
      currency: input.currency ?? client.currency,
      kind: 'manual',
      dueAtMs,
      notes: input.notes ?? null,
      items: input.items.map((i) => ({
        kind: 'manual' as const,
        description: i.description,
        amountMinor: i.amount_minor,
      })),
    });
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'invoice.create',
      targetType: 'invoice',
      targetId: invoice.id,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
      details: { number: invoice.number, clientId: client.id, totalMinor: invoice.total_minor },
    });
    return invoice.id;
  });
  return getInvoiceAdmin(deps, id);
}

export async function voidInvoice(deps: Deps, idOrNumber: string, reason: string, actor: Actor) {
  const now = deps.clock.nowMs();
  const invoice = await resolveInvoice(deps, idOrNumber);
  await deps.db.kysely.transaction().execute(async (trx) => {
    if (!(await cancelInvoice(trx, invoice.id, reason, now))) {
      const current = (await findInvoice(trx, invoice.id))?.status ?? invoice.status;
      throw new AppError(
        'conflict',
        current === 'paid' || current === 'refunded'
          ? `Invoice ${invoice.number} is ${current}: a paid invoice cannot be voided; refund it instead (POST /invoices/{id}/refunds or \`portico invoices refund\`).`
          : `Invoice ${invoice.number} is already ${current}.`,
      );
    }
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'invoice.void',
      targetType: 'invoice',
      targetId: invoice.id,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
      details: { number: invoice.number, reason },
    });
  });
  return getInvoiceAdmin(deps, invoice.id);
}

/**
 * Refunds a paid invoice to the client's credit: a refund payment row and a credit-ledger entry,
 * in one transaction; without an amount, what remains. Partial refunds add up; once the whole
 * total is refunded the invoice is `refunded`.
 */
export async function refundInvoice(
  deps: Deps,
  idOrNumber: string,
  input: { amountMinor?: number | undefined; reason: string },
  actor: Actor,
) {
  const now = deps.clock.nowMs();
  const invoice = await resolveInvoice(deps, idOrNumber);
  const refundId = await deps.db.kysely.transaction().execute(async (trx) => {
    const current = (await findInvoice(trx, invoice.id)) ?? invoice;
    if (current.status !== 'paid') {
      throw new AppError(
        'conflict',
        current.status === 'refunded'
          ? `Invoice ${current.number} is already fully refunded.`
          : `Invoice ${current.number} is ${current.status}: only a paid invoice can be refunded${current.status === 'unpaid' ? '; void it instead' : ''}.`,
      );
    }
    const client = await findClientById(trx, current.client_id);
    if (client && client.currency !== current.currency) {
      throw new AppError(
        'conflict',
        `The client's credit is in ${client.currency} and ${current.number} in ${current.currency}: it cannot be refunded to credit. Refund it outside Portico.`,
      );
    }
    const remaining = Number(current.total_minor) - Number(current.refunded_minor);
    const amount = input.amountMinor ?? remaining;
    const money = (n: number) => `${formatAmount(n, current.currency)} ${current.currency}`;
    if (amount <= 0 || amount > remaining) {
      throw new AppError(
        'invalid_request',
        `The refund ${money(amount)} is more than what remains to refund on ${current.number}: ${money(remaining)}. Refund at most that.`,
        { errors: [{ field: 'body.amount_minor', message: `must be between 1 and ${remaining}` }] },
      );
    }
    const updated = await addInvoiceRefund(trx, current.id, amount);
    if (!updated)
      throw new AppError('conflict', `Invoice ${current.number} changed meanwhile; look at it and try again.`);
    const paymentId = newId('payment', now);
    await insertPayment(trx, {
      id: paymentId,
      invoice_id: current.id,
      amount_minor: amount,
      currency: current.currency,
      method: 'credit',
      actor_type: actor.type,
      actor_id: actor.id,
      at_ms: now,
      kind: 'refund',
      reference: input.reason,
    });
    await changeCredit(trx, {
      id: newId('credit', now),
      client_id: current.client_id,
      amount_minor: amount,
      reason: `Refund of ${current.number}: ${input.reason}`,
      actor_type: actor.type,
      actor_id: actor.id,
      invoice_id: current.id,
      payment_id: paymentId,
      at_ms: now,
    });
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'invoice.refund',
      targetType: 'invoice',
      targetId: current.id,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
      details: { number: current.number, amountMinor: amount, reason: input.reason, paymentId },
    });
    return paymentId;
  });
  return { refund_id: refundId, invoice: await getInvoiceAdmin(deps, invoice.id) };
}
