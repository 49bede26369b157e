// Orders and payments: the lists beside Invoices in the billing section (Admin API GET /orders,
// GET /payments), each filtered and paged on the server.
import { call } from '../api.js';
import { badge, el, money, show, table, when } from '../dom.js';
import { filterForm, link, pager, queryChoice, selectField, sortField, subNav, textField } from '../nav.js';

const BILLING_PAGES = [
  ['#/invoices', 'Invoices'],
  ['#/orders', 'Orders'],
  ['#/payments', 'Payments'],
] as const;

export const billingNav = (current: '#/invoices' | '#/orders' | '#/payments') =>
  subNav('Billing pages', BILLING_PAGES, current);

const ORDER_STATUSES = ['pending', 'active', 'cancelled'] as const;
const METHODS = ['credit', 'bank_transfer', 'stripe', 'admin'] as const;
const KINDS = ['payment', 'refund'] as const;

export async function ordersPage(query: URLSearchParams): Promise<void> {
  const page = await call('GET', '/orders', {
    query: {
      client: query.get('client') || undefined,
      status: queryChoice(query, 'status', ORDER_STATUSES),
      sort: query.get('sort') === 'oldest' ? 'oldest' : undefined,
      cursor: query.get('cursor') || undefined,
      limit: 20,
    },
  });
  show(
    'Orders',
    billingNav('#/orders'),
    filterForm('/orders', 'Filter orders', [
      textField('client', 'Client (id or email)', query.get('client')),
      selectField('status', 'Status', ORDER_STATUSES, query.get('status')),
      sortField(query.get('sort')),
    ]),
    table(
      'Orders',
      ['Ordered', 'Client', 'Product', 'Domain', 'Status', 'Invoice', 'Total'],
      page.items.map((o) => [
        when(o.created_at),
        link(`#/clients/${o.client_id}`, o.client_name),
        `${o.product_name} (${o.billing_cycle})`,
        o.domain ? link(`#/services/${o.service_id}`, o.domain) : link(`#/services/${o.service_id}`, 'service'),
        badge(o.status),
        el('span', {}, link(`#/invoices/${o.invoice_id}`, o.invoice_number), ' ', badge(o.invoice_status)),
        money(o.total_minor, o.currency),
      ]),
      { 'data-list': 'orders' },
    ),
    pager('/orders', query, page.next_cursor),
  );
}

export async function paymentsPage(query: URLSearchParams): Promise<void> {
  const page = await call('GET', '/payments', {
    query: {
      client: query.get('client') || undefined,
      method: queryChoice(query, 'method', METHODS),
      kind: queryChoice(query, 'kind', KINDS),
      from: query.get('from') || undefined,
      to: query.get('to') || undefined,
      cursor: query.get('cursor') || undefined,
      limit: 20,
    },
  });
  show(
    'Payments',
    billingNav('#/payments'),
    filterForm('/payments', 'Filter payments', [
      textField('client', 'Client (id or email)', query.get('client')),
      selectField('method', 'Method', METHODS, query.get('method')),
      selectField('kind', 'Kind', KINDS, query.get('kind')),
      textField('from', 'From', query.get('from'), 'date'),
      textField('to', 'To', query.get('to'), 'date'),
    ]),
    table(
      'Payments',
      ['When', 'Client', 'Invoice', 'Kind', 'Method', 'Amount', 'Reference'],
      page.items.map((p) => [
        when(p.at),
        link(`#/clients/${p.client_id}`, p.client_name),
        link(`#/invoices/${p.invoice_id}`, p.invoice_number),
        badge(p.kind),
        p.method.replaceAll('_', ' '),
        p.kind === 'refund' ? `−${money(p.amount_minor, p.currency)}` : money(p.amount_minor, p.currency),
        p.reference ?? p.provider_ref ?? '',
      ]),
      { 'data-list': 'payments' },
    ),
    pager('/payments', query, page.next_cursor),
  );
}
