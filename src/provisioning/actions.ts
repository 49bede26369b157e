import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';
import { enqueueLifecycle, type LifecycleAction, type LifecyclePayload } from './index.js';

/**
 * An admin's lifecycle action on a service (CLI or Admin API): checks the service can take it,
 * then queues the job. `reprovision` re-runs creation for a service whose creation failed;
 * `terminate` of a pending service removes the account a failed creation left on its panel.
 */
const ALLOWED_FROM: Record<LifecycleAction | 'reprovision', string[]> = {
  create: ['pending'],
  reprovision: ['pending'],
  suspend: ['active', 'suspended'],
  unsuspend: ['suspended', 'active'],
  terminate: ['active', 'suspended', 'terminated', 'pending'],
  change_package: ['active', 'suspended'],
  change_password: ['active'],
  panel_action: ['active'],
};

export async function requestLifecycle(
  app: Pick<AppContext, 'db' | 'clock'>,
  input: {
    serviceId: string;
    action: LifecycleAction | 'reprovision';
    actor: LifecyclePayload['actor'];
    correlationId: string;
    productId?: string;
    op?: LifecyclePayload['op'];
  },
): Promise<string> {
  const service = await app.db.kysely
    .selectFrom('services')
    .select(['id', 'client_id', 'server_id', 'status', 'panel_username'])
    .where('id', '=', input.serviceId)
    .executeTakeFirst();
  if (!service) throw new AppError('not_found', `No service ${input.serviceId}.`);
  if (!ALLOWED_FROM[input.action].includes(service.status)) {
    throw new AppError(
      'conflict',
      `Service ${service.id} is ${service.status}; ${input.action} needs it to be ${ALLOWED_FROM[input.action].join(' or ')}.`,
    );
  }
  if (input.action === 'terminate' && service.status === 'pending') await checkPendingTerminate(app, service);
  const action: LifecycleAction = input.action === 'reprovision' ? 'create' : input.action;
  return app.db.kysely.transaction().execute((trx) =>
    enqueueLifecycle(trx, {
      action,
      serviceId: service.id,
      clientId: service.client_id,
      serverId: service.server_id,
      correlationId: input.correlationId,
      actor: input.actor,
      ...(input.productId ? { productId: input.productId } : {}),
      ...(input.op ? { op: input.op } : {}),
      nowMs: app.clock.nowMs(),
    }),
  );
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
  const unfinished = await app.db.kysely
    .selectFrom('jobs')
    .select(['id', 'state'])
    .where('service_id', '=', service.id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (unfinished) {
    throw new AppError(
      'conflict',
      `Service ${service.id} has job ${unfinished.id} ${unfinished.state}; wait for it or cancel it (\`portico jobs cancel ${unfinished.id}\`) first.`,
    );
  }
}
