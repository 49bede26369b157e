import type { Kysely } from 'kysely';

/**
 * A job's rollback is recorded like its steps: the failure that started it, how often it was
 * tried, its last error, and — when it could not finish — what it left on the panel.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('failure_code', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('failure_message', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('rollback_state', 'text').execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('rollback_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('jobs').addColumn('rollback_error_code', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('rollback_error_message', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('left_behind', 'text').execute();
}
