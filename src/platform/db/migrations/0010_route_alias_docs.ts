import type { Kysely } from 'kysely';

/**
 * An alias is a route entry of its own: its name, category and description in the docs (null:
 * the original route's).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('route_aliases').addColumn('name', 'text').execute();
  await db.schema.alterTable('route_aliases').addColumn('category', 'text').execute();
  await db.schema.alterTable('route_aliases').addColumn('description', 'text').execute();
}
