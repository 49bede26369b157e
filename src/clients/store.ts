import type { Kysely, Selectable } from 'kysely';
import type { ClientsTable, CreditLedgerTable, Database } from '../platform/db/schema.js';

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
    Pick<ClientRow, 'name' | 'company' | 'phone' | 'country' | 'email' | 'password_hash' | 'status' | 'updated_at_ms'>
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
