import type { Kysely } from 'kysely';

/**
 * Each running provisioning worker's heartbeat: a row per worker (its owner id, as in job leases),
 * refreshed every few seconds and removed when it stops cleanly. `/readyz` reports how recent the
 * newest one is.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('worker_heartbeats')
    .addColumn('owner', 'text', (c) => c.primaryKey())
    .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('seen_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
