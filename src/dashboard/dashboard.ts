import type { AppContext } from '../app-context.js';
import { iso } from '../platform/http/checks.js';
import {
  countFailedJobs,
  incomeBetween,
  listNewestOrders,
  listPausedServers,
  monthlyRecurring,
  overdueInvoices,
  servicesByStatus,
} from './store.js';

/** The first instant of the UTC month `offset` months from the one holding `ms`. */
export function monthStart(ms: number, offset = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
}

/** The admin area's first page: this month's and last month's income, what is owed, what needs a look. */
export async function dashboard(app: Pick<AppContext, 'db' | 'clock'>, options: { orders: number }) {
  const db = app.db.kysely;
  const now = app.clock.nowMs();
  const thisMonth = monthStart(now);
  const lastMonth = monthStart(now, -1);
  const [income, previous, mrr, overdue, services, failedJobs, paused, orders] = await Promise.all([
    incomeBetween(db, thisMonth, monthStart(now, 1)),
    incomeBetween(db, lastMonth, thisMonth),
    monthlyRecurring(db),
    overdueInvoices(db, now),
    servicesByStatus(db),
    countFailedJobs(db),
    listPausedServers(db),
    listNewestOrders(db, options.orders),
  ]);
  return {
    as_of: iso(now),
    income_this_month: { from: iso(thisMonth), totals: income },
    income_last_month: { from: iso(lastMonth), totals: previous },
    monthly_recurring_revenue: mrr,
    overdue_invoices: overdue,
    services_by_status: services,
    failed_jobs: failedJobs,
    paused_servers: paused.map((s) => ({ name: s.name, reason: s.paused_reason, since: iso(s.paused_at_ms) })),
    newest_orders: orders.map((o) => ({
      id: o.id,
      status: o.status,
      created_at: iso(o.created_at_ms),
      client_id: o.client_id,
      client_name: o.client_name,
      product_name: o.product_name,
      domain: o.domain,
      service_id: o.service_id,
      invoice_id: o.invoice_id,
    })),
  };
}
