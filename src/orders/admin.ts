import type { AppContext } from '../app-context.js';
import { addDays } from '../billing/calendar.js';
import { clientFilter } from '../clients/admin.js';
import { parseDay } from '../invoices/admin.js';
import type { OrdersTable, PaymentsTable } from '../platform/db/schema.js';
import { decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { listOrdersForAdmin, listPaymentsForAdmin } from './store.js';

/** Orders and payments as the back office lists them (Admin API `GET /orders`, `GET /payments`). */
type Deps = Pick<AppContext, 'db' | 'settings'>;

export async function listOrdersAdmin(
  deps: Deps,
  q: {
    limit: number;
    cursor?: string | undefined;
    client?: string | undefined;
    status?: OrdersTable['status'] | undefined;
    oldestFirst?: boolean | undefined;
  },
) {
  const rows = await listOrdersForAdmin(deps.db.kysely, {
    clientId: await clientFilter(deps, q.client),
    status: q.status,
    afterId: decodeCursor(q.cursor, 'order'),
    oldestFirst: q.oldestFirst,
    limit: q.limit + 1,
  });
  return toPage(rows, q.limit, (r) => ({
    id: r.id,
    status: r.status,
    client_id: r.client_id,
    client_name: r.client_name,
    client_email: r.client_email,
    product_id: r.product_id,
    product_name: r.product_name,
    billing_cycle: r.billing_cycle,
    domain: r.domain,
    invoice_id: r.invoice_id,
    invoice_number: r.invoice_number,
    invoice_status: r.invoice_status,
    total_minor: Number(r.total_minor),
    currency: r.currency,
    service_id: r.service_id,
    created_at: iso(Number(r.created_at_ms)),
    cancelled_at: r.cancelled_at_ms === null ? null : iso(Number(r.cancelled_at_ms)),
  }));
}

export async function listPaymentsAdmin(
  deps: Deps,
  q: {
    limit: number;
    cursor?: string | undefined;
    client?: string | undefined;
    method?: PaymentsTable['method'] | undefined;
    kind?: PaymentsTable['kind'] | undefined;
    from?: string | undefined;
    to?: string | undefined;
  },
) {
  const zone = deps.settings.snapshot['billing.time_zone'];
  const to = q.to ? parseDay(q.to, zone, 'query.to') : undefined;
  const rows = await listPaymentsForAdmin(deps.db.kysely, {
    clientId: await clientFilter(deps, q.client),
    method: q.method,
    kind: q.kind,
    fromMs: q.from ? parseDay(q.from, zone, 'query.from') : undefined,
    // `to` is inclusive: the whole day.
    toMs: to === undefined ? undefined : addDays(to, 1, zone),
    afterId: decodeCursor(q.cursor, 'payment'),
    limit: q.limit + 1,
  });
  return toPage(rows, q.limit, (r) => ({
    id: r.id,
    kind: r.kind,
    method: r.method,
    amount_minor: Number(r.amount_minor),
    currency: r.currency,
    at: iso(Number(r.at_ms)),
    reference: r.reference,
    provider_ref: r.provider_ref,
    actor_type: r.actor_type,
    invoice_id: r.invoice_id,
    invoice_number: r.invoice_number,
    client_id: r.client_id,
    client_name: r.client_name,
    client_email: r.client_email,
  }));
}
