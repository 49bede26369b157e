import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { insertJob } from './store.js';

/**
 * Enqueues a job. Call it inside the transaction that makes the state change the job carries out
 * (the outbox): either both are written or neither is, so no paid order is ever without its job.
 */
export interface EnqueueInput {
  type: string;
  payload: unknown;
  maxAttempts: number;
  correlationId: string;
  serverId?: string | null;
  serviceId?: string | null;
  clientId?: string | null;
  nowMs: number;
}

export async function enqueueJob(trx: Kysely<Database>, input: EnqueueInput): Promise<string> {
  const id = newId('job', input.nowMs);
  await insertJob(trx, {
    id,
    type: input.type,
    payload: JSON.stringify(input.payload),
    state: 'queued',
    attempts: 0,
    max_attempts: input.maxAttempts,
    run_after_ms: input.nowMs,
    lease_owner: null,
    lease_expires_at_ms: null,
    server_id: input.serverId ?? null,
    service_id: input.serviceId ?? null,
    client_id: input.clientId ?? null,
    correlation_id: input.correlationId,
    last_error_code: null,
    last_error_message: null,
    created_at_ms: input.nowMs,
    updated_at_ms: input.nowMs,
    finished_at_ms: null,
  });
  return id;
}
