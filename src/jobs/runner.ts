import type { AppContext } from '../app-context.js';
import {
  finishJob,
  type JobRow,
  lockServer,
  recordStep,
  releaseServer,
  renewLease,
  setJobServer,
  stepOutputs,
} from './store.js';
import { type JobContext, JobFailure, type JobType, ServerBusy } from './types.js';

/**
 * Runs one claimed job to an outcome: succeeded; back in the queue with backoff (transient
 * failure, busy server, or a paused server); or failed after its compensations ran.
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
  app: AppContext,
  types: Map<string, JobType<unknown>>,
  claimed: JobRow,
  options: RunOptions,
): Promise<void> {
  const db = app.db.kysely;
  const endTimer = app.metrics.jobDuration.startTimer({ type: claimed.type });
  let outcome = 'failed';
  const job = { ...claimed };
  const type = types.get(job.type);
  const compensations: (() => Promise<void>)[] = [];
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
    if (!type)
      throw new JobFailure('permanent', 'UNKNOWN_JOB_TYPE', `No handler for job type ${job.type} in this version.`);
    const outputs = await stepOutputs(db, job.id);
    const ctx: JobContext<unknown> = {
      app,
      job,
      payload: type.parse(JSON.parse(job.payload)),
      correlationId: job.correlation_id,
      step: async (name, fn, stepOptions) => {
        const done = outputs.has(name);
        const output = done ? (outputs.get(name) as Awaited<ReturnType<typeof fn>>) : await fn();
        if (!done) await recordStep(db, job.id, name, output, app.clock.nowMs());
        if (stepOptions?.compensate) compensations.push(() => stepOptions.compensate!(output));
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
    await settleFailure(app, job, error, { ...options, compensations, maxAttempts: job.max_attempts, log });
  } finally {
    endTimer({ outcome });
    clearInterval(renewal);
    if (job.server_id) await releaseServer(db, job.server_id, job.id).catch(() => undefined);
  }
}

async function settleFailure(
  app: AppContext,
  job: JobRow,
  error: unknown,
  options: RunOptions & { compensations: (() => Promise<void>)[]; maxAttempts: number; log: Record<string, unknown> },
): Promise<void> {
  const db = app.db.kysely;
  const now = app.clock.nowMs();
  if (error instanceof ServerBusy) {
    await finishJob(db, job.id, options.owner, {
      state: 'queued',
      run_after_ms: now,
      attempts: job.attempts - 1,
      updated_at_ms: now,
    });
    return;
  }
  const failure =
    error instanceof JobFailure
      ? error
      : new JobFailure('retry', 'INTERNAL', (error as Error).message ?? String(error));
  if (!(error instanceof JobFailure))
    app.logger.error({ ...options.log, err: error }, 'job step threw unexpectedly; will retry');
  if (failure.kind === 'auth' && job.server_id) {
    // Never retry into the panel's fail2ban: stop this server's queue until the operator resumes it.
    await db
      .updateTable('servers')
      .set({ paused_reason: failure.message, paused_at_ms: now })
      .where('id', '=', job.server_id)
      .execute();
    app.logger.error(
      { ...options.log, serverId: job.server_id, error: failure.message },
      'panel refused our credentials: server queue PAUSED — fix the key or allowlist, then `portico server resume <name>`',
    );
    await finishJob(db, job.id, options.owner, {
      state: 'queued',
      run_after_ms: now,
      attempts: job.attempts - 1,
      last_error_code: failure.code,
      last_error_message: failure.message,
      updated_at_ms: now,
    });
    return;
  }
  if (failure.kind === 'retry' && job.attempts < options.maxAttempts) {
    const delay = backoffMs(job.attempts, options.backoffBaseMs);
    app.logger.warn({ ...options.log, error: failure.message, retryInMs: delay }, 'job failed transiently; retrying');
    await finishJob(db, job.id, options.owner, {
      state: 'queued',
      run_after_ms: now + delay,
      last_error_code: failure.code,
      last_error_message: failure.message,
      updated_at_ms: now,
    });
    return;
  }
  for (const compensate of options.compensations.reverse()) {
    try {
      await compensate();
    } catch (err) {
      app.logger.error({ ...options.log, err }, 'compensation failed: check the panel by hand');
    }
  }
  // What was undone is no longer done: a manual retry starts from the first step again.
  if (options.compensations.length > 0) await db.deleteFrom('job_steps').where('job_id', '=', job.id).execute();
  app.logger.error({ ...options.log, code: failure.code, error: failure.message }, 'job failed');
  await finishJob(db, job.id, options.owner, {
    state: 'failed',
    finished_at_ms: now,
    last_error_code: failure.code,
    last_error_message: failure.message,
    updated_at_ms: now,
  });
}
