import { call, session, url } from '../api.js';
import {
  badge,
  confirmAction,
  decimalText,
  el,
  facts,
  minorUnits,
  money,
  problemText,
  show,
  table,
  toast,
  when,
} from '../dom.js';
import { filterForm, link, pager, queryChoice, selectField, sortField, textField } from '../nav.js';
import { billingNav } from './orders.js';

const STATUSES = ['unpaid', 'paid', 'cancelled', 'refunded'] as const;
const KINDS = ['order', 'renewal', 'upgrade', 'funds', 'manual'] as const;

export async function invoicesPage(query: URLSearchParams): Promise<void> {
  const get = (name: string) => query.get(name) || undefined;
  const page = await call('GET', '/invoices', {
    query: {
      status: queryChoice(query, 'status', STATUSES),
      kind: queryChoice(query, 'kind', KINDS),
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

type Invoice = Awaited<ReturnType<typeof loadInvoice>>;
const loadInvoice = (id: string) => call('GET', '/invoices/{id}', { params: { id } });

/** Today in the browser's calendar, as YYYY-MM-DD (what a date field holds). */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export async function invoicePage(id: string): Promise<void> {
  const inv = await loadInvoice(id);
  const reload = () => invoicePage(id);
  const left = inv.total_minor - inv.refunded_minor;
  const due = inv.total_minor - inv.paid_minor;
  // The server's reason for a refused button action, shown beside the buttons (a form has its own).
  const actionError = el('p', { class: 'error', id: 'invoice-error', role: 'alert' });
  const act = async (run: () => Promise<unknown>, done: string, error: HTMLElement = actionError) => {
    error.textContent = '';
    try {
      await run();
      toast(done);
      await reload();
    } catch (e) {
      error.textContent = problemText(e);
    }
  };
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
          'aria-describedby': 'invoice-error',
          onclick: async () => {
            const ok = await confirmAction({
              title: `Mark ${inv.number} paid?`,
              message: `Records a payment of ${money(due, inv.currency)} received outside Portico; what the invoice pays for (an order, a renewal) follows.`,
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
          'aria-describedby': 'invoice-error',
          onclick: async () => {
            const reason = await confirmAction({
              title: `Void ${inv.number}?`,
              message: 'The invoice is cancelled and can no longer be paid. Its number stays used.',
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
  );
  const forms = el(
    'div',
    { class: 'forms' },
    mayBill && inv.status === 'unpaid' && due > 0 ? transferForm(inv, due, act) : null,
    mayBill && inv.status === 'paid' && left > 0 ? refundForm(inv, left, act) : null,
  );
  show(
    `Invoice ${inv.number}`,
    el('p', {}, link('#/invoices', '← Invoices')),
    el('div', { class: 'row' }, badge(inv.status), el('span', { class: 'muted', text: inv.kind })),
    actions,
    actionError,
    forms,
    facts([
      ['Client', link(`#/clients/${inv.client_id}`, `${inv.client_name} (${inv.client_email})`)],
      ['Issued', when(inv.issued_at)],
      ['Due', when(inv.due_at)],
      ['Paid', when(inv.paid_at)],
      ['Subtotal', money(inv.subtotal_minor, inv.currency)],
      [inv.tax_name ? `${inv.tax_name} (${inv.tax_rate_bp / 100}%)` : 'Tax', money(inv.tax_minor, inv.currency)],
      ['Total', el('strong', { text: money(inv.total_minor, inv.currency) })],
      ['Received', money(inv.paid_minor, inv.currency)],
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

type Act = (run: () => Promise<unknown>, done: string, error?: HTMLElement) => Promise<void>;

/** Money that arrived by bank transfer: how much, on which day, under which reference. */
function transferForm(inv: Invoice, due: number, act: Act): HTMLElement {
  const amount = el('input', {
    name: 'amount',
    inputmode: 'decimal',
    required: true,
    value: decimalText(due, inv.currency),
    'aria-describedby': 'transfer-error',
  });
  const day = el('input', {
    name: 'received_on',
    type: 'date',
    required: true,
    value: today(),
    max: today(),
    'aria-describedby': 'transfer-error',
  });
  const reference = el('input', {
    name: 'reference',
    required: true,
    maxlength: 200,
    value: inv.number,
    'aria-describedby': 'transfer-error',
  });
  const error = el('p', { class: 'error', id: 'transfer-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Record a bank transfer' },
    el('h2', { text: 'Record a bank transfer' }),
    el('label', {}, `Amount received in ${inv.currency}`, amount),
    el('label', {}, 'Received on', day),
    el('label', {}, 'Transfer reference', reference),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'primary', text: 'Record transfer' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const minor = minorUnits(amount.value, inv.currency);
    if (minor === null || minor <= 0) {
      error.textContent = `Enter the amount received in ${inv.currency}, e.g. ${decimalText(due, inv.currency)}.`;
      return;
    }
    const paysAll = minor >= due;
    const ok = await confirmAction({
      title: `Record ${money(minor, inv.currency)} received?`,
      message: `A bank transfer received on ${day.value} with reference ${reference.value}. ${
        paysAll
          ? `That pays ${inv.number} in full: what it pays for (an order, a renewal) follows.`
          : `${money(due - minor, inv.currency)} stays due.`
      }`,
      confirm: 'Record transfer',
    });
    if (ok === null) return;
    await act(
      () =>
        call('POST', '/invoices/{id}/payments', {
          params: { id: inv.id },
          body: { amount_minor: minor, method: 'bank_transfer', reference: reference.value, received_on: day.value },
        }),
      paysAll ? `${inv.number} paid by bank transfer.` : `${money(minor, inv.currency)} recorded.`,
      error,
    );
  });
  return form;
}

/** Money given back: to the client's credit, or to the card for an invoice paid through Stripe. */
function refundForm(inv: Invoice, left: number, act: Act): HTMLElement {
  const byCard = inv.payments.some((p) => p.kind === 'payment' && p.method === 'stripe');
  const amount = el('input', {
    name: 'amount',
    inputmode: 'decimal',
    'aria-describedby': 'refund-error',
  });
  const to = el(
    'select',
    { name: 'to', 'aria-describedby': 'refund-error' },
    byCard ? el('option', { value: 'stripe', text: 'The card, through Stripe' }) : null,
    el('option', { value: 'credit', text: `${inv.client_name}’s credit` }),
  );
  const error = el('p', { class: 'error', id: 'refund-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Refund' },
    el('h2', { text: 'Refund' }),
    el('label', {}, `Amount to refund in ${inv.currency} (empty: all ${money(left, inv.currency)} left)`, amount),
    el('label', {}, 'Refund to', to),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'secondary', text: 'Refund' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const typed = amount.value.trim() ? minorUnits(amount.value, inv.currency) : left;
    if (typed === null || typed <= 0) {
      error.textContent = `Enter an amount up to ${money(left, inv.currency)}, or leave it empty to refund all of it.`;
      return;
    }
    const card = to.value === 'stripe';
    const reason = await confirmAction({
      title: `Refund ${money(typed, inv.currency)}?`,
      message: card
        ? 'The amount goes back to the card it was paid with, through Stripe.'
        : `The amount goes back to ${inv.client_name}'s credit.`,
      confirm: 'Refund',
      reason: 'required',
    });
    if (!reason) return;
    await act(
      () =>
        card
          ? call('POST', '/invoices/{id}/stripe-refunds', {
              params: { id: inv.id },
              body: { amount_minor: typed, reason },
            })
          : call('POST', '/invoices/{id}/refunds', { params: { id: inv.id }, body: { amount_minor: typed, reason } }),
      `Refunded ${money(typed, inv.currency)}${card ? ' to the card' : ' to credit'}.`,
      error,
    );
  });
  return form;
}
