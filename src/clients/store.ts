import type { Kysely, Selectable } from 'kysely';
import type { ClientsTable, Database } from '../platform/db/schema.js';

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

/** Takes amountMinor from the client's credit if the balance covers it; false (nothing taken) if not. */
export async function debitCredit(
  db: Kysely<Database>,
  id: string,
  amountMinor: number,
  nowMs: number,
): Promise<boolean> {
  const debited = await db
    .updateTable('clients')
    .set((eb) => ({ credit_minor: eb('credit_minor', '-', amountMinor), updated_at_ms: nowMs }))
    .where('id', '=', id)
    .where('credit_minor', '>=', amountMinor)
    .executeTakeFirst();
  return Number(debited.numUpdatedRows) === 1;
}
