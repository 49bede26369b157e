import type { Kysely, Selectable } from 'kysely';
import type { AdminsTable, Database } from '../platform/db/schema.js';

/** The staff accounts' SQL (the admins table). */
export type StaffRow = Selectable<AdminsTable>;

export async function anyStaff(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('admins').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function staffEmailTaken(db: Kysely<Database>, email: string): Promise<boolean> {
  return (await db.selectFrom('admins').select('id').where('email', '=', email).executeTakeFirst()) !== undefined;
}

export async function insertStaff(db: Kysely<Database>, row: StaffRow): Promise<void> {
  await db.insertInto('admins').values(row).execute();
}
