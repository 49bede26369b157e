import type { Kysely } from 'kysely';

/**
 * Request and response bodies are stored once per distinct content: a script polling a route gets
 * the same answer thousands of times, and the log kept a copy per request. Rows now point at the
 * body by its hash; rows written before keep their bodies inline. `last_at_ms` is the newest row
 * that uses the body, so retention can drop a body with the last row that needed it.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('request_log_body')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('last_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_log_body_last').on('request_log_body').column('last_at_ms').execute();
  await db.schema.alterTable('request_log').addColumn('request_body_hash', 'text').execute();
  await db.schema.alterTable('request_log').addColumn('response_body_hash', 'text').execute();
}
