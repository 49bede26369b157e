import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';

/** The admin area's sessions (the `admin_sessions` table; staff accounts themselves belong to src/staff). */
export async function insertAdminSession(
  db: Kysely<Database>,
  row: { id: string; adminId: string; tokenHash: string; ip: string; createdAtMs: number; expiresAtMs: number },
): Promise<void> {
  await db
    .insertInto('admin_sessions')
    .values({
      id: row.id,
      admin_id: row.adminId,
      token_hash: row.tokenHash,
      ip: row.ip,
      created_at_ms: row.createdAtMs,
      expires_at_ms: row.expiresAtMs,
    })
    .execute();
}

export function findAdminSession(db: Kysely<Database>, tokenHash: string) {
  return db
    .selectFrom('admin_sessions')
    .innerJoin('admins', 'admins.id', 'admin_sessions.admin_id')
    .select([
      'admin_sessions.id',
      'admin_sessions.admin_id',
      'admin_sessions.expires_at_ms',
      'admins.email',
      'admins.role',
      'admins.totp_enabled_at_ms',
    ])
    .where('admin_sessions.token_hash', '=', tokenHash)
    .where('admins.status', '=', 'active')
    .executeTakeFirst();
}

export async function deleteAdminSession(db: Kysely<Database>, tokenHash: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends every admin-area session of a staff member (disabled, their two-factor reset, or their password reset). */
export async function deleteAdminSessionsOf(db: Kysely<Database>, adminId: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('admin_id', '=', adminId).execute();
}
