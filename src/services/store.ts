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
): Promise<ServiceRow[]> {
  // The list is the API's hottest read: each filter combination is compiled once (prepared.ts).
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

export async function insertService(db: Kysely<Database>, row: Selectable<ServicesTable>): Promise<void> {
  await db.insertInto('services').values(row).execute();
}
