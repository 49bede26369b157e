import type { Kysely } from 'kysely';

/**
 * The claim reads each free server's due jobs (src/jobs/store.ts claimableIds): an index on
 * (state, server_id, run_after_ms) answers that per server, instead of scanning every waiting job.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('jobs_state_server_run_after')
    .on('jobs')
    .columns(['state', 'server_id', 'run_after_ms'])
    .execute();
}
