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
