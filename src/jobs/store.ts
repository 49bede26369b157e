import { type CompiledQuery, type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, JobsTable, PanelCallsTable } from '../platform/db/schema.js';

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
 * worker), and not bound to a paused server or to a server whose lock is held. The pause is read
 * in the claim itself: a job requeued by the step that paused its server (the panel refused our
 * credentials) must not be claimed on a reading of the paused servers taken before that pause.
 *
 * The query starts from the servers that are free (not paused, lock free or expired) and reads
 * each one's due jobs through the (state, server_id, run_after_ms) index, so its cost follows the
 * number of servers, not the depth of the queue: with 1,000 jobs waiting for four busy servers,
 * a poll that finds nothing reads no job at all (it scanned all 1,000 before). Jobs of busy
 * servers are left out here (the lock is still taken in the claim, so races stay safe), which
 * also keeps 20 waiting jobs of one busy server from hiding every other server's jobs. A lock
 * held by the job itself (released just after it is requeued) leaves it out until the release.
 * A job whose server row is gone waits (a server cannot be removed while it hosts services).
 */
function claimableIds(db: Kysely<Database>, nowMs: number) {
  const free = db
    .selectFrom('servers')
    .select('servers.id')
    .where('servers.paused_reason', 'is', null)
    .where(
      'servers.id',
      'not in',
      db
        .selectFrom('server_locks')
        .select('server_locks.server_id')
        .where('server_locks.lease_expires_at_ms', '>=', nowMs),
    );
  const jobs = (state: 'queued' | 'running') =>
    db.selectFrom('jobs').select(['jobs.id', 'jobs.run_after_ms']).where('jobs.state', '=', state);
  const unplaced = jobs('queued').where('jobs.server_id', 'is', null).where('jobs.run_after_ms', '<=', nowMs);
  const onFreeServers = jobs('queued').where('jobs.server_id', 'in', free).where('jobs.run_after_ms', '<=', nowMs);
  // Running jobs are few (at most every worker's concurrency): read all, keep the expired ones.
  const abandoned = jobs('running')
    .where('jobs.lease_expires_at_ms', '<', nowMs)
    .where((eb) => eb.or([eb('jobs.server_id', 'is', null), eb('jobs.server_id', 'in', free)]));
  return unplaced.unionAll(onFreeServers).unionAll(abandoned);
}

/** Stands for "now" in the claim queries compiled once; replaced by the time of each claim. */
const NOW_MARKER = -4_503_599_627_370_495;

interface ClaimQueries {
  /** Whether anything is claimable: no lock, no transaction, no sort (it stops at the first). */
  peek: CompiledQuery<{ id: string }>;
  /** The candidates, inside the claim's transaction (skipping rows others hold, on PostgreSQL). */
  candidates: CompiledQuery<JobRow>;
}

// biome-ignore lint/suspicious/noExplicitAny: one cache for every database handle
const claimQueries = new WeakMap<Kysely<any>, ClaimQueries>();

/**
 * The claim's queries, built and compiled once per database: a worker polls every few
 * milliseconds, and building this query through Kysely cost more than running it.
 */
function claimQueriesFor(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): ClaimQueries {
  let queries = claimQueries.get(db);
  if (!queries) {
    const candidates = db
      .selectFrom('jobs')
      .selectAll()
      .where('jobs.id', 'in', db.selectFrom(claimableIds(db, NOW_MARKER).as('c')).select('c.id'))
      .orderBy('run_after_ms')
      .orderBy('id')
      .limit(20);
    queries = {
      peek: db.selectFrom(claimableIds(db, NOW_MARKER).as('c')).select('c.id').limit(1).compile(),
      candidates: (dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates).compile(),
    };
    claimQueries.set(db, queries);
  }
  return queries;
}

function at<Row>(query: CompiledQuery<Row>, nowMs: number): CompiledQuery<Row> {
  return { ...query, parameters: query.parameters.map((p) => (p === NOW_MARKER ? nowMs : p)) };
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
  const queries = claimQueriesFor(db, options.dialect);
  // Most polls find nothing (every server busy, or no work): they open no transaction.
  if ((await db.executeQuery(at(queries.peek, nowMs))).rows.length === 0) return undefined;
  return db.transaction().execute(async (trx) => {
    for (const job of (await trx.executeQuery(at(queries.candidates, nowMs))).rows) {
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

/** The newest jobs first, optionally of one state (the admin's list). */
export function listJobRows(
  db: Kysely<Database>,
  options: { state?: JobRow['state']; serviceId?: string; limit: number },
): Promise<JobRow[]> {
  let query = db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.state) query = query.where('state', '=', options.state);
  if (options.serviceId) query = query.where('service_id', '=', options.serviceId);
  return query.execute();
}

/** A job's finished steps with their times, in the order they finished. */
export function listStepTimes(db: Kysely<Database>, jobId: string) {
  return db
    .selectFrom('job_steps')
    .select(['name', 'finished_at_ms'])
    .where('job_id', '=', jobId)
    .orderBy('finished_at_ms')
    .execute();
}

export type PanelCallRow = Selectable<PanelCallsTable>;

/** Every panel call a job made (or a client's read, with no job), kept for `jobs show`. */
export async function insertPanelCall(db: Kysely<Database>, row: PanelCallRow): Promise<void> {
  await db.insertInto('panel_calls').values(row).execute();
}

export function listPanelCalls(db: Kysely<Database>, jobId: string): Promise<PanelCallRow[]> {
  return db.selectFrom('panel_calls').selectAll().where('job_id', '=', jobId).orderBy('at_ms').execute();
}

/** A failed job back in the queue from a clean slate: attempts, failure and rollback cleared. */
export async function requeueFailedJob(db: Kysely<Database>, id: string, nowMs: number): Promise<void> {
  await db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: 0,
      run_after_ms: nowMs,
      finished_at_ms: null,
      updated_at_ms: nowMs,
      failure_code: null,
      failure_message: null,
      rollback_state: null,
      rollback_attempts: 0,
      rollback_error_code: null,
      rollback_error_message: null,
      left_behind: null,
    })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .execute();
}

/** Cancels a job if it is still queued; false when a worker claimed it first. */
export async function cancelQueuedJob(
  db: Kysely<Database>,
  id: string,
  changes: Pick<JobRow, 'finished_at_ms' | 'updated_at_ms' | 'left_behind'> & {
    rollback_state?: JobRow['rollback_state'];
  },
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ state: 'cancelled', ...changes })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a job as rolling back, keeping the failure that made it give up. */
export async function startRollback(
  db: Kysely<Database>,
  id: string,
  started: Pick<
    JobRow,
    | 'failure_code'
    | 'failure_message'
    | 'last_error_code'
    | 'last_error_message'
    | 'rollback_state'
    | 'rollback_attempts'
  >,
): Promise<void> {
  await db.updateTable('jobs').set(started).where('id', '=', id).execute();
}

export async function recordRollbackError(db: Kysely<Database>, id: string, code: string, message: string) {
  await db
    .updateTable('jobs')
    .set({ rollback_error_code: code, rollback_error_message: message })
    .where('id', '=', id)
    .execute();
}

/** A job of the service still waiting or running, if any. */
export function findUnfinishedServiceJob(db: Kysely<Database>, serviceId: string) {
  return db
    .selectFrom('jobs')
    .select(['id', 'state'])
    .where('service_id', '=', serviceId)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
}

/** Servers a job holds the lock of right now. */
export async function lockedServerIds(db: Kysely<Database>, nowMs: number): Promise<Set<string>> {
  const rows = await db
    .selectFrom('server_locks')
    .select('server_id')
    .where('lease_expires_at_ms', '>', nowMs)
    .execute();
  return new Set(rows.map((l) => l.server_id));
}
