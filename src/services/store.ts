import type { Kysely, Selectable } from 'kysely';
import { prepared } from '../platform/db/prepared.js';
import type { Database, ServiceStatus, ServicesTable } from '../platform/db/schema.js';

/** The services feature's SQL. Every read is scoped to the owning client. */
export type ServiceRow = Selectable<ServicesTable> & { product_name: string };

function base(db: Kysely<Database>) {
  return db
    .selectFrom('services')
    .innerJoin('products', 'products.id', 'services.product_id')
    .selectAll('services')
    .select('products.name as product_name');
}

export function listClientServices(
  db: Kysely<Database>,
  options: { clientId: string; afterId?: string | undefined; status?: ServiceStatus | undefined; limit: number },
): Promise<readonly ServiceRow[]> {
  // The list is the API's hottest read: each filter combination is compiled once (prepared.ts);
  // pageServices keeps whole pages in memory (read-cache.ts).
  const key = `services.list:${options.afterId ? 'after' : ''}:${options.status ? 'status' : ''}`;
  const query = prepared(db, key, (d) => {
    let q = base(d).where('services.client_id', '=', '?');
    if (options.afterId) q = q.where('services.id', '<', '?');
    if (options.status) q = q.where('services.status', '=', '?' as ServiceStatus);
    return q.orderBy('services.id', 'desc').limit(0);
  });
  const params: unknown[] = [options.clientId];
  if (options.afterId) params.push(options.afterId);
  if (options.status) params.push(options.status);
  params.push(options.limit);
  return query(params);
}

export function findClientService(db: Kysely<Database>, clientId: string, id: string): Promise<ServiceRow | undefined> {
  return base(db).where('services.id', '=', id).where('services.client_id', '=', clientId).executeTakeFirst();
}

type ServiceRecord = Selectable<ServicesTable>;
/** A new service: what identifies it and what it costs; everything else starts empty. */
export type NewService = Pick<
  ServiceRecord,
  'id' | 'client_id' | 'product_id' | 'status' | 'billing_cycle' | 'amount_minor' | 'currency' | 'created_at_ms'
> &
  Partial<ServiceRecord>;

export async function insertService(db: Kysely<Database>, service: NewService): Promise<void> {
  await db
    .insertInto('services')
    .values({
      order_id: null,
      server_id: null,
      panel_username: null,
      domain: null,
      next_due_at_ms: null,
      cancellation_type: null,
      cancellation_reason: null,
      cancellation_requested_at_ms: null,
      panel_password_sealed: null,
      panel_password_revealed_at_ms: null,
      updated_at_ms: service.created_at_ms,
      ...service,
    })
    .execute();
}

/**
 * Where a service lives and who owns it: what the hosting routes and the lifecycle actions check
 * before they touch the panel. With clientId, another client's service is not found.
 */
export type ServiceAccount = Pick<ServiceRecord, 'id' | 'client_id' | 'status' | 'server_id' | 'panel_username'>;

export function findServiceAccount(
  db: Kysely<Database>,
  id: string,
  clientId?: string,
): Promise<ServiceAccount | undefined> {
  let query = db
    .selectFrom('services')
    .select(['id', 'client_id', 'status', 'server_id', 'panel_username'])
    .where('id', '=', id);
  if (clientId !== undefined) query = query.where('client_id', '=', clientId);
  return query.executeTakeFirst();
}

/** The pending services among these ids: the ones a payment starts provisioning. */
export function listPendingServices(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Pick<ServiceRecord, 'id' | 'client_id' | 'server_id'>[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('services')
    .select(['id', 'client_id', 'server_id'])
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Uses up the one showing of the panel password: the sealed password when this call is the one
 * that marked it shown, null when it was shown before (or there is none to show).
 */
export async function takePanelPasswordReveal(db: Kysely<Database>, id: string, nowMs: number): Promise<string | null> {
  const row = await db
    .selectFrom('services')
    .select(['panel_password_sealed'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const marked = await db
    .updateTable('services')
    .set({ panel_password_revealed_at_ms: nowMs })
    .where('id', '=', id)
    .where('panel_password_revealed_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(marked.numUpdatedRows) === 1 ? row.panel_password_sealed : null;
}

export async function setCancellation(
  db: Kysely<Database>,
  id: string,
  cancellation: { type: NonNullable<ServiceRecord['cancellation_type']>; reason: string | null },
  nowMs: number,
): Promise<void> {
  await db
    .updateTable('services')
    .set({
      cancellation_type: cancellation.type,
      cancellation_reason: cancellation.reason,
      cancellation_requested_at_ms: nowMs,
      updated_at_ms: nowMs,
    })
    .where('id', '=', id)
    .execute();
}

/** Withdraws an end-of-period cancellation; false when the service has none (an immediate one stays). */
export async function withdrawEndOfPeriodCancellation(
  db: Kysely<Database>,
  id: string,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('services')
    .set({
      cancellation_type: null,
      cancellation_reason: null,
      cancellation_requested_at_ms: null,
      updated_at_ms: nowMs,
    })
    .where('id', '=', id)
    .where('cancellation_type', '=', 'end_of_period')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// For the provisioning worker (placement, credentials, outcomes): the services table's writes and
// the two questions it asks of other services.

/** Changes a service's lifecycle fields (status, server, panel account), stamping updated_at_ms. */
export async function updateServiceState(
  db: Kysely<Database>,
  id: string,
  changes: Partial<
    Pick<ServiceRecord, 'status' | 'server_id' | 'panel_username' | 'panel_password_sealed' | 'next_due_at_ms'>
  >,
  nowMs: number,
): Promise<void> {
  await db
    .updateTable('services')
    .set({ ...changes, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}

/** Another service that holds this panel username on this server, if any (a username is one account). */
export function findOtherServiceWithUsername(
  db: Kysely<Database>,
  where: { serverId: string; username: string; exceptServiceId?: string },
): Promise<{ id: string } | undefined> {
  let query = db
    .selectFrom('services')
    .select('id')
    .where('server_id', '=', where.serverId)
    .where('panel_username', '=', where.username);
  if (where.exceptServiceId !== undefined) query = query.where('id', '!=', where.exceptServiceId);
  return query.executeTakeFirst();
}

/** How many services count against each of these servers' capacity (pending, active or suspended). */
export async function countPlacedServices(
  db: Kysely<Database>,
  serverIds: readonly string[],
): Promise<Map<string, number>> {
  if (serverIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('services')
    .select(['server_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('server_id', 'in', serverIds)
    .where('status', 'in', ['pending', 'active', 'suspended'])
    .groupBy('server_id')
    .execute();
  return new Map(rows.flatMap((r) => (r.server_id === null ? [] : [[r.server_id, Number(r.n)] as const])));
}
