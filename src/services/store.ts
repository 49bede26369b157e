import type { Kysely, Selectable } from 'kysely';
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
  let query = base(db).where('services.client_id', '=', options.clientId);
  if (options.afterId) query = query.where('services.id', '<', options.afterId);
  if (options.status) query = query.where('services.status', '=', options.status);
  return query.orderBy('services.id', 'desc').limit(options.limit).execute();
}

export function findClientService(db: Kysely<Database>, clientId: string, id: string): Promise<ServiceRow | undefined> {
  return base(db).where('services.id', '=', id).where('services.client_id', '=', clientId).executeTakeFirst();
}

export async function insertService(db: Kysely<Database>, row: Selectable<ServicesTable>): Promise<void> {
  await db.insertInto('services').values(row).execute();
}
