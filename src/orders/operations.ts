import type { AppContext } from '../app-context.js';
import { findJob, stepNames } from '../jobs/store.js';
import { iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';

/**
 * An operation is a client's view of a job: what it does, how far it got, how it ended. Another
 * client's job is not found, never forbidden.
 */
export async function getOperation(deps: Pick<AppContext, 'db'>, clientId: string, id: string) {
  const db = deps.db.kysely;
  const job = await findJob(db, id);
  if (!job || job.client_id !== clientId) throw new AppError('not_found', 'The operation was not found.');
  return {
    id: job.id,
    action: job.type,
    state: job.state,
    service_id: job.service_id,
    steps_done: await stepNames(db, job.id),
    attempts: job.attempts,
    error: job.last_error_code ? { code: job.last_error_code, message: job.last_error_message ?? '' } : null,
    created_at: iso(job.created_at_ms),
    finished_at: iso(job.finished_at_ms),
  };
}
