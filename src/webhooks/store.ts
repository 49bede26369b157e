import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type {
  Database,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from '../platform/db/schema.js';

/** The webhooks feature's SQL: endpoints, deliveries (a queue claimed under a lease) and attempts. */
export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export async function insertEndpoint(db: Kysely<Database>, row: Insertable<WebhookEndpointsTable>): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

/** A client's endpoint (not deleted); undefined when it is another client's. */
export function findClientEndpoint(db: Kysely<Database>, clientId: string, id: string) {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .where('deleted_at_ms', 'is', null)
    .executeTakeFirst();
}

export function findEndpoint(db: Kysely<Database>, id: string) {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listClientEndpoints(db: Kysely<Database>, clientId: string) {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('deleted_at_ms', 'is', null)
    .orderBy('id')
    .execute();
}

export function countClientEndpoints(db: Kysely<Database>, clientId: string) {
  return db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('client_id', '=', clientId)
    .where('deleted_at_ms', 'is', null)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

/** The enabled endpoints of a client (the consumer picks those subscribed to the event's type). */
export function listEnabledEndpoints(db: Kysely<Database>, clientId: string) {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('state', '=', 'enabled')
    .where('deleted_at_ms', 'is', null)
    .execute();
}

export async function updateEndpoint(
  db: Kysely<Database>,
  id: string,
  changes: Updateable<WebhookEndpointsTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set(changes)
    .where('id', '=', id)
    .where('deleted_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Disables an endpoint unless it is disabled already; true when this call disabled it. */
export async function disableEndpoint(db: Kysely<Database>, id: string, reason: string, nowMs: number) {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ state: 'disabled', disabled_reason: reason, updated_at_ms: nowMs })
    .where('id', '=', id)
    .where('state', '=', 'enabled')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Inserts the delivery unless one with its dedupe key exists; true when this call inserted it. */
export async function insertDelivery(db: Kysely<Database>, row: Insertable<WebhookDeliveriesTable>): Promise<boolean> {
  const result = await db
    .insertInto('webhook_deliveries')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export function findDeliveryById(db: Kysely<Database>, id: string) {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An endpoint's deliveries, newest first, `limit + 1` of them (the extra one says there is more). */
export function listEndpointDeliveries(
  db: Kysely<Database>,
  filter: { endpointId: string; beforeId?: string | undefined; limit: number },
) {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', filter.endpointId);
  if (filter.beforeId) q = q.where('id', '<', filter.beforeId);
  return q
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

export function listAttempts(db: Kysely<Database>, deliveryIds: readonly string[]) {
  if (deliveryIds.length === 0) return Promise.resolve([] as AttemptRow[]);
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('delivery_id')
    .orderBy('attempt')
    .execute();
}

/**
 * Claims one delivery to send: pending and due, or `sending` under an expired lease (a worker that
 * died during an attempt). The claim is the recorded attempt (attempts + 1), committed before the
 * request is made.
 */
export async function claimWebhookDelivery(
  db: Kysely<Database>,
  options: { dialect: 'sqlite' | 'postgres'; owner: string; nowMs: number; leaseMs: number },
): Promise<WebhookDeliveryRow | undefined> {
  const { owner, nowMs, leaseMs } = options;
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'pending'), eb('run_after_ms', '<=', nowMs)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_expires_at_ms', '<', nowMs)]),
        ]),
      )
      .orderBy('run_after_ms')
      .orderBy('id')
      .limit(10);
    if (options.dialect === 'postgres') query = query.forUpdate().skipLocked();
    for (const d of await query.execute()) {
      const changes = {
        state: 'sending' as const,
        lease_owner: owner,
        lease_expires_at_ms: nowMs + leaseMs,
        attempts: d.attempts + 1,
        updated_at_ms: nowMs,
      };
      const result = await trx
        .updateTable('webhook_deliveries')
        .set(changes)
        .where('id', '=', d.id)
        .where('updated_at_ms', '=', d.updated_at_ms)
        .where('state', '=', d.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue;
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: d.id,
          attempt: changes.attempts,
          started_at_ms: nowMs,
          duration_ms: null,
          status: null,
          error: null,
        })
        // A claim after an expired lease repeats the attempt number only if the earlier claim rolled back.
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
        .execute();
      return { ...d, ...changes };
    }
    return undefined;
  });
}

/** Records an attempt's outcome; false when the lease was lost (another worker took the delivery over). */
export async function finishWebhookDelivery(
  db: Kysely<Database>,
  delivery: Pick<WebhookDeliveryRow, 'id' | 'attempts'>,
  owner: string,
  changes: Partial<
    Pick<WebhookDeliveryRow, 'state' | 'run_after_ms' | 'last_status' | 'last_error' | 'finished_at_ms'>
  > & {
    updated_at_ms: number;
  },
  attempt: { duration_ms: number; status: number | null; error: string | null },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('webhook_deliveries')
      .set({ ...changes, lease_owner: null, lease_expires_at_ms: null })
      .where('id', '=', delivery.id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'sending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await trx
      .updateTable('webhook_attempts')
      .set(attempt)
      .where('delivery_id', '=', delivery.id)
      .where('attempt', '=', delivery.attempts)
      .execute();
    return true;
  });
}

/** Gives up the pending deliveries of an endpoint that was disabled or deleted. */
export async function failPendingDeliveries(db: Kysely<Database>, endpointId: string, reason: string, nowMs: number) {
  await db
    .updateTable('webhook_deliveries')
    .set({ state: 'failed', last_error: reason, finished_at_ms: nowMs, updated_at_ms: nowMs })
    .where('endpoint_id', '=', endpointId)
    .where('state', '=', 'pending')
    .execute();
}

/** Puts a failed delivery back in the queue (the client's redelivery); false when it was not failed. */
export async function requeueDelivery(db: Kysely<Database>, id: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ state: 'pending', run_after_ms: nowMs, finished_at_ms: null, updated_at_ms: nowMs })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Endpoints for support staff: every client's (or one client's), newest first, with the owner's email. */
export function listEndpointsForAdmin(
  db: Kysely<Database>,
  filter: { clientId?: string | undefined; state?: 'enabled' | 'disabled' | undefined; limit: number },
) {
  let q = db
    .selectFrom('webhook_endpoints')
    .innerJoin('clients', 'clients.id', 'webhook_endpoints.client_id')
    .selectAll('webhook_endpoints')
    .select('clients.email as client_email')
    .where('webhook_endpoints.deleted_at_ms', 'is', null);
  if (filter.clientId) q = q.where('webhook_endpoints.client_id', '=', filter.clientId);
  if (filter.state) q = q.where('webhook_endpoints.state', '=', filter.state);
  return q.orderBy('webhook_endpoints.id', 'desc').limit(filter.limit).execute();
}
