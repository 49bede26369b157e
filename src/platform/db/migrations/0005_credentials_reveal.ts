import type { Kysely } from 'kysely';

/** When the client was shown the generated panel password (it is shown once). */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('services').addColumn('panel_password_revealed_at_ms', 'bigint').execute();
}
