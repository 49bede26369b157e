import type { Kysely } from 'kysely';

/**
 * Staff roles and two-factor login: each admin gets a role (every existing admin becomes an owner,
 * as they could do everything before), a status (disabled staff cannot log in), their TOTP secret
 * (sealed with the master key; the pending one while enrolling) with the last time step a code was
 * accepted for (a code is never accepted twice), and their recovery codes, stored hashed.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('admins')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('owner'))
    .execute();
  await db.schema
    .alterTable('admins')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .execute();
  await db.schema.alterTable('admins').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('admins').addColumn('totp_pending_secret', 'text').execute();
  await db.schema.alterTable('admins').addColumn('totp_enabled_at_ms', 'bigint').execute();
  await db.schema.alterTable('admins').addColumn('totp_last_step', 'bigint').execute();
  await db.schema
    .createTable('admin_recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('admin_id', 'text', (c) => c.notNull().references('admins.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_at_ms', 'bigint')
    .execute();
  await db.schema
    .createIndex('admin_recovery_codes_admin')
    .on('admin_recovery_codes')
    .columns(['admin_id', 'code_hash'])
    .execute();
}
