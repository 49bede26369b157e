import type { AppContext } from '../app-context.js';
import { localDate } from '../billing/calendar.js';
import { listServiceInvoices } from '../invoices/store.js';
import { iso } from '../platform/http/checks.js';
import { notFound } from '../platform/http/errors.js';
import { toService } from './services.js';
import { type AdminServiceFilter, type AdminServiceRow, findServiceForAdmin, listServicesForAdmin } from './store.js';

/** A service as the admin sees it: the client's view plus who owns it, where it runs and why it is suspended. */
export function toAdminService(row: AdminServiceRow) {
  return {
    ...toService(row),
    client: { id: row.client_id, name: row.client_name, email: row.client_email },
    server: row.server_id ? { id: row.server_id, name: row.server_name ?? row.server_id } : null,
    suspension_reason: row.suspension_reason,
    order_id: row.order_id,
    terminated_at: iso(row.terminated_at_ms),
    updated_at: iso(row.updated_at_ms),
  };
}

/** One page of every client's services; one more row is read to know whether another page follows. */
export async function pageAdminServices(app: Pick<AppContext, 'db'>, filter: AdminServiceFilter) {
  const rows = await listServicesForAdmin(app.db.kysely, { ...filter, limit: filter.limit + 1 });
  return {
    items: rows.slice(0, filter.limit).map(toAdminService),
    next_offset: rows.length > filter.limit ? filter.offset + filter.limit : null,
  };
}

export async function adminServiceDetail(app: Pick<AppContext, 'db' | 'settings'>, id: string) {
  const row = await findServiceForAdmin(app.db.kysely, id);
  if (!row) throw notFound(`Service ${id}`);
  const invoices = await listServiceInvoices(app.db.kysely, id, 50);
  const due = row.next_due_at_ms === null ? null : Number(row.next_due_at_ms);
  return {
    ...toAdminService(row),
    // The day the price form shows and takes (PATCH …/billing reads it in the same zone).
    next_due_date: due === null ? null : localDate(due, app.settings.snapshot['billing.time_zone']),
    invoices: invoices.map((i) => ({
      id: i.id,
      number: i.number,
      status: i.status,
      kind: i.kind,
      total_minor: i.total_minor,
      currency: i.currency,
      issued_at: iso(i.issued_at_ms),
      due_at: iso(i.due_at_ms),
    })),
  };
}
