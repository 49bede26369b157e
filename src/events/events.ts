import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { insertDeliveries, insertEvent } from './store.js';

/**
 * Domain events: what a client or an integration cares about, recorded **in the transaction of
 * the change** (an outbox), so no change is ever without its event and no event without its
 * change.
 *
 * How a consumer reads them: every event gets one `event_deliveries` row per consumer named in
 * `EVENT_CONSUMERS`, written with the event. A consumer registers a handler with the dispatcher
 * (src/events/dispatcher.ts), which claims its due deliveries under a lease (several workers never
 * hold the same one), hands the handler the event and a transaction, and marks the delivery done
 * in that same transaction — so what the handler writes (a mail message, a webhook delivery row)
 * exists exactly once per event. A handler that throws is retried with backoff; after
 * `maxAttempts` the delivery is `failed` with its last error. Work that leaves the process (SMTP,
 * HTTP) belongs in the consumer's own queue, written by the handler, not in the handler itself.
 *
 * A consumer added later sees only events recorded after it was named here; events are kept
 * (`listEvents` reads them in order) for consumers that want to look back.
 */

/** Every consumer of the outbox: each gets its own delivery of every event. */
export const EVENT_CONSUMERS = ['mail', 'webhooks'] as const;
export type EventConsumer = (typeof EVENT_CONSUMERS)[number];

export const EVENT_TYPES = [
  'client.created',
  'invoice.issued',
  'invoice.paid',
  'invoice.reminder',
  'invoice.overdue',
  'payment.failed',
  'service.active',
  'service.suspended',
  'service.unsuspended',
  'service.terminated',
  'service.cancellation_requested',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  /** What makes it one event: a retried job or a repeated run with the same key records nothing. Defaults to the new id. */
  key?: string;
  clientId?: string | null;
  serviceId?: string | null;
  invoiceId?: string | null;
  payload?: Record<string, unknown>;
}

/**
 * Records an event and its deliveries. Call it with the transaction that makes the change.
 * Returns the event id, or null when an event with the same key was recorded before.
 */
export async function recordEvent(trx: Kysely<Database>, nowMs: number, event: NewEvent): Promise<string | null> {
  const id = newId('event', nowMs);
  const inserted = await insertEvent(trx, {
    id,
    type: event.type,
    dedupe_key: event.key ? `${event.type}:${event.key}` : id,
    client_id: event.clientId ?? null,
    service_id: event.serviceId ?? null,
    invoice_id: event.invoiceId ?? null,
    payload: JSON.stringify(event.payload ?? {}),
    created_at_ms: nowMs,
  });
  if (!inserted) return null;
  await insertDeliveries(
    trx,
    EVENT_CONSUMERS.map((consumer) => ({
      consumer,
      event_id: id,
      state: 'pending' as const,
      attempts: 0,
      run_after_ms: nowMs,
      lease_owner: null,
      lease_expires_at_ms: null,
      last_error: null,
      updated_at_ms: nowMs,
      finished_at_ms: null,
    })),
  );
  return id;
}

/** Many events in one transaction (the billing run's batches). */
export async function recordEvents(trx: Kysely<Database>, nowMs: number, events: NewEvent[]): Promise<void> {
  for (const e of events) await recordEvent(trx, nowMs, e);
}

/**
 * A payment attempt that failed (a card declined, a bank transfer returned): the client is told.
 * For payment integrations to call in the transaction that records the failure.
 */
export function recordPaymentFailed(
  trx: Kysely<Database>,
  nowMs: number,
  input: { clientId: string; invoiceId: string; reason: string; attemptId?: string },
): Promise<string | null> {
  return recordEvent(trx, nowMs, {
    type: 'payment.failed',
    ...(input.attemptId ? { key: input.attemptId } : {}),
    clientId: input.clientId,
    invoiceId: input.invoiceId,
    payload: { reason: input.reason },
  });
}

/** An invoice paid (by any method): the receipt. */
export function recordInvoicePaid(
  trx: Kysely<Database>,
  nowMs: number,
  invoice: { id: string; client_id: string; number: string; total_minor: number; currency: string },
  payment: { paymentId: string; method: string },
): Promise<string | null> {
  return recordEvent(trx, nowMs, {
    type: 'invoice.paid',
    key: invoice.id,
    clientId: invoice.client_id,
    invoiceId: invoice.id,
    payload: {
      number: invoice.number,
      totalMinor: invoice.total_minor,
      currency: invoice.currency,
      paymentId: payment.paymentId,
      method: payment.method,
    },
  });
}
