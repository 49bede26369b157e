import { type Kysely, type Selectable, sql } from 'kysely';
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
 * What provisioning reads and writes of a service (below): its account on a panel, and the
 * state a lifecycle job leaves it in.
 */
export function findServiceForProvisioning(db: Kysely<Database>, serviceId: string) {
  return db
    .selectFrom('services')
    .innerJoin('products', 'products.id', 'services.product_id')
    .innerJoin('clients', 'clients.id', 'services.client_id')
    .select([
      'services.id',
      'services.client_id',
      'services.status',
      'services.domain',
      'services.server_id',
      'services.panel_username',
      'services.panel_password_sealed',
      'services.product_id',
      'services.billing_cycle',
      'products.panel_package',
      'products.server_group',
      'products.features',
      'clients.email',
      'clients.name',
    ])
    .where('services.id', '=', serviceId)
    .executeTakeFirst();
}

/** What an admin's lifecycle action checks before it queues a job. */
export function findServiceState(db: Kysely<Database>, serviceId: string) {
  return db
    .selectFrom('services')
    .select(['id', 'client_id', 'server_id', 'status', 'panel_username'])
    .where('id', '=', serviceId)
    .executeTakeFirst();
}

/** Services on each of these servers that count against its capacity (pending, active, suspended). */
export async function countPlacedServices(db: Kysely<Database>, serverIds: string[]): Promise<Map<string, number>> {
  const counts = await db
    .selectFrom('services')
    .select(['server_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('server_id', 'in', serverIds)
    .where('status', 'in', ['pending', 'active', 'suspended'])
    .groupBy('server_id')
    .execute();
  return new Map(counts.map((c) => [c.server_id as string, Number(c.n)]));
}

/** Services that still live on a server (anything not terminated or cancelled). */
export async function countLiveServices(db: Kysely<Database>, serverId: string): Promise<number> {
  const row = await db
    .selectFrom('services')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('server_id', '=', serverId)
    .where('status', 'not in', ['terminated', 'cancelled'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Whether another service on the server (not `exceptServiceId`) has this panel username. */
export async function isPanelUsernameTaken(
  db: Kysely<Database>,
  options: { serverId: string; username: string; exceptServiceId?: string },
): Promise<boolean> {
  let query = db
    .selectFrom('services')
    .select('id')
    .where('server_id', '=', options.serverId)
    .where('panel_username', '=', options.username);
  if (options.exceptServiceId) query = query.where('id', '!=', options.exceptServiceId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** The server a new account goes to, counted against its capacity from now on. */
export async function assignServiceServer(db: Kysely<Database>, id: string, serverId: string, nowMs: number) {
  await db.updateTable('services').set({ server_id: serverId, updated_at_ms: nowMs }).where('id', '=', id).execute();
}

/** The account chosen for a service: its server, panel username and sealed password. */
export async function setServiceAccount(
  db: Kysely<Database>,
  id: string,
  account: { serverId: string; username: string; passwordSealed: string; nowMs: number },
) {
  await db
    .updateTable('services')
    .set({
      server_id: account.serverId,
      panel_username: account.username,
      panel_password_sealed: account.passwordSealed,
      updated_at_ms: account.nowMs,
    })
    .where('id', '=', id)
    .execute();
}

/** What a lifecycle job changes on a service when it succeeds: its status, and what came with it. */
export type ServiceOutcome = { status: ServiceStatus } & Partial<
  Pick<
    ServiceRecord,
    | 'next_due_at_ms'
    | 'billing_anchor_ms'
    | 'product_id'
    | 'panel_password_sealed'
    | 'panel_password_revealed_at_ms'
    | 'suspension_reason'
    | 'terminated_at_ms'
  >
>;

export async function recordServiceOutcome(db: Kysely<Database>, id: string, outcome: ServiceOutcome, nowMs: number) {
  await db
    .updateTable('services')
    .set({ ...outcome, updated_at_ms: nowMs })
    .where('id', '=', id)
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

/**
 * A paid period moves the due date to its end (never back: paying an older period after a newer
 * one changes nothing). True when it moved.
 */
export async function advanceServiceDue(
  db: Kysely<Database>,
  id: string,
  periodEndMs: number,
  nowMs: number,
): Promise<boolean> {
  const moved = await db
    .updateTable('services')
    .set({ next_due_at_ms: periodEndMs, updated_at_ms: nowMs })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('next_due_at_ms', 'is', null), eb('next_due_at_ms', '<', periodEndMs)]))
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** `advanceServiceDue` for several services at once (one statement per 500). */
export async function advanceServicesDue(
  db: Kysely<Database>,
  moves: { id: string; periodEndMs: number }[],
  nowMs: number,
): Promise<void> {
  for (let i = 0; i < moves.length; i += 500) {
    const chunk = moves.slice(i, i + 500);
    const end = sql<number>`case ${sql.ref('id')} ${sql.join(
      chunk.map((m) => sql`when ${m.id} then cast(${m.periodEndMs} as bigint)`),
      sql` `,
    )} end`;
    await db
      .updateTable('services')
      .set({ next_due_at_ms: end, updated_at_ms: nowMs })
      .where(
        'id',
        'in',
        chunk.map((m) => m.id),
      )
      .where((eb) => eb.or([eb('next_due_at_ms', 'is', null), eb('next_due_at_ms', '<', end)]))
      .execute();
  }
}

/** What billing reads of one service: its price, cycle, periods and state. */
export function findServiceBilling(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('services')
    .innerJoin('products', 'products.id', 'services.product_id')
    .select([
      'services.id',
      'services.client_id',
      'services.product_id',
      'products.name as product_name',
      'products.category_id',
      'services.domain',
      'services.status',
      'services.server_id',
      'services.billing_cycle',
      'services.next_billing_cycle',
      'services.amount_minor',
      'services.currency',
      'services.next_due_at_ms',
      'services.billing_anchor_ms',
      'services.suspension_reason',
      'services.cancellation_type',
    ])
    .where('services.id', '=', id)
    .executeTakeFirst();
}

/** An admin's change of a service's recurring amount and/or next due date. */
export async function setServiceBilling(
  db: Kysely<Database>,
  id: string,
  changes: { amount_minor?: number; next_due_at_ms?: number },
  nowMs: number,
): Promise<void> {
  await db
    .updateTable('services')
    .set({ ...changes, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}

/** A product change takes effect: the service's product and its recurring amount from now on. */
export async function changeServiceProduct(
  db: Kysely<Database>,
  id: string,
  change: { productId: string; amountMinor: number },
  nowMs: number,
): Promise<void> {
  await db
    .updateTable('services')
    .set({ product_id: change.productId, amount_minor: change.amountMinor, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}

/** The billing cycle the next renewal switches to; null withdraws a pending change. */
export async function setNextBillingCycle(
  db: Kysely<Database>,
  id: string,
  cycle: ServicesTable['next_billing_cycle'],
  nowMs: number,
): Promise<void> {
  await db
    .updateTable('services')
    .set({ next_billing_cycle: cycle, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}

/**
 * Takes the service's row for the caller's transaction (a no-op write): a second request changing
 * the same service waits until this one commits, then sees what it did.
 */
export async function lockServiceRow(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('services')
    .set((eb) => ({ updated_at_ms: eb.ref('updated_at_ms') }))
    .where('id', '=', id)
    .execute();
}

/**
 * One window of the services the billing run renews: of the next `limit` services by id, those
 * active or suspended, not cancelled at the end of their period, due by `dueByMs`. `next` is
 * where the following window starts, null after the last one. A window may hold none.
 *
 * Windows of the primary key rather than pages of the filtered rows: a page of filtered rows
 * lets the planner choose how to find them, and PostgreSQL (which cannot estimate the filter)
 * read and sorted every remaining service for each page — 61 ms a page at 100,000 services,
 * quadratic over the run — where a window reads `limit` index entries and `limit` rows.
 */
export async function listRenewableServices(
  db: Kysely<Database>,
  options: { afterId: string | null; dueByMs: number; limit: number },
) {
  let edge = db.selectFrom('services').select('id');
  if (options.afterId) edge = edge.where('id', '>', options.afterId);
  const last = await edge
    .orderBy('id')
    .limit(1)
    .offset(options.limit - 1)
    .executeTakeFirst();
  let query = db
    .selectFrom('services')
    .innerJoin('products', 'products.id', 'services.product_id')
    .select([
      'services.id',
      'services.client_id',
      'services.product_id',
      'products.name as product_name',
      'services.domain',
      'services.status',
      'services.billing_cycle',
      'services.next_billing_cycle',
      'services.amount_minor',
      'services.currency',
      'services.next_due_at_ms',
      'services.billing_anchor_ms',
      'services.suspension_reason',
    ])
    // The expressions keep SQLite's planner off services_due, which would read every due service.
    .where(sql<string>`(services.status || '')`, 'in', ['active', 'suspended'])
    .where(sql<number>`services.next_due_at_ms + 0`, '<=', options.dueByMs)
    .where((eb) =>
      eb.or([eb('services.cancellation_type', 'is', null), eb('services.cancellation_type', '!=', 'end_of_period')]),
    );
  if (options.afterId) query = query.where('services.id', '>', options.afterId);
  if (last) query = query.where('services.id', '<=', last.id);
  const services = await query.orderBy('services.id').execute();
  return { services, next: last?.id ?? null };
}

/** A billing-cycle change taking effect: the new cycle, its anchor and its price; the pending change cleared. */
export async function applyServiceCycleChange(
  db: Kysely<Database>,
  id: string,
  change: { cycle: ServiceRecord['billing_cycle']; anchorMs: number; amountMinor: number },
  nowMs: number,
): Promise<void> {
  await db
    .updateTable('services')
    .set({
      billing_cycle: change.cycle,
      billing_anchor_ms: change.anchorMs,
      amount_minor: change.amountMinor,
      next_billing_cycle: null,
      updated_at_ms: nowMs,
    })
    .where('id', '=', id)
    .execute();
}

/** Why a service is being suspended ('overdue', an admin's reason), or null to clear it. */
export async function setSuspensionReason(db: Kysely<Database>, id: string, reason: string | null, nowMs: number) {
  await db
    .updateTable('services')
    .set({ suspension_reason: reason, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}

/** A pending service whose order was cancelled: cancelled (it never had an account). */
export async function cancelPendingService(db: Kysely<Database>, id: string, nowMs: number): Promise<boolean> {
  const done = await db
    .updateTable('services')
    .set({ status: 'cancelled', updated_at_ms: nowMs })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/**
 * One page (keyset by id) of services cancelled at the end of their period whose period has
 * ended by `atMs` and that still run: the billing run terminates them.
 */
export function listEndedCancellations(
  db: Kysely<Database>,
  options: { atMs: number; afterId: string | null; limit: number },
) {
  let query = db
    .selectFrom('services')
    .select(['id', 'client_id', 'server_id', 'next_due_at_ms'])
    .where('cancellation_type', '=', 'end_of_period')
    // The primary key walk, as in listRenewableServices.
    .where(sql<string>`(status || '')`, 'in', ['active', 'suspended'])
    .where(sql<number>`next_due_at_ms + 0`, '<=', options.atMs);
  if (options.afterId) query = query.where('id', '>', options.afterId);
  return query.orderBy('id').limit(options.limit).execute();
}

/** The admin's list orders: newest (default) or oldest first, by next due date, by domain. */
export const ADMIN_SERVICE_SORTS = ['newest', 'oldest', 'due', '-due', 'domain'] as const;
export type AdminServiceSort = (typeof ADMIN_SERVICE_SORTS)[number];

export interface AdminServiceFilter {
  q?: string | undefined;
  status?: ServiceStatus | undefined;
  productId?: string | undefined;
  serverId?: string | undefined;
  clientId?: string | undefined;
  dueBeforeMs?: number | undefined;
  dueFromMs?: number | undefined;
  sort: AdminServiceSort;
  limit: number;
  offset: number;
}

function adminServices(db: Kysely<Database>) {
  return db
    .selectFrom('services')
    .innerJoin('products', 'products.id', 'services.product_id')
    .innerJoin('clients', 'clients.id', 'services.client_id')
    .leftJoin('servers', 'servers.id', 'services.server_id')
    .selectAll('services')
    .select([
      'products.name as product_name',
      'clients.name as client_name',
      'clients.email as client_email',
      'servers.name as server_name',
    ]);
}
export type AdminServiceRow = Awaited<ReturnType<ReturnType<typeof adminServices>['executeTakeFirstOrThrow']>>;

/** Every client's services for the admin: `q` matches part of the domain, panel username or client email. */
export function listServicesForAdmin(db: Kysely<Database>, f: AdminServiceFilter): Promise<AdminServiceRow[]> {
  let query = adminServices(db);
  if (f.q) {
    const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(services.domain)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(services.panel_username)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(clients.email)`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  if (f.status) query = query.where('services.status', '=', f.status);
  if (f.productId) query = query.where('services.product_id', '=', f.productId);
  if (f.serverId) query = query.where('services.server_id', '=', f.serverId);
  if (f.clientId) query = query.where('services.client_id', '=', f.clientId);
  if (f.dueBeforeMs !== undefined) query = query.where('services.next_due_at_ms', '<', f.dueBeforeMs);
  if (f.dueFromMs !== undefined) query = query.where('services.next_due_at_ms', '>=', f.dueFromMs);
  switch (f.sort) {
    case 'oldest':
      query = query.orderBy('services.created_at_ms', 'asc');
      break;
    case 'due':
      query = query.orderBy(sql`services.next_due_at_ms is null`).orderBy('services.next_due_at_ms', 'asc');
      break;
    case '-due':
      query = query.orderBy(sql`services.next_due_at_ms is null`).orderBy('services.next_due_at_ms', 'desc');
      break;
    case 'domain':
      query = query.orderBy(sql`services.domain is null`).orderBy('services.domain', 'asc');
      break;
    default:
      query = query.orderBy('services.created_at_ms', 'desc');
      break;
  }
  return query
    .orderBy('services.id', f.sort === 'oldest' ? 'asc' : 'desc')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
}

export function findServiceForAdmin(db: Kysely<Database>, id: string): Promise<AdminServiceRow | undefined> {
  return adminServices(db).where('services.id', '=', id).executeTakeFirst();
}
