import type { Kysely } from 'kysely';

/** The request log keeps the (redacted) query string and request headers too. */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('request_log').addColumn('query', 'text').execute();
  await db.schema.alterTable('request_log').addColumn('request_headers', 'text').execute();
  await db.schema.createIndex('request_log_client').on('request_log').columns(['client_id', 'at_ms']).execute();
}
