import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, InvoiceItemsTable, InvoiceStatus, InvoicesTable } from '../platform/db/schema.js';

/** The invoices feature's SQL. Every read is scoped to the owning client. */
export type InvoiceRow = Selectable<InvoicesTable>;
export type InvoiceItemRow = Selectable<InvoiceItemsTable>;

export function listClientInvoices(
  db: Kysely<Database>,
  options: { clientId: string; afterId?: string | undefined; status?: InvoiceStatus | undefined; limit: number },
): Promise<InvoiceRow[]> {
  let query = db.selectFrom('invoices').selectAll().where('client_id', '=', options.clientId);
  if (options.afterId) query = query.where('id', '<', options.afterId);
  if (options.status) query = query.where('status', '=', options.status);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

export function findClientInvoice(db: Kysely<Database>, clientId: string, id: string): Promise<InvoiceRow | undefined> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

export function listInvoiceItems(db: Kysely<Database>, invoiceId: string): Promise<InvoiceItemRow[]> {
  return db.selectFrom('invoice_items').selectAll().where('invoice_id', '=', invoiceId).orderBy('sort_order').execute();
}

/** What an invoice written outside `issueInvoice` (the demo, tests) may leave out. */
type InvoiceExtras =
  | 'kind'
  | 'tax_name'
  | 'tax_rate_bp'
  | 'refunded_minor'
  | 'cancelled_at_ms'
  | 'cancel_reason'
  | 'notes'
  | 'paid_minor';
type ItemExtras = 'kind' | 'period_start_ms' | 'period_end_ms' | 'details';
export type NewInvoiceRow = Omit<InvoiceRow, InvoiceExtras> & Partial<Pick<InvoiceRow, InvoiceExtras>>;
export type NewInvoiceItemRow = Omit<InvoiceItemRow, ItemExtras> & Partial<Pick<InvoiceItemRow, ItemExtras>>;

export async function insertInvoice(
  db: Kysely<Database>,
  invoice: NewInvoiceRow,
  items: NewInvoiceItemRow[],
): Promise<void> {
  await db
    .insertInto('invoices')
    .values({
      kind: 'order',
      tax_name: null,
      tax_rate_bp: 0,
      refunded_minor: 0,
      cancelled_at_ms: null,
      cancel_reason: null,
      notes: null,
      paid_minor: invoice.status === 'paid' ? invoice.total_minor : 0,
      ...invoice,
    })
    .execute();
  if (items.length) {
    await db
      .insertInto('invoice_items')
      .values(
        items.map((i) => ({ kind: 'order' as const, period_start_ms: null, period_end_ms: null, details: null, ...i })),
      )
      .execute();
  }
}

/** An invoice by id; with clientId, only that client's (another client's invoice is not found). */
export function findInvoice(db: Kysely<Database>, id: string, clientId?: string): Promise<InvoiceRow | undefined> {
  let query = db.selectFrom('invoices').selectAll().where('id', '=', id);
  if (clientId !== undefined) query = query.where('client_id', '=', clientId);
  return query.executeTakeFirst();
}

/** Marks an unpaid invoice paid; false when it no longer was unpaid (another request paid it first). */
export async function markInvoicePaid(db: Kysely<Database>, id: string, nowMs: number): Promise<boolean> {
  const marked = await db
    .updateTable('invoices')
    .set((eb) => ({ status: 'paid', paid_at_ms: nowMs, paid_minor: eb.ref('total_minor') }))
    .where('id', '=', id)
    .where('status', '=', 'unpaid')
    .executeTakeFirst();
  return Number(marked.numUpdatedRows) === 1;
}

/**
 * Adds a part payment to an unpaid invoice (at most what remains); returns the amount paid so far,
 * or null when the invoice is no longer unpaid or the amount is more than what remains.
 */
export async function addInvoicePaid(db: Kysely<Database>, id: string, amountMinor: number): Promise<number | null> {
  const updated = await db
    .updateTable('invoices')
    .set((eb) => ({ paid_minor: eb('paid_minor', '+', amountMinor) }))
    .where('id', '=', id)
    .where('status', '=', 'unpaid')
    .where((eb) => eb(eb('paid_minor', '+', amountMinor), '<=', eb.ref('total_minor')))
    .returning('paid_minor')
    .executeTakeFirst();
  return updated ? Number(updated.paid_minor) : null;
}

/** Several unpaid invoices paid at once; returns how many were unpaid and are now paid. */
export async function markInvoicesPaid(db: Kysely<Database>, ids: string[], nowMs: number): Promise<number> {
  let marked = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const result = await db
      .updateTable('invoices')
      .set((eb) => ({ status: 'paid', paid_at_ms: nowMs, paid_minor: eb.ref('total_minor') }))
      .where('id', 'in', ids.slice(i, i + 500))
      .where('status', '=', 'unpaid')
      .executeTakeFirst();
    marked += Number(result.numUpdatedRows);
  }
  return marked;
}

/**
 * The next number of a numbering scope (a year), taken in the caller's transaction: the row lock
 * (PostgreSQL) or the single writer (SQLite) orders concurrent issuers, and a transaction that
 * rolls back gives its number back — so numbers are gap-free and never reused.
 */
export async function takeInvoiceSequence(db: Kysely<Database>, scope: string): Promise<number> {
  await db
    .insertInto('invoice_sequences')
    .values({ scope, next_seq: 1 })
    .onConflict((oc) => oc.column('scope').doNothing())
    .execute();
  const row = await db
    .updateTable('invoice_sequences')
    .set((eb) => ({ next_seq: eb('next_seq', '+', 1) }))
    .where('scope', '=', scope)
    .returning('next_seq')
    .executeTakeFirstOrThrow();
  return Number(row.next_seq) - 1;
}

export interface AdminInvoiceFilter {
  status?: InvoiceStatus | undefined;
  clientId?: string | undefined;
  number?: string | undefined;
  kind?: InvoiceRow['kind'] | undefined;
  issuedFromMs?: number | undefined;
  issuedToMs?: number | undefined;
  /** Unpaid and past its due date at this time. */
  overdueAtMs?: number | undefined;
  afterId?: string | undefined;
  oldestFirst?: boolean | undefined;
  limit: number;
}

/** Every client's invoices for the admin, newest first, with the client's name and email. */
export function listInvoicesForAdmin(db: Kysely<Database>, f: AdminInvoiceFilter) {
  let query = db
    .selectFrom('invoices')
    .innerJoin('clients', 'clients.id', 'invoices.client_id')
    .selectAll('invoices')
    .select(['clients.name as client_name', 'clients.email as client_email']);
  if (f.status) query = query.where('invoices.status', '=', f.status);
  if (f.clientId) query = query.where('invoices.client_id', '=', f.clientId);
  if (f.number) query = query.where('invoices.number', '=', f.number);
  if (f.kind) query = query.where('invoices.kind', '=', f.kind);
  if (f.issuedFromMs !== undefined) query = query.where('invoices.issued_at_ms', '>=', f.issuedFromMs);
  if (f.issuedToMs !== undefined) query = query.where('invoices.issued_at_ms', '<', f.issuedToMs);
  if (f.overdueAtMs !== undefined) {
    query = query.where('invoices.status', '=', 'unpaid').where('invoices.due_at_ms', '<', f.overdueAtMs);
  }
  if (f.afterId) query = query.where('invoices.id', f.oldestFirst ? '>' : '<', f.afterId);
  return query
    .orderBy('invoices.id', f.oldestFirst ? 'asc' : 'desc')
    .limit(f.limit)
    .execute();
}

export function findInvoiceByNumber(db: Kysely<Database>, number: string): Promise<InvoiceRow | undefined> {
  return db.selectFrom('invoices').selectAll().where('number', '=', number).executeTakeFirst();
}

/** An invoice's payments and refunds, oldest first. */
export function listInvoicePayments(db: Kysely<Database>, invoiceId: string) {
  return db.selectFrom('payments').selectAll().where('invoice_id', '=', invoiceId).orderBy('id').execute();
}

/** Cancels an unpaid invoice; false when it no longer was unpaid. */
export async function cancelInvoice(db: Kysely<Database>, id: string, reason: string, nowMs: number): Promise<boolean> {
  const done = await db
    .updateTable('invoices')
    .set({ status: 'cancelled', cancelled_at_ms: nowMs, cancel_reason: reason })
    .where('id', '=', id)
    .where('status', '=', 'unpaid')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/**
 * Adds a refund to a paid invoice if it still fits (refunded never exceeds the total, whatever
 * runs at the same time); the invoice becomes `refunded` once fully refunded. The row after, or
 * undefined when it did not fit.
 */
export function addInvoiceRefund(db: Kysely<Database>, id: string, amountMinor: number) {
  return db
    .updateTable('invoices')
    .set((eb) => ({
      refunded_minor: eb('refunded_minor', '+', amountMinor),
      status: eb
        .case()
        .when(eb('refunded_minor', '+', amountMinor), '>=', eb.ref('total_minor'))
        .then('refunded' as const)
        .else(eb.ref('status'))
        .end(),
    }))
    .where('id', '=', id)
    .where('status', '=', 'paid')
    .where((eb) => eb(eb('refunded_minor', '+', amountMinor), '<=', eb.ref('total_minor')))
    .returningAll()
    .executeTakeFirst();
}

/** The oldest unpaid invoice of this kind with a line for the service (an upgrade waiting to be paid). */
export function findUnpaidServiceInvoice(
  db: Kysely<Database>,
  serviceId: string,
  kind: InvoiceRow['kind'],
): Promise<Pick<InvoiceRow, 'id' | 'number' | 'total_minor' | 'currency'> | undefined> {
  return db
    .selectFrom('invoices')
    .select(['invoices.id', 'invoices.number', 'invoices.total_minor', 'invoices.currency'])
    .where('invoices.kind', '=', kind)
    .where('invoices.status', '=', 'unpaid')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('invoice_items')
          .select('invoice_items.id')
          .whereRef('invoice_items.invoice_id', '=', 'invoices.id')
          .where('invoice_items.service_id', '=', serviceId),
      ),
    )
    .orderBy('invoices.id')
    .executeTakeFirst();
}

/**
 * `count` consecutive numbers of a scope in one update (a block for a batch of invoices), taken
 * like `takeInvoiceSequence`: returns the first.
 */
export async function takeInvoiceSequences(db: Kysely<Database>, scope: string, count: number): Promise<number> {
  await db
    .insertInto('invoice_sequences')
    .values({ scope, next_seq: 1 })
    .onConflict((oc) => oc.column('scope').doNothing())
    .execute();
  const row = await db
    .updateTable('invoice_sequences')
    .set((eb) => ({ next_seq: eb('next_seq', '+', count) }))
    .where('scope', '=', scope)
    .returning('next_seq')
    .executeTakeFirstOrThrow();
  return Number(row.next_seq) - count;
}

/** Many invoices and their items, a few statements per block of rows. */
export async function insertInvoices(db: Kysely<Database>, invoices: InvoiceRow[], items: InvoiceItemRow[]) {
  for (let i = 0; i < invoices.length; i += 500)
    await db
      .insertInto('invoices')
      .values(invoices.slice(i, i + 500))
      .execute();
  for (let i = 0; i < items.length; i += 500)
    await db
      .insertInto('invoice_items')
      .values(items.slice(i, i + 500))
      .execute();
}

/** Cancels these invoices if still unpaid; returns the ids it cancelled. */
export async function cancelUnpaidInvoices(
  db: Kysely<Database>,
  ids: string[],
  reason: string,
  nowMs: number,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('invoices')
    .set({ status: 'cancelled', cancelled_at_ms: nowMs, cancel_reason: reason })
    .where('id', 'in', ids)
    .where('status', '=', 'unpaid')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * One page (keyset by invoice id) of unpaid renewal invoices due before `dueBeforeMs`, with the
 * service each renews, for services that are active or suspended: what the billing run suspends
 * and terminates for.
 */
export function listOverdueRenewals(
  db: Kysely<Database>,
  options: { dueBeforeMs: number; afterId: string | null; limit: number },
) {
  let query = db
    .selectFrom('invoices')
    .innerJoin('invoice_items', 'invoice_items.invoice_id', 'invoices.id')
    .innerJoin('services', 'services.id', 'invoice_items.service_id')
    .select(['invoices.id', 'invoices.number', 'invoices.due_at_ms', 'invoices.issued_at_ms'])
    .select([
      'services.id as service_id',
      'services.client_id',
      'services.server_id',
      'services.status as service_status',
      'services.suspension_reason',
    ])
    // Walk the primary key and filter (as listRenewableServices): with invoices_status_due every
    // page would read and sort all overdue invoices to return one page.
    .where(sql<string>`(invoices.status || '')`, '=', 'unpaid')
    .where('invoices.kind', '=', 'renewal')
    .where(sql<number>`invoices.due_at_ms + 0`, '<', options.dueBeforeMs)
    .where('invoice_items.kind', '=', 'renewal')
    .where('services.status', 'in', ['active', 'suspended']);
  if (options.afterId) query = query.where('invoices.id', '>', options.afterId);
  return query.orderBy('invoices.id').limit(options.limit).execute();
}

/** Unpaid invoices due in [fromMs, toMs), walked by id: the ones the billing run reminds of. */
export function listUnpaidDueBetween(
  db: Kysely<Database>,
  options: { fromMs: number; toMs: number; afterId: string | null; limit: number },
) {
  let query = db
    .selectFrom('invoices')
    .select(['id', 'client_id', 'number', 'due_at_ms', 'issued_at_ms', 'total_minor', 'currency'])
    .where('status', '=', 'unpaid')
    .where('due_at_ms', '>=', options.fromMs)
    .where('due_at_ms', '<', options.toMs);
  if (options.afterId) query = query.where('id', '>', options.afterId);
  return query.orderBy('id').limit(options.limit).execute();
}

/** The unpaid invoices with a line for any of these services. */
export async function listUnpaidServiceInvoices(
  db: Kysely<Database>,
  serviceIds: string[],
): Promise<{ id: string; number: string; service_id: string }[]> {
  if (serviceIds.length === 0) return [];
  const rows = await db
    .selectFrom('invoices')
    .innerJoin('invoice_items', 'invoice_items.invoice_id', 'invoices.id')
    .select(['invoices.id', 'invoices.number', 'invoice_items.service_id'])
    .where('invoice_items.service_id', 'in', serviceIds)
    .where('invoices.status', '=', 'unpaid')
    .distinct()
    .execute();
  return rows.map((r) => ({ id: r.id, number: r.number, service_id: r.service_id as string }));
}

/** Whether a service has another unpaid renewal invoice due before `dueBeforeMs`. */
export async function hasOverdueRenewal(db: Kysely<Database>, serviceId: string, dueBeforeMs: number) {
  const row = await db
    .selectFrom('invoices')
    .innerJoin('invoice_items', 'invoice_items.invoice_id', 'invoices.id')
    .select('invoices.id')
    .where('invoice_items.service_id', '=', serviceId)
    .where('invoice_items.kind', '=', 'renewal')
    .where('invoices.status', '=', 'unpaid')
    .where('invoices.due_at_ms', '<', dueBeforeMs)
    .executeTakeFirst();
  return row !== undefined;
}

/** Unpaid renewal invoices of these clients, oldest first (the ones a saved card is charged for). */
export async function listUnpaidRenewalsOfClients(db: Kysely<Database>, clientIds: string[]): Promise<InvoiceRow[]> {
  const out: InvoiceRow[] = [];
  for (let i = 0; i < clientIds.length; i += 500) {
    out.push(
      ...(await db
        .selectFrom('invoices')
        .selectAll()
        .where('client_id', 'in', clientIds.slice(i, i + 500))
        .where('status', '=', 'unpaid')
        .where('kind', '=', 'renewal')
        .orderBy('id')
        .execute()),
    );
  }
  return out;
}

/** The invoices with a line for this service, newest first. */
export function listServiceInvoices(db: Kysely<Database>, serviceId: string, limit: number) {
  return db
    .selectFrom('invoices')
    .where('invoices.id', 'in', (eb) =>
      eb
        .selectFrom('invoice_items')
        .select('invoice_items.invoice_id')
        .where('invoice_items.service_id', '=', serviceId),
    )
    .select([
      'invoices.id',
      'invoices.number',
      'invoices.status',
      'invoices.kind',
      'invoices.total_minor',
      'invoices.currency',
      'invoices.issued_at_ms',
      'invoices.due_at_ms',
    ])
    .orderBy('invoices.id', 'desc')
    .limit(limit)
    .execute();
}
