import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { EVENT_TYPES, type EventType } from '../events/events.js';
import { decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import {
  countClientEndpoints,
  type EndpointRow,
  failPendingDeliveries,
  findClientEndpoint,
  findDeliveryById,
  insertDelivery,
  insertEndpoint,
  listAttempts,
  listClientEndpoints,
  listEndpointDeliveries,
  requeueDelivery,
  updateEndpoint,
  type WebhookDeliveryRow,
} from './store.js';
import { checkTarget, type Resolver, TargetRefused } from './targets.js';

/**
 * A client's webhooks (Standard Webhooks): endpoints subscribed to event types, each with a
 * `whsec_` signing secret shown once; the outbox consumer (consumer.ts) makes one delivery per
 * endpoint and event, and the sender (sender.ts) posts it, signed, with retries.
 */
export const WEBHOOK_EVENT_TYPES = EVENT_TYPES;
/** The type of a test delivery (POST /webhooks/{id}/test): sent once, never retried. */
export const TEST_EVENT_TYPE = 'webhook.test';
export const MAX_ENDPOINTS_PER_CLIENT = 10;

type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'secrets'> & { resolve?: Resolver };

export function endpointView(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: JSON.parse(row.event_types) as ('*' | EventType)[],
    enabled: row.state === 'enabled',
    disabled_reason: row.disabled_reason,
    created_at: iso(row.created_at_ms),
    updated_at: iso(row.updated_at_ms),
  };
}

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks libraries read it. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

async function checkUrl(deps: Deps, url: string): Promise<string> {
  try {
    await checkTarget(url, {
      allowPrivate: deps.settings.snapshot['webhooks.allow_private_targets'],
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
    });
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    throw new AppError('validation_failed', `The webhook URL ${error.message}.`, {
      errors: [{ field: 'body.url', message: error.message }],
    });
  }
  return new URL(url).toString();
}

function checkEventTypes(types: readonly string[]): string[] {
  const unique = [...new Set(types)];
  if (unique.includes('*')) return ['*'];
  const unknown = unique.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new AppError('validation_failed', `Unknown event type ${unknown.join(', ')}.`, {
      errors: [
        {
          field: 'body.event_types',
          message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not an event type; use "*" or some of: ${WEBHOOK_EVENT_TYPES.join(', ')}`,
        },
      ],
    });
  }
  return unique;
}

export async function listEndpoints(deps: Deps, clientId: string) {
  return (await listClientEndpoints(deps.db.kysely, clientId)).map(endpointView);
}

export async function getEndpoint(deps: Deps, clientId: string, id: string): Promise<EndpointRow> {
  const row = await findClientEndpoint(deps.db.kysely, clientId, id);
  if (!row) throw notFound('The webhook');
  return row;
}

export async function createEndpoint(
  deps: Deps,
  clientId: string,
  input: { url: string; event_types: string[]; description?: string | undefined },
) {
  const url = await checkUrl(deps, input.url);
  const eventTypes = checkEventTypes(input.event_types);
  if ((await countClientEndpoints(deps.db.kysely, clientId)) >= MAX_ENDPOINTS_PER_CLIENT) {
    throw new AppError(
      'conflict',
      `You have ${MAX_ENDPOINTS_PER_CLIENT} webhooks, the most an account may have. Delete one first (DELETE /api/v1/webhooks/{id}).`,
    );
  }
  const now = deps.clock.nowMs();
  const secret = newSecret();
  const row: EndpointRow = {
    id: newId('webhook', now),
    client_id: clientId,
    url,
    description: input.description?.trim() ?? '',
    event_types: JSON.stringify(eventTypes),
    secret_sealed: deps.secrets().seal(secret),
    state: 'enabled',
    disabled_reason: null,
    created_at_ms: now,
    updated_at_ms: now,
    deleted_at_ms: null,
  };
  await insertEndpoint(deps.db.kysely, row);
  return { ...endpointView(row), secret };
}

export async function changeEndpoint(
  deps: Deps,
  clientId: string,
  id: string,
  patch: {
    url?: string | undefined;
    event_types?: string[] | undefined;
    description?: string | undefined;
    enabled?: boolean | undefined;
  },
) {
  const row = await getEndpoint(deps, clientId, id);
  const now = deps.clock.nowMs();
  const changes: Partial<EndpointRow> = { updated_at_ms: now };
  if (patch.url !== undefined) changes.url = await checkUrl(deps, patch.url);
  if (patch.event_types !== undefined) changes.event_types = JSON.stringify(checkEventTypes(patch.event_types));
  if (patch.description !== undefined) changes.description = patch.description.trim();
  if (patch.enabled === true) {
    changes.state = 'enabled';
    changes.disabled_reason = null;
  } else if (patch.enabled === false) {
    changes.state = 'disabled';
    changes.disabled_reason = 'Disabled by you.';
  }
  await deps.db.kysely.transaction().execute(async (trx) => {
    await updateEndpoint(trx, row.id, changes);
    if (patch.enabled === false) await failPendingDeliveries(trx, row.id, 'Not sent: the webhook was disabled.', now);
  });
  return endpointView({ ...row, ...changes });
}

export async function deleteEndpoint(deps: Deps, clientId: string, id: string): Promise<void> {
  const row = await getEndpoint(deps, clientId, id);
  const now = deps.clock.nowMs();
  // Kept (deleted_at_ms) so the delivery rows that point at it stay whole; never listed or sent to again.
  await deps.db.kysely.transaction().execute(async (trx) => {
    await updateEndpoint(trx, row.id, { deleted_at_ms: now, state: 'disabled', updated_at_ms: now });
    await failPendingDeliveries(trx, row.id, 'Not sent: the webhook was deleted.', now);
  });
}

/** The JSON body of a delivery, as Standard Webhooks shapes it: type, timestamp, data. */
export function deliveryBody(type: string, atMs: number, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: iso(atMs), data });
}

/** A delivery to queue: due now, its body fixed; one per endpoint and event (or one per test). */
export function newDelivery(
  nowMs: number,
  input: { endpoint: EndpointRow; eventId: string | null; type: string; data: Record<string, unknown>; atMs?: number },
): WebhookDeliveryRow {
  const id = newId('webhookDelivery', nowMs);
  return {
    id,
    dedupe_key: input.eventId ? `event:${input.eventId}:${input.endpoint.id}` : `test:${id}`,
    endpoint_id: input.endpoint.id,
    client_id: input.endpoint.client_id,
    event_id: input.eventId,
    event_type: input.type,
    payload: deliveryBody(input.type, input.atMs ?? nowMs, input.data),
    state: 'pending',
    attempts: 0,
    run_after_ms: nowMs,
    lease_owner: null,
    lease_expires_at_ms: null,
    last_status: null,
    last_error: null,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
    finished_at_ms: null,
  };
}

/** Queues a test delivery to the endpoint (sent once, at once; its outcome is in the delivery log). */
export async function sendTest(deps: Deps, clientId: string, id: string) {
  const endpoint = await getEndpoint(deps, clientId, id);
  if (endpoint.state !== 'enabled') {
    throw new AppError(
      'conflict',
      'The webhook is disabled; enable it first (PATCH /api/v1/webhooks/{id} {"enabled": true}).',
    );
  }
  const now = deps.clock.nowMs();
  const row = newDelivery(now, {
    endpoint,
    eventId: null,
    type: TEST_EVENT_TYPE,
    data: { webhook_id: endpoint.id, message: 'A test delivery from the User API.' },
  });
  await insertDelivery(deps.db.kysely, row);
  return deliveryView(row, []);
}

type AttemptView = {
  attempt: number;
  at: string;
  duration_ms: number | null;
  status: number | null;
  error: string | null;
};

function deliveryView(row: WebhookDeliveryRow, attempts: AttemptView[]) {
  return {
    id: row.id,
    event_type: row.event_type,
    event_id: row.event_id,
    state: row.state,
    attempts: row.attempts,
    next_attempt_at: row.state === 'pending' ? iso(row.run_after_ms) : null,
    last_status: row.last_status,
    last_error: row.last_error,
    created_at: iso(row.created_at_ms),
    finished_at: iso(row.finished_at_ms),
    payload: row.payload,
    attempt_log: attempts,
  };
}

/** The delivery log of an endpoint, newest first, each delivery with its attempts. */
export async function pageDeliveries(
  deps: Deps,
  clientId: string,
  id: string,
  query: { limit: number; cursor?: string | undefined },
) {
  const endpoint = await getEndpoint(deps, clientId, id);
  const rows = await listEndpointDeliveries(deps.db.kysely, {
    endpointId: endpoint.id,
    beforeId: decodeCursor(query.cursor, 'webhookDelivery'),
    limit: query.limit,
  });
  const attempts = await listAttempts(
    deps.db.kysely,
    rows.slice(0, query.limit).map((r) => r.id),
  );
  const byDelivery = new Map<string, AttemptView[]>();
  for (const a of attempts) {
    const list = byDelivery.get(a.delivery_id) ?? [];
    list.push({
      attempt: a.attempt,
      at: iso(a.started_at_ms),
      duration_ms: a.duration_ms,
      status: a.status,
      error: a.error,
    });
    byDelivery.set(a.delivery_id, list);
  }
  return toPage(rows, query.limit, (r) => deliveryView(r, byDelivery.get(r.id) ?? []));
}

/** Sends a failed delivery once more, now (the same webhook-id and body). */
export async function redeliver(deps: Deps, clientId: string, id: string, deliveryId: string) {
  const endpoint = await getEndpoint(deps, clientId, id);
  const delivery = await findDeliveryById(deps.db.kysely, deliveryId);
  if (!delivery || delivery.endpoint_id !== endpoint.id) throw notFound('The delivery');
  if (endpoint.state !== 'enabled') {
    throw new AppError('conflict', 'The webhook is disabled; enable it first, then redeliver.');
  }
  if (!(await requeueDelivery(deps.db.kysely, delivery.id, deps.clock.nowMs()))) {
    throw new AppError('conflict', `The delivery is ${delivery.state}; only a failed delivery can be sent again.`);
  }
  return deliveryView((await findDeliveryById(deps.db.kysely, delivery.id))!, []);
}
