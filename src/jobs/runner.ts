import { pauseServer } from '../servers/store.js';
import { describeLeftBehind, pendingCompensations, UNDO_PREFIX } from './rollback.js';
import {
  finishJob,
  type JobRow,
  lockServer,
  recordRollbackError,
  recordStep,
  releaseServer,
  renewLease,
  setJobServer,
  startRollback,
  stepOutputs,
} from './store.js';
import { type JobContext, type JobDeps, JobFailure, type JobType, ServerBusy } from './types.js';

/**
 * Runs one claimed job to an outcome: succeeded; back in the queue with backoff (transient
 * failure, busy server, or a paused server); or, once it gives up, rolled back: its compensations
 * run as recorded steps, retried like any step, until all have succeeded (failed, rollback done)
 * or they too give up (failed, rollback incomplete, with what is left where).
 */
export interface RunOptions {
  owner: string;
  leaseMs: number;
  backoffBaseMs: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/** Exponential backoff with full jitter: a random wait up to base·2^(attempt-1), capped. */
export function backoffMs(attempt: number, baseMs: number): number {
  const cap = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

export async function runJob(
  app: JobDeps,
  types: Map<string, JobType<unknown>>,
  claimed: JobRow,
  options: RunOptions,
): Promise<void> {
  const db = app.db.kysely;
  const endTimer = app.metrics.jobDuration.startTimer({ type: claimed.type });
  let outcome = 'failed';
  const job = { ...claimed };
  const type = types.get(job.type);
  const renewal = setInterval(
    () => {
      renewLease(db, job, options.owner, app.clock.nowMs() + options.leaseMs).catch((err) => {
        app.logger.warn({ err, jobId: job.id }, 'job lease renewal failed');
      });
    },
    Math.max(50, Math.floor(options.leaseMs / 3)),
  );
  const log = { jobId: job.id, type: job.type, correlationId: job.correlation_id, attempt: job.attempts };
  try {
    if (job.rollback_state === 'running') {
      // A rollback retried: the claim counted a run of the job; the rollback counts its own.
      job.attempts -= 1;
      await rollBack(app, type, job, { ...options, log });
      return;
    }
    if (!type)
      throw new JobFailure('permanent', 'UNKNOWN_JOB_TYPE', `No handler for job type ${job.type} in this version.`);
    const outputs = await stepOutputs(db, job.id);
    const ctx: JobContext<unknown> = {
      deps: app,
      job,
      payload: type.parse(JSON.parse(job.payload)),
      correlationId: job.correlation_id,
      step: async (name, fn) => {
        if (outputs.has(name)) return outputs.get(name) as Awaited<ReturnType<typeof fn>>;
        const output = await fn();
        await recordStep(db, job.id, name, output, app.clock.nowMs());
        return output;
      },
      bindServer: async (serverId) => {
        if (job.server_id === serverId) return;
        const now = app.clock.nowMs();
        // Remember the server even if it is busy: the next claim then waits for its lock
        // instead of running the job only to find the server taken.
        await setJobServer(db, job.id, serverId);
        if (!(await lockServer(db, serverId, job.id, now + options.leaseMs, now))) throw new ServerBusy(serverId);
        job.server_id = serverId;
      },
    };
    await type.run(ctx);
    await finishJob(db, job.id, options.owner, {
      state: 'succeeded',
      finished_at_ms: app.clock.nowMs(),
      updated_at_ms: app.clock.nowMs(),
      last_error_code: null,
      last_error_message: null,
    });
    app.logger.info(log, 'job succeeded');
    outcome = 'succeeded';
  } catch (error) {
    await settleFailure(app, type, job, error, { ...options, log });
  } finally {
    endTimer({ outcome });
    clearInterval(renewal);
    if (job.server_id) await releaseServer(db, job.server_id, job.id).catch(() => undefined);
  }
}

type SettleOptions = RunOptions & { log: Record<string, unknown> };

function asFailure(app: JobDeps, error: unknown, log: Record<string, unknown>): JobFailure {
  if (error instanceof JobFailure) return error;
  app.logger.error({ ...log, err: error }, 'job step threw unexpectedly; will retry');
  return new JobFailure('retry', 'INTERNAL', (error as Error).message ?? String(error));
}

/** Back in the queue: a busy server (no attempt used), a paused server, or a transient failure. */
async function requeue(
  app: JobDeps,
  job: JobRow,
  failure: JobFailure | null,
  options: SettleOptions & { delayMs: number; attempts?: number; rollbackAttempts?: number },
) {
  const now = app.clock.nowMs();
  await finishJob(app.db.kysely, job.id, options.owner, {
    state: 'queued',
    run_after_ms: now + options.delayMs,
    ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    ...(options.rollbackAttempts === undefined ? {} : { rollback_attempts: options.rollbackAttempts }),
    ...(failure ? { last_error_code: failure.code, last_error_message: failure.message } : {}),
    updated_at_ms: now,
  });
}

/** Never retry into the panel's fail2ban: stop this server's queue until the operator resumes it. */
async function pauseFor(app: JobDeps, job: JobRow & { server_id: string }, failure: JobFailure, log: object) {
  await pauseServer(app.db.kysely, job.server_id, failure.message, app.clock.nowMs());
  app.logger.error(
    { ...log, serverId: job.server_id, error: failure.message },
    'panel refused our credentials: server queue PAUSED — give the right key with `portico server update <name>` (it resumes the server once the panel accepts it), or fix the allowlist and `portico server resume <name>`',
  );
}

async function settleFailure(
  app: JobDeps,
  type: JobType<unknown> | undefined,
  job: JobRow,
  error: unknown,
  options: SettleOptions,
): Promise<void> {
  const db = app.db.kysely;
  const now = app.clock.nowMs();
  if (error instanceof ServerBusy) {
    await requeue(app, job, null, { ...options, delayMs: 0, attempts: job.attempts - 1 });
    return;
  }
  const failure = asFailure(app, error, options.log);
  if (failure.kind === 'auth' && job.server_id) {
    await pauseFor(app, { ...job, server_id: job.server_id }, failure, options.log);
    await requeue(app, job, failure, { ...options, delayMs: 0, attempts: job.attempts - 1 });
    return;
  }
  if (failure.kind === 'retry' && job.attempts < job.max_attempts) {
    const delay = backoffMs(job.attempts, options.backoffBaseMs);
    app.logger.warn({ ...options.log, error: failure.message, retryInMs: delay }, 'job failed transiently; retrying');
    await requeue(app, job, failure, { ...options, delayMs: delay });
    return;
  }
  app.logger.error({ ...options.log, code: failure.code, error: failure.message }, 'job failed');
  if ((await pendingCompensations(app, type, job)).length > 0) {
    // The failure is kept apart from the rollback's own errors, so the job shows both.
    const started = {
      failure_code: failure.code,
      failure_message: failure.message,
      last_error_code: failure.code,
      last_error_message: failure.message,
      rollback_state: 'running' as const,
      rollback_attempts: 0,
    };
    await startRollback(db, job.id, started);
    await rollBack(app, type, { ...job, ...started }, options);
    return;
  }
  await finishJob(db, job.id, options.owner, {
    state: 'failed',
    finished_at_ms: now,
    failure_code: failure.code,
    failure_message: failure.message,
    last_error_code: failure.code,
    last_error_message: failure.message,
    updated_at_ms: now,
  });
}

/**
 * Runs the compensations still to do, each recorded once it succeeds. A transient failure puts
 * the job back in the queue (still rolling back) with backoff; after max_attempts tries, or on a
 * permanent failure, the job fails with what is left where.
 */
async function rollBack(
  app: JobDeps,
  type: JobType<unknown> | undefined,
  job: JobRow,
  options: SettleOptions,
): Promise<void> {
  const db = app.db.kysely;
  const attempt = job.rollback_attempts + 1;
  const log = { ...options.log, rollbackAttempt: attempt };
  const pending = await pendingCompensations(app, type, job);
  let failure: JobFailure | null = null;
  for (const compensation of pending) {
    try {
      await compensation.run();
      await recordStep(db, job.id, `${UNDO_PREFIX}${compensation.step}`, null, app.clock.nowMs());
      app.logger.info({ ...log, step: compensation.step }, 'compensation succeeded');
    } catch (error) {
      failure = asFailure(app, error, log);
      break;
    }
  }
  const now = app.clock.nowMs();
  if (failure) await recordRollbackError(db, job.id, failure.code, failure.message);
  if (failure?.kind === 'auth' && job.server_id) {
    await pauseFor(app, { ...job, server_id: job.server_id }, failure, log);
    await requeue(app, job, null, { ...options, delayMs: 0, attempts: job.attempts });
    return;
  }
  if (failure?.kind === 'retry' && attempt < job.max_attempts) {
    const delay = backoffMs(attempt, options.backoffBaseMs);
    app.logger.warn({ ...log, error: failure.message, retryInMs: delay }, 'compensation failed transiently; retrying');
    // The job's error stays the failure that made it give up; the rollback's is kept beside it.
    await requeue(app, job, null, { ...options, delayMs: delay, attempts: job.attempts, rollbackAttempts: attempt });
    return;
  }
  const left = failure ? await describeLeftBehind(await pendingCompensations(app, type, job)) : [];
  if (failure) {
    app.logger.error(
      { ...log, code: failure.code, error: failure.message, leftBehind: left },
      'rollback gave up: what it could not undo is left on the panel (see `portico jobs show`)',
    );
  }
  await finishJob(db, job.id, options.owner, {
    state: 'failed',
    finished_at_ms: now,
    attempts: job.attempts,
    rollback_state: failure ? 'incomplete' : 'done',
    rollback_attempts: attempt,
    left_behind: left.length > 0 ? JSON.stringify(left) : null,
    updated_at_ms: now,
  });
}
