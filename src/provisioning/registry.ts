import type { JobType } from '../jobs/types.js';
import { changePackageJob } from './jobs/change-package.js';
import { changePasswordJob } from './jobs/change-password.js';
import { createJob, reprovision } from './jobs/create.js';
import { panelActionJob } from './jobs/panel-action.js';
import { suspendJob } from './jobs/suspend.js';
import { terminateJob } from './jobs/terminate.js';
import { unsuspendJob } from './jobs/unsuspend.js';
import type { LifecycleAction, LifecycleJob, LifecyclePayload } from './lifecycle.js';

/**
 * Every lifecycle job, each declared once in its file under jobs/. Keyed by action, so a new
 * action that is not listed here does not compile.
 */
const BY_ACTION: Record<LifecycleAction, LifecycleJob> = {
  create: createJob,
  suspend: suspendJob,
  unsuspend: unsuspendJob,
  terminate: terminateJob,
  change_package: changePackageJob,
  change_password: changePasswordJob,
  panel_action: panelActionJob,
};

/** What an admin may ask for: every action, and `reprovision` (creation again, after it failed). */
export type RequestableAction = LifecycleAction | typeof reprovision.action;

/** The actions the Admin API offers on a service (creation and panel changes come from orders and clients). */
export const ADMIN_ACTIONS = [
  'suspend',
  'unsuspend',
  'terminate',
  'reprovision',
  'change_package',
  'change_password',
] as const satisfies readonly RequestableAction[];

export function lifecycleJob(action: LifecycleAction): LifecycleJob {
  return BY_ACTION[action];
}

/** The job an admin's request queues, and the states the service may be in for it. */
export function requestedJob(action: RequestableAction): { job: LifecycleJob; allowedFrom: readonly string[] } {
  if (action === reprovision.action) return { job: reprovision.runs, allowedFrom: reprovision.allowedFrom };
  const job = lifecycleJob(action);
  return { job, allowedFrom: job.allowedFrom };
}

/** The job types the worker runs. */
export const LIFECYCLE_JOBS: JobType<LifecyclePayload>[] = Object.values(BY_ACTION).map(
  (d) => d.job as JobType<LifecyclePayload>,
);

export function jobTypes(): Map<string, JobType<unknown>> {
  return new Map(LIFECYCLE_JOBS.map((t) => [t.type, t as JobType<unknown>]));
}
