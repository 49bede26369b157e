import { type Kysely, type Selectable, sql } from 'kysely';
import type { ClientStatus, ClientsTable, CreditLedgerTable, Database } from '../platform/db/schema.js';

/** The clients feature's SQL. */
export type ClientRow = Selectable<ClientsTable>;

export function findClientById(db: Kysely<Database>, id: string): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findClientByEmail(db: Kysely<Database>, email: string): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function insertClient(db: Kysely<Database>, row: ClientRow): Promise<void> {
  await db.insertInto('clients').values(row).execute();
}

export async function updateClient(
  db: Kysely<Database>,
  id: string,
  changes: Partial<
    Pick<
      ClientRow,
      | 'name'
      | 'company'
      | 'phone'
      | 'country'
      | 'address'
      | 'tax_id'
      | 'email'
      | 'password_hash'
      | 'status'
      | 'updated_at_ms'
    >
  >,
): Promise<void> {
  await db.updateTable('clients').set(changes).where('id', '=', id).execute();
}

export async function countClients(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('clients')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Id, name and email of each of these clients that exists (the request log names its callers). */
export function findClientNames(
  db: Kysely<Database>,
  ids: string[],
): Promise<Pick<ClientRow, 'id' | 'name' | 'email'>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('clients').select(['id', 'name', 'email']).where('id', 'in', ids).execute();
}

export type CreditEntryRow = Selectable<CreditLedgerTable>;

/**
 * One change of a client's credit: the balance moves and the ledger gains its row, together (the
 * caller's transaction). A removal that would take the balance below zero changes nothing and
 * returns null. `credit_minor` is the ledger's running sum, kept on the client so that a debit is
 * one conditional update (two payments cannot both spend the same credit).
 */
export async function changeCredit(
  db: Kysely<Database>,
  entry: Omit<CreditEntryRow, 'balance_after_minor' | 'currency'>,
): Promise<CreditEntryRow | null> {
  let update = db
    .updateTable('clients')
    .set((eb) => ({ credit_minor: eb('credit_minor', '+', entry.amount_minor), updated_at_ms: entry.at_ms }))
    .where('id', '=', entry.client_id);
  if (entry.amount_minor < 0) update = update.where('credit_minor', '>=', -entry.amount_minor);
  const updated = await update.returning(['credit_minor', 'currency']).executeTakeFirst();
  if (!updated) return null;
  const row: CreditEntryRow = {
    ...entry,
    currency: updated.currency,
    balance_after_minor: Number(updated.credit_minor),
  };
  await db.insertInto('credit_ledger').values(row).execute();
  return row;
}

/**
 * Debits several clients at once, each only if its balance covers the amount (one statement per
 * 500 clients, the billing run's batches). Returns the balance after the debit of each client that
 * was debited; a client missing from the answer was not touched.
 */
export async function debitCreditMany(
  db: Kysely<Database>,
  debits: { clientId: string; amountMinor: number }[],
  nowMs: number,
): Promise<Map<string, { balanceAfter: number; currency: string }>> {
  const out = new Map<string, { balanceAfter: number; currency: string }>();
  for (let i = 0; i < debits.length; i += 500) {
    const chunk = debits.slice(i, i + 500);
    const amount = sql<number>`case ${sql.ref('id')} ${sql.join(
      chunk.map((d) => sql`when ${d.clientId} then cast(${d.amountMinor} as bigint)`),
      sql` `,
    )} end`;
    const rows = await db
      .updateTable('clients')
      .set((eb) => ({ credit_minor: eb('credit_minor', '-', amount), updated_at_ms: nowMs }))
      .where(
        'id',
        'in',
        chunk.map((d) => d.clientId),
      )
      .where('credit_minor', '>=', amount)
      .returning(['id', 'credit_minor', 'currency'])
      .execute();
    for (const r of rows) out.set(r.id, { balanceAfter: Number(r.credit_minor), currency: r.currency });
  }
  return out;
}

/** Ledger rows whose balance the caller has already moved (with `debitCreditMany`). */
export async function insertCreditEntries(db: Kysely<Database>, rows: CreditEntryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('credit_ledger')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

/** A client's ledger, newest first, one page (ids are time-ordered). */
export function listCreditEntries(
  db: Kysely<Database>,
  options: { clientId: string; afterId?: string | undefined; limit: number },
): Promise<CreditEntryRow[]> {
  let query = db.selectFrom('credit_ledger').selectAll().where('client_id', '=', options.clientId);
  if (options.afterId) query = query.where('id', '<', options.afterId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

/** The balance as the ledger's sum (the record); equals `clients.credit_minor`. */
export async function ledgerBalance(db: Kysely<Database>, clientId: string): Promise<number> {
  const row = await db
    .selectFrom('credit_ledger')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_minor'), eb.val(0)).as('n'))
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A client by id (`cli_…`) or by email (any case): what the CLI and the Admin API accept. */
export function findClientByIdOrEmail(db: Kysely<Database>, idOrEmail: string): Promise<ClientRow | undefined> {
  const value = idOrEmail.trim();
  return value.includes('@') ? findClientByEmail(db, value.toLowerCase()) : findClientById(db, value);
}

/**
 * Moves a client from one status to another only if it is still in the expected one (two admins
 * acting at once cannot both succeed); false when it was not.
 */
export async function setClientStatus(
  db: Kysely<Database>,
  id: string,
  from: ClientStatus,
  to: ClientStatus,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('clients')
    .set({ status: to, updated_at_ms: nowMs })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** `%`, `_` and `\` in a search match themselves. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Clients newest (or oldest) first, one page: `q` matches part of the email or name, in any case. */
export function listClients(
  db: Kysely<Database>,
  options: {
    q?: string | undefined;
    status?: ClientStatus | undefined;
    afterId?: string | undefined;
    oldestFirst?: boolean | undefined;
    limit: number;
  },
): Promise<ClientRow[]> {
  let query = db.selectFrom('clients').selectAll();
  if (options.q) {
    const pattern = likePattern(options.q);
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(email)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  if (options.status) query = query.where('status', '=', options.status);
  if (options.afterId) query = query.where('id', options.oldestFirst ? '>' : '<', options.afterId);
  return query
    .orderBy('id', options.oldestFirst ? 'asc' : 'desc')
    .limit(options.limit)
    .execute();
}

/** How many services a client has in each status, and how many unpaid invoices. */
export async function clientCounts(
  db: Kysely<Database>,
  clientId: string,
): Promise<{ services: Record<string, number>; unpaidInvoices: number }> {
  const services = await db
    .selectFrom('services')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('client_id', '=', clientId)
    .groupBy('status')
    .execute();
  const unpaid = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('client_id', '=', clientId)
    .where('status', '=', 'unpaid')
    .executeTakeFirst();
  return {
    services: Object.fromEntries(services.map((s) => [s.status, Number(s.n)])),
    unpaidInvoices: Number(unpaid?.n ?? 0),
  };
}

/** The client's services that still run on a panel (active or suspended): closing waits for them. */
export function listLiveClientServices(
  db: Kysely<Database>,
  clientId: string,
): Promise<{ id: string; domain: string | null; status: string }[]> {
  return db
    .selectFrom('services')
    .select(['id', 'domain', 'status'])
    .where('client_id', '=', clientId)
    .where('status', 'in', ['active', 'suspended'])
    .orderBy('id')
    .execute();
}

/** Country, currency and credit of each of these clients (what billing a batch needs). */
export function findClientsBilling(
  db: Kysely<Database>,
  ids: string[],
): Promise<Pick<ClientRow, 'id' | 'country' | 'currency' | 'credit_minor'>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('clients')
    .select(['id', 'country', 'currency', 'credit_minor'])
    .where('id', 'in', ids)
    .execute();
}
