import type { Kysely } from 'kysely';
import { prepared } from '../platform/db/prepared.js';
import type { Database } from '../platform/db/schema.js';

/** The auth feature's SQL. */

export async function findClientCredentials(db: Kysely<Database>, email: string) {
  // Runs on every Basic-authenticated request: compiled once.
  const query = prepared(db, 'auth.clientCredentials', (d) =>
    d.selectFrom('clients').select(['id', 'password_hash', 'status']).where('email', '=', '?'),
  );
  const rows = await query([email.trim().toLowerCase()]);
  return rows[0];
}

export async function findClientStatus(db: Kysely<Database>, clientId: string) {
  return db
    .selectFrom('clients')
    .select(['id', 'status', 'password_hash'])
    .where('id', '=', clientId)
    .executeTakeFirst();
}

/** Ends every login session of a client: their refresh tokens and access tokens stop working. */
export async function revokeAllSessions(db: Kysely<Database>, clientId: string, nowMs: number): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ revoked_at_ms: nowMs })
    .where('client_id', '=', clientId)
    .where('revoked_at_ms', 'is', null)
    .execute();
}
