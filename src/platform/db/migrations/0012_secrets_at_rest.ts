import type { Kysely, Migration } from 'kysely';
import type { SecretBox } from '../../crypto/secretbox.js';

/**
 * No secret at rest in clear:
 * - a used refresh token keeps the pair it was traded for, sealed, so a retry within the reuse
 *   interval gets the same pair instead of ending the session;
 * - stored Idempotency-Key responses (which can hold a database password or an API token shown
 *   once) are sealed with the master key;
 * - admin sessions no longer store their CSRF token: it is derived from the session's cookie
 *   token, of which only a hash is stored. Sessions stay logged in; an open admin page reloads once.
 */
export function migration(deps: { secrets?: () => SecretBox }): Migration {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
  const run = async (db: Kysely<any>): Promise<void> => {
    const stored: { client_id: string; key: string; response_body: string }[] = await db
      .selectFrom('idempotency_keys')
      .select(['client_id', 'key', 'response_body'])
      .where('response_body', 'is not', null)
      .execute();
    if (stored.length > 0 && !deps.secrets) {
      throw new Error(
        'Migration 0012 seals the stored Idempotency-Key responses and needs the master key: run it with `portico migrate` (or `portico serve`).',
      );
    }
    for (const row of stored) {
      await db
        .updateTable('idempotency_keys')
        .set({ response_body: deps.secrets!().seal(row.response_body) })
        .where('client_id', '=', row.client_id)
        .where('key', '=', row.key)
        .execute();
    }
    await db.schema.alterTable('refresh_tokens').addColumn('successor_sealed', 'text').execute();
    await db.schema.alterTable('admin_sessions').dropColumn('csrf_token').execute();
  };
  return {
    // The migrator wraps migrations in a transaction only where Kysely trusts DDL in one
    // (PostgreSQL); on SQLite this one makes its own, so it applies whole or not at all.
    // biome-ignore lint/suspicious/noExplicitAny: as above
    up: (db: Kysely<any>) => (db.isTransaction ? run(db) : db.transaction().execute(run)),
  };
}

export const up = migration({}).up;
