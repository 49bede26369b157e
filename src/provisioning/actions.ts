import type { AppContext } from '../app-context.js';
import { findUnfinishedServiceJob } from '../jobs/store.js';
import { AppError } from '../platform/http/errors.js';
import { findServiceState, setSuspensionReason } from '../services/store.js';
import { enqueueLifecycle, type LifecyclePayload } from './index.js';
import { type RequestableAction, requestedJob } from './registry.js';

/**
 * An admin's lifecycle action on a service (CLI or Admin API): checks the service can take it
 * (each action's job declares the states it may start from), then queues the job.
 * `reprovision` re-runs creation for a service whose creation failed; `terminate` of a pending
 * service removes the account a failed creation left on its panel.
 */
export async function requestLifecycle(
  app: Pick<AppContext, 'db' | 'clock'>,
  input: {
    serviceId: string;
    action: RequestableAction;
    actor: LifecyclePayload['actor'];
    correlationId: string;
    productId?: string;
    op?: LifecyclePayload['op'];
    /** suspend: why, kept on the service ('admin' when not given); a payment lifts only 'overdue'. */
    reason?: string;
  },
): Promise<string> {
  const service = await findServiceState(app.db.kysely, input.serviceId);
  if (!service) throw new AppError('not_found', `No service ${input.serviceId}.`);
  const { job, allowedFrom } = requestedJob(input.action);
  if (!allowedFrom.includes(service.status)) {
    throw new AppError(
      'conflict',
      `Service ${service.id} is ${service.status}; ${input.action} needs it to be ${allowedFrom.join(' or ')}.`,
    );
  }
  if (input.action === 'terminate' && service.status === 'pending') await checkPendingTerminate(app, service);
  return app.db.kysely.transaction().execute(async (trx) => {
    if (job.action === 'suspend') {
      await setSuspensionReason(trx, service.id, input.reason?.trim() || 'admin', app.clock.nowMs());
    }
    return enqueueLifecycle(trx, {
      action: job.action,
      serviceId: service.id,
      clientId: service.client_id,
      serverId: service.server_id,
      correlationId: input.correlationId,
      actor: input.actor,
      ...(input.productId ? { productId: input.productId } : {}),
      ...(input.op ? { op: input.op } : {}),
      nowMs: app.clock.nowMs(),
    });
  });
}

/** A pending service can be terminated only for what its creation left, and not under its feet. */
async function checkPendingTerminate(
  app: Pick<AppContext, 'db'>,
  service: { id: string; server_id: string | null; panel_username: string | null },
): Promise<void> {
  if (!service.server_id || !service.panel_username) {
    throw new AppError(
      'conflict',
      `Service ${service.id} is pending and has no account on a panel yet: there is nothing to terminate.`,
    );
  }
  const unfinished = await findUnfinishedServiceJob(app.db.kysely, service.id);
  if (unfinished) {
    throw new AppError(
      'conflict',
      `Service ${service.id} has job ${unfinished.id} ${unfinished.state}; wait for it or cancel it (\`portico jobs cancel ${unfinished.id}\`) first.`,
    );
  }
}
