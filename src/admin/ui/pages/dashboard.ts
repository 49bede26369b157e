import { call } from '../api.js';
import { badge, el, show, table, totals, when } from '../dom.js';
import { link } from '../nav.js';

function tile(title: string, value: string, href: string, detail?: string): HTMLElement {
  return el(
    'li',
    { class: 'tile card' },
    el('a', { href }, el('span', { class: 'tile-title', text: title }), el('strong', { text: value })),
    detail ? el('span', { class: 'muted', text: detail }) : null,
  );
}

/** The figures the business runs on, each a link to the list behind it. */
export async function dashboardPage(): Promise<void> {
  const d = await call('GET', '/dashboard', { query: { orders: 10 } });
  const overdueCount = d.overdue_invoices.reduce((n, t) => n + t.count, 0);
  const services = d.services_by_status.reduce((n, s) => n + s.count, 0);
  show(
    'Dashboard',
    el(
      'ul',
      { class: 'tiles', 'aria-label': 'Figures' },
      tile('Income this month', totals(d.income_this_month.totals), '#/invoices?status=paid'),
      tile('Income last month', totals(d.income_last_month.totals), '#/invoices?status=paid'),
      tile('Monthly recurring revenue', totals(d.monthly_recurring_revenue), '#/services?status=active'),
      tile(
        'Overdue invoices',
        String(overdueCount),
        '#/invoices?overdue=true',
        overdueCount ? totals(d.overdue_invoices) : 'none',
      ),
      tile('Failed jobs', String(d.failed_jobs), '#/jobs?state=failed'),
      tile(
        'Paused servers',
        String(d.paused_servers.length),
        '#/servers',
        d.paused_servers.map((s) => s.name).join(', ') || 'none',
      ),
    ),
    el('h2', { text: 'Services by status' }),
    services
      ? el(
          'ul',
          { class: 'chips' },
          ...d.services_by_status.map((s) =>
            el('li', {}, el('a', { href: `#/services?status=${s.status}` }, badge(s.status), ` ${s.count}`)),
          ),
        )
      : el('p', { class: 'muted', text: 'No services yet.' }),
    el('h2', {}, 'Newest orders ', el('small', {}, link('#/orders', 'all orders →'))),
    table(
      'Newest orders',
      ['Placed', 'Client', 'Product', 'Domain', 'Status', 'Invoice'],
      d.newest_orders.map((o) => [
        when(o.created_at),
        link(`#/clients/${o.client_id}`, o.client_name),
        link(`#/services/${o.service_id}`, o.product_name),
        o.domain ?? '—',
        badge(o.status),
        link(`#/invoices/${o.invoice_id}`, 'Invoice'),
      ]),
    ),
  );
}
