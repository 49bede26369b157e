import type { Kysely } from 'kysely';

/** HestiaCP servers: where accounts are created, with credentials sealed by the master key. */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('servers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('auth_kind', 'text', (c) => c.notNull())
    .addColumn('credentials_sealed', 'text', (c) => c.notNull())
    .addColumn('tls_mode', 'text', (c) => c.notNull())
    .addColumn('tls_value', 'text')
    .addColumn('root_user', 'text', (c) => c.notNull())
    .addColumn('server_group', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('is_sandbox', 'integer', (c) => c.notNull())
    .addColumn('paused_reason', 'text')
    .addColumn('paused_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('servers_group').on('servers').column('server_group').execute();
}
