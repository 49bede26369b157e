import type { Kysely } from 'kysely';

/**
 * A used refresh token keeps the pair it was traded for, sealed, so a retry within the reuse
 * interval gets the same pair instead of ending the session.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('successor_sealed', 'text').execute();
}
