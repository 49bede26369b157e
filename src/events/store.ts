import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, EventDeliveriesTable, EventsTable } from '../platform/db/schema.js';

/** The outbox's SQL: events, their deliveries to each consumer, claims under a lease. */
export type EventRow = Selectable<EventsTable>;
export type DeliveryRow = Selectable<EventDeliveriesTable>;

/** Inserts the event unless one with its dedupe key exists; true when this call inserted it. */
export async function insertEvent(db: Kysely<Database>, row: Insertable<EventsTable>): Promise<boolean> {
  const result = await db
    .insertInto('events')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function insertDeliveries(db: Kysely<Database>, rows: Insertable<EventDeliveriesTable>[]): Promise<void> {
  if (rows.length) await db.insertInto('event_deliveries').values(rows).execute();
}

export function findEvent(db: Kysely<Database>, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listEvents(
  db: Kysely<Database>,
  filter: { clientId?: string | undefined; type?: string | undefined; afterId?: string | undefined; limit: number },
): Promise<EventRow[]> {
  let q = db.selectFrom('events').selectAll();
  if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
  if (filter.type) q = q.where('type', '=', filter.type);
  if (filter.afterId) q = q.where('id', '>', filter.afterId);
  return q.orderBy('id').limit(filter.limit).execute();
}

export function findDelivery(db: Kysely<Database>, consumer: string, eventId: string) {
  return db
    .selectFrom('event_deliveries')
    .selectAll()
    .where('consumer', '=', consumer)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

/**
 * Claims one due delivery of a consumer: pending and due, or running under an expired lease (a
 * dead worker's). PostgreSQL skips rows another worker is claiming; SQLite has one writer.
 */
export async function claimDelivery(
  db: Kysely<Database>,
  options: { dialect: 'sqlite' | 'postgres'; consumer: string; owner: string; nowMs: number; leaseMs: number },
): Promise<DeliveryRow | undefined> {
  const { consumer, owner, nowMs, leaseMs } = options;
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('event_deliveries')
      .selectAll()
      .where('consumer', '=', consumer)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'pending'), eb('run_after_ms', '<=', nowMs)]),
          eb.and([eb('state', '=', 'running'), eb('lease_expires_at_ms', '<', nowMs)]),
        ]),
      )
      .orderBy('run_after_ms')
      .orderBy('event_id')
      .limit(10);
    if (options.dialect === 'postgres') query = query.forUpdate().skipLocked();
    for (const d of await query.execute()) {
      const result = await trx
        .updateTable('event_deliveries')
        .set({
          state: 'running',
          lease_owner: owner,
          lease_expires_at_ms: nowMs + leaseMs,
          attempts: d.attempts + 1,
          updated_at_ms: nowMs,
        })
        .where('consumer', '=', consumer)
        .where('event_id', '=', d.event_id)
        .where('updated_at_ms', '=', d.updated_at_ms)
        .where('state', '=', d.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        return {
          ...d,
          state: 'running' as const,
          lease_owner: owner,
          lease_expires_at_ms: nowMs + leaseMs,
          attempts: d.attempts + 1,
          updated_at_ms: nowMs,
        };
      }
    }
    return undefined;
  });
}

/** Ends a claimed delivery (done, failed, or back to pending later); false when the lease was lost. */
export async function finishDelivery(
  db: Kysely<Database>,
  d: Pick<DeliveryRow, 'consumer' | 'event_id'>,
  owner: string,
  changes: Partial<Pick<DeliveryRow, 'state' | 'run_after_ms' | 'last_error' | 'finished_at_ms'>> & {
    updated_at_ms: number;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('event_deliveries')
    .set({ ...changes, lease_owner: null, lease_expires_at_ms: null })
    .where('consumer', '=', d.consumer)
    .where('event_id', '=', d.event_id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
