import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, JobsTable } from '../platform/db/schema.js';

/** The job queue's SQL: enqueue, claim (with per-server locks), leases, steps, outcomes. */
export type JobRow = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;

export async function insertJob(db: Kysely<Database>, row: NewJob): Promise<void> {
  await db.insertInto('jobs').values(row).execute();
}

export function findJob(db: Kysely<Database>, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Jobs that may run now: queued and due, or running under a lease that has expired (a dead
 * worker), and not bound to a paused server. The pause is read in the claim itself: a job requeued
 * by the step that paused its server (the panel refused our credentials) must not be claimed on
 * a reading of the paused servers taken before that pause.
 */
function claimable(db: Kysely<Database>, nowMs: number) {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'queued'), eb('run_after_ms', '<=', nowMs)]),
        eb.and([eb('state', '=', 'running'), eb('lease_expires_at_ms', '<', nowMs)]),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('servers')
            .select('servers.id')
            .whereRef('servers.id', '=', 'jobs.server_id')
            .where('servers.paused_reason', 'is not', null),
        ),
      ),
    )
    .orderBy('run_after_ms')
    .orderBy('id')
    .limit(20);
}

/**
 * Claims one job in one transaction. PostgreSQL skips rows other workers hold (FOR UPDATE SKIP
 * LOCKED); SQLite has one writer at a time. A job bound to a server also needs that server's
 * lock, so mutations on one panel never overlap (the panel has no locking of its own).
 */
export async function claimJob(
  db: Kysely<Database>,
  options: {
    dialect: 'sqlite' | 'postgres';
    owner: string;
    nowMs: number;
    leaseMs: number;
  },
): Promise<JobRow | undefined> {
  const { owner, nowMs, leaseMs } = options;
  return db.transaction().execute(async (trx) => {
    let query = claimable(trx, nowMs);
    if (options.dialect === 'postgres') query = query.forUpdate().skipLocked();
    for (const job of await query.execute()) {
      if (job.server_id && !(await lockServer(trx, job.server_id, job.id, nowMs + leaseMs, nowMs))) continue;
      const result = await trx
        .updateTable('jobs')
        .set({
          state: 'running',
          lease_owner: owner,
          lease_expires_at_ms: nowMs + leaseMs,
          attempts: job.attempts + 1,
          updated_at_ms: nowMs,
        })
        .where('id', '=', job.id)
        .where('updated_at_ms', '=', job.updated_at_ms)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        return {
          ...job,
          state: 'running' as const,
          lease_owner: owner,
          lease_expires_at_ms: nowMs + leaseMs,
          attempts: job.attempts + 1,
          updated_at_ms: nowMs,
        };
      }
    }
    return undefined;
  });
}

/** Takes the server's lock for this job if it is free, expired, or already this job's. */
export async function lockServer(
  db: Kysely<Database>,
  serverId: string,
  jobId: string,
  expiresAtMs: number,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .insertInto('server_locks')
    .values({ server_id: serverId, job_id: jobId, lease_expires_at_ms: expiresAtMs })
    .onConflict((oc) =>
      oc
        .column('server_id')
        .doUpdateSet({ job_id: jobId, lease_expires_at_ms: expiresAtMs })
        .where((eb) =>
          eb.or([eb('server_locks.lease_expires_at_ms', '<', nowMs), eb('server_locks.job_id', '=', jobId)]),
        ),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function releaseServer(db: Kysely<Database>, serverId: string, jobId: string): Promise<void> {
  await db.deleteFrom('server_locks').where('server_id', '=', serverId).where('job_id', '=', jobId).execute();
}

/** Extends the lease; false when the job is no longer ours (another worker took it over). */
export async function renewLease(db: Kysely<Database>, job: JobRow, owner: string, untilMs: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ lease_expires_at_ms: untilMs })
    .where('id', '=', job.id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (job.server_id) {
    await db
      .updateTable('server_locks')
      .set({ lease_expires_at_ms: untilMs })
      .where('server_id', '=', job.server_id)
      .where('job_id', '=', job.id)
      .execute();
  }
  return Number(result.numUpdatedRows) === 1;
}

export async function finishJob(
  db: Kysely<Database>,
  id: string,
  owner: string,
  changes: Partial<
    Pick<
      JobRow,
      | 'state'
      | 'run_after_ms'
      | 'last_error_code'
      | 'last_error_message'
      | 'finished_at_ms'
      | 'server_id'
      | 'attempts'
      | 'failure_code'
      | 'failure_message'
      | 'rollback_state'
      | 'rollback_attempts'
      | 'rollback_error_code'
      | 'rollback_error_message'
      | 'left_behind'
    >
  > & {
    updated_at_ms: number;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ ...changes, lease_owner: null, lease_expires_at_ms: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setJobServer(db: Kysely<Database>, id: string, serverId: string): Promise<void> {
  await db.updateTable('jobs').set({ server_id: serverId }).where('id', '=', id).execute();
}

export async function stepOutputs(db: Kysely<Database>, jobId: string): Promise<Map<string, unknown>> {
  const rows = await db.selectFrom('job_steps').select(['name', 'output']).where('job_id', '=', jobId).execute();
  return new Map(rows.map((r) => [r.name, r.output === null ? undefined : JSON.parse(r.output)]));
}

/** The names of a job's finished steps, in the order they finished. */
export async function stepNames(db: Kysely<Database>, jobId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('job_steps')
    .select('name')
    .where('job_id', '=', jobId)
    .orderBy('finished_at_ms')
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}

export async function deleteSteps(db: Kysely<Database>, jobId: string): Promise<void> {
  await db.deleteFrom('job_steps').where('job_id', '=', jobId).execute();
}

/** Stops a server's queue: the panel refused our credentials (fail2ban would follow). */
export async function pauseServer(db: Kysely<Database>, serverId: string, reason: string, nowMs: number) {
  await db
    .updateTable('servers')
    .set({ paused_reason: reason, paused_at_ms: nowMs })
    .where('id', '=', serverId)
    .execute();
}

export async function recordStep(
  db: Kysely<Database>,
  jobId: string,
  name: string,
  output: unknown,
  nowMs: number,
): Promise<void> {
  await db
    .insertInto('job_steps')
    .values({
      job_id: jobId,
      name,
      output: output === undefined ? null : JSON.stringify(output),
      finished_at_ms: nowMs,
    })
    .onConflict((oc) => oc.columns(['job_id', 'name']).doNothing())
    .execute();
}

export function countByState(db: Kysely<Database>) {
  return db
    .selectFrom('jobs')
    .select(['state', sql<number>`count(*)`.as('n')])
    .groupBy('state')
    .execute();
}
