import { call, session, url } from '../api.js';
import { badge, confirmAction, el, errorText, facts, money, show, table, toast, when } from '../dom.js';
import { filterForm, link, pager, selectField, sortField, textField } from '../nav.js';
import { billingNav } from './orders.js';

const STATUSES = ['unpaid', 'paid', 'cancelled', 'refunded'] as const;
const KINDS = ['order', 'renewal', 'upgrade', 'funds', 'manual'] as const;

function pick<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const v = q.get(name);
  return v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

export async function invoicesPage(query: URLSearchParams): Promise<void> {
  const get = (name: string) => query.get(name) || undefined;
  const page = await call('GET', '/invoices', {
    query: {
      status: pick(query, 'status', STATUSES),
      kind: pick(query, 'kind', KINDS),
      number: get('number'),
      client_id: get('client_id'),
      issued_from: get('issued_from'),
      issued_to: get('issued_to'),
      overdue: query.get('overdue') === 'true' ? true : undefined,
      cursor: get('cursor'),
      sort: query.get('sort') === 'oldest' ? 'oldest' : undefined,
      limit: 20,
    },
  });
  const overdue = el(
    'select',
    { name: 'overdue' },
    el('option', { value: '', text: 'Any' }),
    el('option', { value: 'true', text: 'Overdue only', selected: query.get('overdue') === 'true' }),
  );
  show(
    'Invoices',
    billingNav('#/invoices'),
    filterForm('/invoices', 'Filter invoices', [
      textField('number', 'Number', query.get('number')),
      selectField('status', 'Status', STATUSES, query.get('status')),
      selectField('kind', 'Kind', KINDS, query.get('kind')),
      el('label', {}, 'Due', overdue),
      textField('issued_from', 'Issued from', query.get('issued_from'), 'date'),
      textField('issued_to', 'Issued before', query.get('issued_to'), 'date'),
      textField('client_id', 'Client id', query.get('client_id')),
      sortField(query.get('sort')),
    ]),
    table(
      'Invoices',
      ['Number', 'Client', 'Kind', 'Status', 'Total', 'Issued', 'Due'],
      page.items.map((i) => [
        link(`#/invoices/${i.id}`, i.number),
        link(`#/clients/${i.client_id}`, i.client_name),
        i.kind,
        badge(i.status),
        money(i.total_minor, i.currency),
        when(i.issued_at),
        when(i.due_at),
      ]),
      { 'data-list': 'invoices' },
    ),
    pager('/invoices', query, page.next_cursor),
  );
}

export async function invoicePage(id: string): Promise<void> {
  const inv = await call('GET', '/invoices/{id}', { params: { id } });
  const reload = () => invoicePage(id);
  const left = inv.total_minor - inv.refunded_minor;
  const act = async (run: () => Promise<unknown>, done: string) => {
    try {
      await run();
      toast(done);
      await reload();
    } catch (e) {
      toast(errorText(e));
    }
  };
  const refundAmount = el('input', {
    name: 'amount',
    inputmode: 'decimal',
    'aria-label': `Amount to refund in ${inv.currency} (empty: all that is left)`,
  });
  // Payments, voids and refunds are for roles with the invoices permission; everyone may download.
  const mayBill = session.may('invoices');
  const actions = el(
    'div',
    { class: 'row actions' },
    el('a', { class: 'button secondary', href: url('/invoices/{id}/pdf', { id }), text: 'Download PDF' }),
    mayBill && inv.status === 'unpaid'
      ? el('button', {
          type: 'button',
          class: 'primary',
          text: 'Mark paid',
          onclick: async () => {
            const ok = await confirmAction({
              title: `Mark ${inv.number} paid?`,
              message: `Records a payment of ${money(inv.total_minor, inv.currency)} received outside Portico; what the invoice pays for (an order, a renewal) follows.`,
              confirm: 'Mark paid',
            });
            if (ok !== null)
              await act(
                () => call('POST', '/invoices/{id}/mark-paid', { params: { id } }),
                `${inv.number} marked paid.`,
              );
          },
        })
      : null,
    mayBill && inv.status === 'unpaid'
      ? el('button', {
          type: 'button',
          class: 'danger',
          text: 'Void',
          onclick: async () => {
            const reason = await confirmAction({
              title: `Void ${inv.number}?`,
              message: 'The invoice is cancelled and can no longer be paid.',
              confirm: 'Void invoice',
              reason: 'required',
            });
            if (reason)
              await act(
                () => call('POST', '/invoices/{id}/void', { params: { id }, body: { reason } }),
                `${inv.number} voided.`,
              );
          },
        })
      : null,
    mayBill && inv.status === 'paid' && left > 0
      ? el(
          'form',
          {
            class: 'row',
            'aria-label': 'Refund',
            onsubmit: (e: Event) => {
              e.preventDefault();
              void (async () => {
                const digits =
                  new Intl.NumberFormat('en', { style: 'currency', currency: inv.currency }).resolvedOptions()
                    .maximumFractionDigits ?? 2;
                const amount = refundAmount.value ? Math.round(Number(refundAmount.value) * 10 ** digits) : left;
                if (!Number.isFinite(amount) || amount <= 0 || amount > left) {
                  toast(`Enter an amount up to ${money(left, inv.currency)}, or leave it empty to refund all of it.`);
                  return;
                }
                const reason = await confirmAction({
                  title: `Refund ${money(amount, inv.currency)}?`,
                  message: `The amount goes back to ${inv.client_name}'s credit.`,
                  confirm: 'Refund',
                  reason: 'required',
                });
                if (reason)
                  await act(
                    () =>
                      call('POST', '/invoices/{id}/refunds', {
                        params: { id },
                        body: { amount_minor: amount, reason },
                      }),
                    `Refunded ${money(amount, inv.currency)}.`,
                  );
              })();
            },
          },
          refundAmount,
          el('button', { type: 'submit', class: 'secondary', text: 'Refund' }),
        )
      : null,
  );
  show(
    `Invoice ${inv.number}`,
    el('p', {}, link('#/invoices', '← Invoices')),
    el('div', { class: 'row' }, badge(inv.status), el('span', { class: 'muted', text: inv.kind })),
    actions,
    facts([
      ['Client', link(`#/clients/${inv.client_id}`, `${inv.client_name} (${inv.client_email})`)],
      ['Issued', when(inv.issued_at)],
      ['Due', when(inv.due_at)],
      ['Paid', when(inv.paid_at)],
      ['Subtotal', money(inv.subtotal_minor, inv.currency)],
      [inv.tax_name ? `${inv.tax_name} (${inv.tax_rate_bp / 100}%)` : 'Tax', money(inv.tax_minor, inv.currency)],
      ['Total', el('strong', { text: money(inv.total_minor, inv.currency) })],
      ['Refunded', money(inv.refunded_minor, inv.currency)],
      ...(inv.cancelled_at
        ? ([['Voided', `${when(inv.cancelled_at)}: ${inv.cancel_reason ?? ''}`]] as [string, string][])
        : []),
      ...(inv.notes ? ([['Notes', inv.notes]] as [string, string][]) : []),
    ]),
    el('h2', { text: 'Items' }),
    table(
      'Items',
      ['Description', 'Kind', 'Period', 'Amount'],
      inv.items.map((i) => [
        i.service_id ? link(`#/services/${i.service_id}`, i.description) : i.description,
        i.kind,
        i.period_start ? `${when(i.period_start).slice(0, 10)} – ${when(i.period_end).slice(0, 10)}` : '—',
        money(i.amount_minor, inv.currency),
      ]),
    ),
    el('h2', { text: 'Payments' }),
    table(
      'Payments',
      ['When', 'Kind', 'Method', 'Amount', 'Reference'],
      inv.payments.map((p) => [
        when(p.at),
        p.kind,
        p.method.replace('_', ' '),
        money(p.amount_minor, p.currency),
        p.reference ?? '—',
      ]),
    ),
  );
}
