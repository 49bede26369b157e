import type { Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { cachedRead, cacheKey } from '../platform/db/read-cache.js';
import type { Database, ServiceStatus } from '../platform/db/schema.js';
import { decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { notFound } from '../platform/http/errors.js';
import type { Service } from './schemas.js';
import { findClientService, listClientServices, type ServiceRow } from './store.js';

export function toService(row: ServiceRow): Static<typeof Service> {
  return {
    id: row.id,
    product_id: row.product_id,
    product_name: row.product_name,
    domain: row.domain,
    status: row.status,
    billing_cycle: row.billing_cycle,
    next_billing_cycle: row.next_billing_cycle,
    amount_minor: row.amount_minor,
    currency: row.currency,
    panel_username: row.panel_username,
    next_due_at: iso(row.next_due_at_ms),
    cancellation:
      row.cancellation_type && row.cancellation_requested_at_ms !== null
        ? {
            type: row.cancellation_type,
            reason: row.cancellation_reason,
            requested_at: iso(row.cancellation_requested_at_ms),
          }
        : null,
    created_at: iso(row.created_at_ms),
  };
}

/**
 * A client's services, newest first, one page at a time. The list is the User API's hottest read,
 * so a page is kept in memory while the database is unchanged (read-cache.ts): any write, here or
 * in another process, means the next request reads it again.
 */
export async function pageServices(
  db: Kysely<Database>,
  options: { clientId: string; limit: number; cursor?: string | undefined; status?: ServiceStatus | undefined },
) {
  const afterId = decodeCursor(options.cursor, 'service');
  const key = cacheKey('services.page', [options.clientId, options.limit, afterId ?? '', options.status ?? '']);
  return cachedRead(db, key, async () => {
    const rows = await listClientServices(db, { ...options, afterId, limit: options.limit + 1 });
    return toPage(rows, options.limit, toService);
  });
}

/** Another client's service is "not found", never "forbidden": ids must not leak across clients. */
export async function getService(db: Kysely<Database>, clientId: string, id: string): Promise<Static<typeof Service>> {
  const row = await findClientService(db, clientId, id);
  if (!row) throw notFound('The service');
  return toService(row);
}
