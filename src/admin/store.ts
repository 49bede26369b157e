import type { Insertable, Kysely } from 'kysely';
import type { AdminSessionsTable, Database } from '../platform/db/schema.js';

/**
 * The admin area's session SQL. A session is looked up on every admin-area request, so the lookup
 * reads the staff member's email in the same query rather than asking the staff module again.
 */
export async function insertAdminSession(db: Kysely<Database>, row: Insertable<AdminSessionsTable>): Promise<void> {
  await db.insertInto('admin_sessions').values(row).execute();
}

export function findAdminSessionByTokenHash(db: Kysely<Database>, tokenHash: string) {
  return db
    .selectFrom('admin_sessions')
    .innerJoin('admins', 'admins.id', 'admin_sessions.admin_id')
    .select(['admin_sessions.id', 'admin_sessions.admin_id', 'admin_sessions.expires_at_ms', 'admins.email'])
    .where('admin_sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function deleteAdminSessionByTokenHash(db: Kysely<Database>, tokenHash: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash).execute();
}
