import type { AppContext } from '../app-context.js';
import { requireClient } from '../clients/admin.js';
import { notFound } from '../platform/http/errors.js';
import { findEndpoint, listEndpointsForAdmin } from './store.js';
import { endpointView, pageDeliveries } from './webhooks.js';

/**
 * Client webhooks as support staff see them (Admin API and `portico webhooks`): which URLs a
 * client registered, which are disabled and why, and the delivery log — read only; the client
 * changes their own webhooks through the User API.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'secrets'>;

export async function adminListWebhooks(
  deps: Deps,
  filter: { client?: string | undefined; state?: 'enabled' | 'disabled' | undefined; limit?: number | undefined },
) {
  const clientId = filter.client ? (await requireClient(deps, filter.client)).id : undefined;
  const rows = await listEndpointsForAdmin(deps.db.kysely, {
    clientId,
    state: filter.state,
    limit: filter.limit ?? 100,
  });
  return rows.map((r) => ({ ...endpointView(r), client_id: r.client_id, client_email: r.client_email }));
}

export async function adminWebhookDeliveries(
  deps: Deps,
  id: string,
  query: { limit: number; cursor?: string | undefined },
) {
  const endpoint = await findEndpoint(deps.db.kysely, id);
  if (!endpoint || endpoint.deleted_at_ms !== null) throw notFound(`The webhook ${id}`);
  return pageDeliveries(deps, endpoint.client_id, endpoint.id, query);
}
