import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';
import { enqueueLifecycle, type LifecycleAction, type LifecyclePayload } from './index.js';

/**
 * An admin's lifecycle action on a service (CLI or Admin API): checks the service can take it,
 * then queues the job. `reprovision` re-runs creation for a service whose creation failed.
 */
const ALLOWED_FROM: Record<LifecycleAction | 'reprovision', string[]> = {
  create: ['pending'],
  reprovision: ['pending'],
  suspend: ['active', 'suspended'],
  unsuspend: ['suspended', 'active'],
  terminate: ['active', 'suspended', 'terminated'],
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
    .select(['id', 'client_id', 'server_id', 'status'])
    .where('id', '=', input.serviceId)
    .executeTakeFirst();
  if (!service) throw new AppError('not_found', `No service ${input.serviceId}.`);
  if (!ALLOWED_FROM[input.action].includes(service.status)) {
    throw new AppError(
      'conflict',
      `Service ${service.id} is ${service.status}; ${input.action} needs it to be ${ALLOWED_FROM[input.action].join(' or ')}.`,
    );
  }
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
