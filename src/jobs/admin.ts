import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';
import { iso } from '../platform/http/schemas.js';
import { findJob, type JobRow } from './store.js';

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
    run_after: iso(job.run_after_ms),
    created_at: iso(job.created_at_ms),
    finished_at: iso(job.finished_at_ms),
  };
}

export async function listJobs(app: Pick<AppContext, 'db'>, options: { state?: string; limit?: number } = {}) {
  let query = app.db.kysely
    .selectFrom('jobs')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50);
  if (options.state) query = query.where('state', '=', options.state as JobRow['state']);
  return (await query.execute()).map(jobView);
}

export async function jobDetail(app: Pick<AppContext, 'db'>, id: string) {
  const job = await findJob(app.db.kysely, id);
  if (!job) throw new AppError('not_found', `No job ${id}.`);
  const [steps, calls] = await Promise.all([
    app.db.kysely
      .selectFrom('job_steps')
      .select(['name', 'finished_at_ms'])
      .where('job_id', '=', id)
      .orderBy('finished_at_ms')
      .execute(),
    app.db.kysely.selectFrom('panel_calls').selectAll().where('job_id', '=', id).orderBy('at_ms').execute(),
  ]);
  return {
    ...jobView(job),
    steps: steps.map((s) => ({ name: s.name, finished_at: iso(s.finished_at_ms) })),
    panel_calls: calls.map((c) => ({
      command: c.command,
      http_status: c.http_status,
      exit_code: c.exit_code,
      code: c.code,
      duration_ms: c.duration_ms,
      at: iso(c.at_ms),
    })),
  };
}

export async function retryJob(app: Pick<AppContext, 'db' | 'clock'>, id: string): Promise<void> {
  const now = app.clock.nowMs();
  const result = await app.db.kysely
    .updateTable('jobs')
    .set({ state: 'queued', attempts: 0, run_after_ms: now, finished_at_ms: null, updated_at_ms: now })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1)
    throw new AppError('conflict', `Job ${id} is not failed; only failed jobs can be retried.`);
}

export async function cancelJob(app: Pick<AppContext, 'db' | 'clock'>, id: string): Promise<void> {
  const now = app.clock.nowMs();
  const result = await app.db.kysely
    .updateTable('jobs')
    .set({ state: 'cancelled', finished_at_ms: now, updated_at_ms: now })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1)
    throw new AppError('conflict', `Job ${id} is not queued; only queued jobs can be cancelled.`);
}
