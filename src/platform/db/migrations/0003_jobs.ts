import type { Kysely } from 'kysely';

/**
 * The provisioning queue: jobs (the outbox of state changes), their recorded steps, per-server
 * locks that serialise panel mutations, and every panel call a job made. Services gain the sealed
 * panel password generated for them.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_after_ms', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at_ms', 'bigint')
    .addColumn('server_id', 'text')
    .addColumn('service_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('last_error_code', 'text')
    .addColumn('last_error_message', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('finished_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('jobs_state_run_after').on('jobs').columns(['state', 'run_after_ms']).execute();
  await db.schema.createIndex('jobs_service').on('jobs').column('service_id').execute();

  await db.schema
    .createTable('job_steps')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('output', 'text')
    .addColumn('finished_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_steps_pk', ['job_id', 'name'])
    .execute();

  await db.schema
    .createTable('server_locks')
    .addColumn('server_id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('lease_expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('panel_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text')
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('exit_code', 'integer')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('panel_calls_job').on('panel_calls').column('job_id').execute();

  await db.schema.alterTable('services').addColumn('panel_password_sealed', 'text').execute();
}
