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

export function findStaffByEmail(db: Kysely<Database>, email: string): Promise<StaffRow | undefined> {
  return db.selectFrom('admins').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function setStaffPassword(db: Kysely<Database>, id: string, passwordHash: string, nowMs: number) {
  await db
    .updateTable('admins')
    .set({ password_hash: passwordHash, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}
