import type { Kysely } from 'kysely';
import { enqueueJob } from '../jobs/queue.js';
import type { Database } from '../platform/db/schema.js';
import type { LifecycleAction, LifecyclePayload } from './lifecycle.js';
import { lifecycleJob } from './registry.js';

export type { LifecycleAction, LifecyclePayload, PanelOp } from './lifecycle.js';
export { jobTypes, LIFECYCLE_JOBS } from './registry.js';

/**
 * Queues a lifecycle action for a service. Call it in the transaction that records why (a
 * payment, an admin's click): the job exists exactly when the reason does.
 */
export async function enqueueLifecycle(
  trx: Kysely<Database>,
  input: {
    action: LifecycleAction;
    serviceId: string;
    clientId: string;
    serverId: string | null;
    correlationId: string;
    actor: LifecyclePayload['actor'];
    productId?: string;
    op?: LifecyclePayload['op'];
    nowMs: number;
  },
): Promise<string> {
  const def = lifecycleJob(input.action);
  const payload: LifecyclePayload = {
    serviceId: input.serviceId,
    actor: input.actor,
    ...(input.productId ? { productId: input.productId } : {}),
    ...(input.op ? { op: input.op } : {}),
  };
  return enqueueJob(trx, {
    type: def.type,
    payload,
    maxAttempts: def.maxAttempts,
    correlationId: input.correlationId,
    serverId: input.serverId,
    serviceId: input.serviceId,
    clientId: input.clientId,
    nowMs: input.nowMs,
  });
}
