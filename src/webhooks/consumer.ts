import type { EventConsumerHandler } from '../events/dispatcher.js';
import type { EventRow } from '../events/store.js';
import { insertDelivery, listEnabledEndpoints } from './store.js';
import { newDelivery } from './webhooks.js';

/** `totalMinor` → `total_minor`: the API's field names are snake_case. */
function snake(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return out;
}

/** What a client's systems receive of an event: its id, what it is about, and its details. */
export function eventData(event: EventRow): Record<string, unknown> {
  return {
    event_id: event.id,
    ...(event.service_id ? { service_id: event.service_id } : {}),
    ...(event.invoice_id ? { invoice_id: event.invoice_id } : {}),
    ...snake(JSON.parse(event.payload) as Record<string, unknown>),
  };
}

/**
 * The outbox consumer `webhooks`: one delivery per enabled endpoint of the event's client that
 * subscribed to its type, written in the dispatcher's transaction (so once per event and
 * endpoint). The body is fixed here; the sender posts it.
 */
export function webhookConsumer(): EventConsumerHandler {
  return {
    maxAttempts: 10,
    handle: async (trx, event, deps) => {
      if (!event.client_id) return;
      const endpoints = await listEnabledEndpoints(trx, event.client_id);
      const now = deps.clock.nowMs();
      for (const endpoint of endpoints) {
        const types = JSON.parse(endpoint.event_types) as string[];
        if (!types.includes('*') && !types.includes(event.type)) continue;
        await insertDelivery(
          trx,
          newDelivery(now, {
            endpoint,
            eventId: event.id,
            type: event.type,
            data: eventData(event),
            atMs: Number(event.created_at_ms),
          }),
        );
      }
    },
  };
}
