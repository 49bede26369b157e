import type { AppContext } from '../app-context.js';
import { iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { describeLeftBehind, parseLeftBehind, pendingCompensations, UNDO_PREFIX } from './rollback.js';
import {
  cancelQueuedJob,
  deleteSteps,
  findJob,
  type JobRow,
  listJobRows,
  listPanelCalls,
  listStepTimes,
  requeueFailedJob,
} from './store.js';
import type { JobDeps, JobType } from './types.js';

/** What an admin does with jobs: look, retry a failed one, cancel a queued one. */
export function jobView(job: JobRow) {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    attempts: job.attempts,
    max_attempts: job.max_attempts,
    service_id: job.service_id,
    server_id: job.server_id,
    correlation_id: job.correlation_id,
    last_error: job.last_error_code ? { code: job.last_error_code, message: job.last_error_message } : null,
    /** The failure that made the job give up (its rollback's errors are under `rollback`). */
    failure: job.failure_code ? { code: job.failure_code, message: job.failure_message } : null,
    rollback: job.rollback_state
      ? {
          state: job.rollback_state,
          attempts: job.rollback_attempts,
          last_error: job.rollback_error_code
            ? { code: job.rollback_error_code, message: job.rollback_error_message }
            : null,
        }
      : null,
    /** What this job made on a panel and did not undo (a rollback that gave up, a cancellation). */
    left_behind: parseLeftBehind(job.left_behind),
    run_after: iso(job.run_after_ms),
    created_at: iso(job.created_at_ms),
    finished_at: iso(job.finished_at_ms),
  };
}

export async function listJobs(
  app: Pick<AppContext, 'db'>,
  options: { state?: string; service_id?: string; limit?: number } = {},
) {
  const rows = await listJobRows(app.db.kysely, {
    ...(options.state ? { state: options.state as JobRow['state'] } : {}),
    ...(options.service_id ? { serviceId: options.service_id } : {}),
    limit: options.limit ?? 50,
  });
  return rows.map(jobView);
}

export async function jobDetail(app: Pick<AppContext, 'db'>, id: string) {
  const job = await findJob(app.db.kysely, id);
  if (!job) throw new AppError('not_found', `No job ${id}.`);
  const [steps, calls] = await Promise.all([listStepTimes(app.db.kysely, id), listPanelCalls(app.db.kysely, id)]);
  return {
    ...jobView(job),
    steps: steps.map((s) => ({
      name: s.name,
      finished_at: iso(s.finished_at_ms),
      undone: steps.some((u) => u.name === `${UNDO_PREFIX}${s.name}`),
    })),
    panel_calls: calls.map((c) => ({
      command: c.command,
      server: c.server,
      correlation_id: c.correlation_id,
      http_status: c.http_status,
      exit_code: c.exit_code,
      code: c.code,
      duration_ms: c.duration_ms,
      at: iso(c.at_ms),
    })),
  };
}

/**
 * Queues a failed job again. After a rollback (done or not), what was undone is no longer done:
 * the job starts from its first step (a creation adopts the account a rollback left behind).
 */
export async function retryJob(app: Pick<AppContext, 'db' | 'clock'>, id: string): Promise<void> {
  const now = app.clock.nowMs();
  await app.db.kysely.transaction().execute(async (trx) => {
    const job = await findJob(trx, id);
    if (job?.state !== 'failed')
      throw new AppError('conflict', `Job ${id} is not failed; only failed jobs can be retried.`);
    if (job.rollback_state) await deleteSteps(trx, id);
    await requeueFailedJob(trx, id, now);
  });
}

/**
 * Cancels a queued job. Nothing is undone: what its finished steps made on a panel stays, and
 * is returned (and kept on the job) so the admin knows what is left where.
 */
export async function cancelJob(
  app: JobDeps,
  types: Map<string, JobType<unknown>>,
  id: string,
): Promise<{ leftBehind: string[] }> {
  const job = await findJob(app.db.kysely, id);
  if (job?.state !== 'queued')
    throw new AppError(
      job ? 'conflict' : 'not_found',
      job ? `Job ${id} is ${job.state}; only queued jobs can be cancelled.` : `No job ${id}.`,
    );
  const leftBehind = await describeLeftBehind(await pendingCompensations(app, types.get(job.type), job));
  const now = app.clock.nowMs();
  const cancelled = await cancelQueuedJob(app.db.kysely, id, {
    finished_at_ms: now,
    updated_at_ms: now,
    ...(job.rollback_state === 'running' ? { rollback_state: 'incomplete' as const } : {}),
    left_behind: leftBehind.length > 0 ? JSON.stringify(leftBehind) : null,
  });
  if (!cancelled)
    throw new AppError('conflict', `Job ${id} was claimed by a worker just now; only queued jobs can be cancelled.`);
  return { leftBehind };
}
