import { ApiError, call, type Operation, type Response, session } from '../api.js';
import {
  badge,
  confirmAction,
  currencyDigits,
  el,
  errorText,
  facts,
  money,
  problemText,
  show,
  table,
  toast,
  when,
} from '../dom.js';
import { filterForm, link, pager, queryChoice, selectField, sortField, textField } from '../nav.js';

const CLIENT_STATUSES = ['active', 'suspended', 'closed'] as const;

export async function clientsPage(query: URLSearchParams): Promise<void> {
  const status = query.get('status');
  const page = await call('GET', '/clients', {
    query: {
      q: query.get('q') ?? undefined,
      status: queryChoice(query, 'status', CLIENT_STATUSES),
      cursor: query.get('cursor') ?? undefined,
      sort: query.get('sort') === 'oldest' ? 'oldest' : undefined,
      limit: 20,
    },
  });
  show(
    'Clients',
    filterForm('/clients', 'Search clients', [
      textField('q', 'Name or email', query.get('q'), 'search'),
      selectField('status', 'Status', CLIENT_STATUSES, status),
      sortField(query.get('sort')),
    ]),
    table(
      'Clients',
      ['Name', 'Email', 'Company', 'Country', 'Credit', 'Status', 'Since'],
      page.items.map((c) => [
        link(`#/clients/${c.id}`, c.name),
        c.email,
        c.company ?? '—',
        c.country ?? '—',
        money(c.credit.amount_minor, c.credit.currency),
        badge(c.status),
        when(c.created_at),
      ]),
      { 'data-list': 'clients' },
    ),
    pager('/clients', query, page.next_cursor),
  );
}

export async function clientPage(id: string, query: URLSearchParams): Promise<void> {
  // The request log is personal data: only roles with requestlog.read are shown it.
  const mayReadLog = session.may('requestlog.read');
  const [client, credit, services, invoices, audit, apiCalls] = await Promise.all([
    call('GET', '/clients/{id}', { params: { id } }),
    call('GET', '/clients/{id}/credit', { params: { id }, query: { cursor: query.get('cursor') ?? undefined } }),
    call('GET', '/services', { query: { client_id: id, limit: 50 } }),
    call('GET', '/invoices', { query: { client_id: id, limit: 20 } }),
    call('GET', '/audit', { query: { target_id: id, limit: 10 } }),
    mayReadLog ? call('GET', '/userapi/logs', { query: { client_id: id, limit: 10 } }) : Promise.resolve(null),
  ]);
  const reload = () => clientPage(id, query);
  const act = async (
    title: string,
    message: string,
    confirm: string,
    run: (reason: string) => Promise<unknown>,
    reason?: 'optional',
  ) => {
    const answer = await confirmAction({ title, message, confirm, ...(reason ? { reason } : {}) });
    if (answer === null) return;
    try {
      await run(answer);
      toast(`${confirm}: done.`);
      await reload();
    } catch (e) {
      toast(errorText(e));
    }
  };
  const sendReset = async () => {
    const answer = await confirmAction({
      title: `Send ${client.name} a password reset email?`,
      message: `${client.email} gets a code, valid 30 minutes, to set a new password. Their password works until they use it; then their sessions and API tokens end.`,
      confirm: 'Send reset email',
    });
    if (answer === null) return;
    try {
      const sent = await call('POST', '/clients/{id}/password-reset', { params: { id } });
      toast(`Password reset email queued for ${sent.to}.`);
    } catch (e) {
      toast(errorText(e));
    }
  };
  // Only what the admin's role may do is offered (the server refuses the rest anyway).
  const mayChange = session.may('clients');
  const actions = el(
    'div',
    { class: 'row actions' },
    mayChange && client.status === 'active' && !client.demo
      ? el('button', {
          type: 'button',
          class: 'secondary',
          text: 'Send password reset email',
          onclick: () => sendReset(),
        })
      : null,
    mayChange && client.status === 'active'
      ? el('button', {
          type: 'button',
          class: 'secondary',
          text: 'Suspend client',
          onclick: () =>
            act(
              `Suspend ${client.name}?`,
              'The client can no longer use the User API with any credential until unsuspended. Their services keep running.',
              'Suspend client',
              (reason) => call('POST', '/clients/{id}/suspend', { params: { id }, body: reason ? { reason } : {} }),
              'optional',
            ),
        })
      : null,
    mayChange && client.status === 'suspended'
      ? el('button', {
          type: 'button',
          class: 'secondary',
          text: 'Unsuspend client',
          onclick: () =>
            act(`Unsuspend ${client.name}?`, 'The client can use the User API again.', 'Unsuspend client', () =>
              call('POST', '/clients/{id}/unsuspend', { params: { id } }),
            ),
        })
      : null,
    mayChange && client.status !== 'closed'
      ? el('button', {
          type: 'button',
          class: 'danger',
          text: 'Close client',
          onclick: () =>
            act(
              `Close ${client.name}?`,
              'Final: the client can no longer log in and their sessions end. Refused while they have active or suspended services.',
              'Close client',
              () => call('POST', '/clients/{id}/close', { params: { id } }),
            ),
        })
      : null,
  );

  show(
    client.name,
    el('p', {}, link('#/clients', '← Clients')),
    el(
      'div',
      { class: 'row' },
      badge(client.status),
      client.demo ? el('span', { class: 'badge', text: 'demo' }) : null,
    ),
    actions,
    el('h2', { text: 'Profile' }),
    facts([
      ['Email', client.email],
      ['Company', client.company ?? '—'],
      ['Phone', client.phone ?? '—'],
      ['Country', client.country ?? '—'],
      ['Address', client.address ?? '—'],
      ['Tax id', client.tax_id ?? '—'],
      ['Client id', el('code', { text: client.id })],
      ['Since', when(client.created_at)],
      ['Unpaid invoices', String(client.unpaid_invoices)],
    ]),
    mayChange ? profileForm(client, reload) : null,
    el('h2', { text: `Services (${client.services.total})` }),
    table(
      'Services',
      ['Service', 'Domain', 'Status', 'Price', 'Next due'],
      services.items.map((s) => [
        link(`#/services/${s.id}`, s.product_name),
        s.domain ?? '—',
        badge(s.status),
        `${money(s.amount_minor, s.currency)} ${s.billing_cycle}`,
        when(s.next_due_at),
      ]),
    ),
    el('h2', { text: 'Invoices' }),
    table(
      'Invoices',
      ['Number', 'Kind', 'Status', 'Total', 'Issued', 'Due'],
      invoices.items.map((i) => [
        link(`#/invoices/${i.id}`, i.number),
        i.kind,
        badge(i.status),
        money(i.total_minor, i.currency),
        when(i.issued_at),
        when(i.due_at),
      ]),
    ),
    el('h2', { text: 'Credit' }),
    el(
      'p',
      {},
      'Balance: ',
      el('strong', { 'data-balance': '', text: money(credit.balance.amount_minor, credit.balance.currency) }),
    ),
    session.may('credit') ? creditForm(id, credit.balance.currency, reload) : null,
    table(
      'Credit ledger',
      ['When', 'Change', 'Balance after', 'Reason', 'By'],
      credit.items.map((c) => [
        when(c.at),
        el('span', { class: c.amount_minor < 0 ? 'neg' : 'pos', text: money(c.amount_minor, c.currency) }),
        money(c.balance_after_minor, c.currency),
        c.reason,
        c.actor_type,
      ]),
    ),
    pager(`/clients/${id}`, query, credit.next_cursor),
    el('h2', {}, 'Recent audit entries ', el('small', {}, link(`#/audit?target_id=${id}`, 'all →'))),
    table(
      'Recent audit entries',
      ['When', 'Who', 'Action'],
      audit.items.map((e) => [
        when(e.at),
        e.actor.email ?? `${e.actor.type}${e.actor.id ? ` ${e.actor.id}` : ''}`,
        el('code', { text: e.action }),
      ]),
      { 'data-list': 'client-audit' },
    ),
    apiCalls
      ? [
          el('h2', {}, 'Recent API calls ', el('small', {}, link(`#/logs?client_id=${id}`, 'all →'))),
          apiCalls.items.length
            ? table(
                'Recent API calls',
                ['When', 'Status', 'Method', 'Path'],
                apiCalls.items.map((e) => [
                  when(e.at),
                  String(e.status),
                  e.method,
                  link(`#/logs/${encodeURIComponent(e.id)}`, e.path),
                ]),
                { 'data-list': 'client-api-calls' },
              )
            : el('p', {
                class: 'card muted',
                text: 'No API calls logged for this client (the request log is off unless userapi.logging is on).',
              }),
        ]
      : null,
  );
}

/** Add or remove credit: an amount in the client's currency (negative removes) and a reason. */
function creditForm(clientId: string, currency: string, reload: () => Promise<void>): HTMLElement {
  const digits = currencyDigits(currency);
  const amount = el('input', {
    name: 'amount',
    inputmode: 'decimal',
    required: true,
    pattern: '-?[0-9]+([.][0-9]+)?',
    'aria-describedby': 'credit-error',
  });
  const reason = el('input', { name: 'reason', required: true, maxlength: 500, 'aria-describedby': 'credit-error' });
  const error = el('p', { class: 'error', id: 'credit-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Change credit' },
    el('label', {}, `Amount in ${currency} (negative removes)`, amount),
    el('label', {}, 'Reason', reason),
    error,
    el('div', {}, el('button', { class: 'primary', type: 'submit', text: 'Change credit' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const value = Number(amount.value);
    const minor = Math.round(value * 10 ** digits);
    if (!Number.isFinite(value) || minor === 0) {
      error.textContent = `Enter an amount in ${currency} other than zero, e.g. 25.00 or -10.`;
      return;
    }
    try {
      const changed = await call('POST', '/clients/{id}/credit', {
        params: { id: clientId },
        body: { amount_minor: minor, reason: reason.value },
      });
      toast(`Credit changed: the balance is ${money(changed.balance.amount_minor, changed.balance.currency)}.`);
      await reload();
    } catch (e) {
      error.textContent =
        e instanceof ApiError && e.fields.length ? e.fields.map((f) => f.message).join(' ') : errorText(e);
    }
  });
  return form;
}

type Client = Response<'/clients/{id}', 'GET'>;
type ProfileField = 'name' | 'email' | 'company' | 'phone' | 'country' | 'address' | 'tax_id';

/**
 * The client's profile as a form behind a disclosure (it is read far more often than changed).
 * Only the fields changed are sent; an optional field emptied is cleared (null).
 */
function profileForm(client: Client, reload: () => Promise<void>): HTMLElement {
  const input = (name: ProfileField, attrs: Record<string, string | number | boolean> = {}) =>
    el('input', { name, value: client[name] ?? '', 'aria-describedby': 'profile-error', ...attrs });
  const fields: Record<ProfileField, HTMLInputElement | HTMLTextAreaElement> = {
    name: input('name', { required: true, maxlength: 200 }),
    email: input('email', { type: 'email', required: true, maxlength: 254 }),
    company: input('company', { maxlength: 200 }),
    phone: input('phone', { type: 'tel', maxlength: 50 }),
    country: input('country', { maxlength: 2, pattern: '[A-Za-z]{2}', title: 'Two letters, e.g. DE' }),
    address: el('textarea', { name: 'address', rows: 3, maxlength: 1000, 'aria-describedby': 'profile-error' }),
    tax_id: input('tax_id', { maxlength: 50 }),
  };
  fields.address.value = client.address ?? '';
  const labels: Record<ProfileField, string> = {
    name: 'Name',
    email: 'Email',
    company: 'Company',
    phone: 'Phone',
    country: 'Country (ISO code, decides the tax rate)',
    address: 'Address',
    tax_id: 'Tax id',
  };
  const error = el('p', { class: 'error', id: 'profile-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Edit profile' },
    ...(Object.keys(fields) as ProfileField[]).map((k) =>
      el('label', k === 'address' ? { class: 'wide' } : {}, labels[k], fields[k]),
    ),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'primary', text: 'Save profile' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body: NonNullable<Operation<'/clients/{id}', 'PATCH'>['body']> = {};
    for (const k of Object.keys(fields) as ProfileField[]) {
      const raw = fields[k].value.trim();
      const value = k === 'country' ? raw.toUpperCase() : raw;
      if (value === (client[k] ?? '')) continue;
      if (k === 'name' || k === 'email') body[k] = value;
      else body[k] = value === '' ? null : value;
    }
    if (Object.keys(body).length === 0) {
      error.textContent = 'Nothing changed.';
      return;
    }
    try {
      await call('PATCH', '/clients/{id}', { params: { id: client.id }, body });
      toast(`Profile of ${fields.name.value.trim()} saved.`);
      await reload();
    } catch (e) {
      error.textContent = problemText(e);
    }
  });
  return el('details', { class: 'edit' }, el('summary', { text: 'Edit profile' }), form);
}
