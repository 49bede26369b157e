import { call, type Response, session } from '../api.js';
import {
  badge,
  confirmAction,
  decimalText,
  el,
  errorText,
  facts,
  minorUnits,
  money,
  problemText,
  show,
  table,
  toast,
  when,
} from '../dom.js';
import { filterForm, hashWith, link, queryChoice, selectField, textField } from '../nav.js';

const STATUSES = ['pending', 'active', 'suspended', 'terminated', 'cancelled'] as const;
const SORTS: [string, string][] = [
  ['newest', 'Newest first'],
  ['oldest', 'Oldest first'],
  ['due', 'Due soonest'],
  ['-due', 'Due latest'],
  ['domain', 'Domain A–Z'],
];

function listQuery(q: URLSearchParams) {
  const pick = <T extends string>(name: string, allowed: readonly T[]) => queryChoice(q, name, allowed);
  const get = (name: string) => q.get(name) || undefined;
  return {
    q: get('q'),
    status: pick('status', STATUSES),
    product_id: get('product_id'),
    server_id: get('server_id'),
    due_from: get('due_from'),
    due_before: get('due_before'),
    sort: pick('sort', ['newest', 'oldest', 'due', '-due', 'domain'] as const),
    offset: get('offset'),
    limit: 20,
  };
}

export async function servicesPage(query: URLSearchParams): Promise<void> {
  const [page, products, servers] = await Promise.all([
    call('GET', '/services', { query: listQuery(query) }),
    call('GET', '/catalog/products'),
    call('GET', '/servers'),
  ]);
  const base = Object.fromEntries([...query].filter(([k]) => k !== 'offset'));
  const offset = Number(query.get('offset') ?? 0);
  const sortSelect = selectField('sort', 'Sort', SORTS, query.get('sort'));
  sortSelect.querySelector('option[value=""]')?.remove();
  show(
    'Services',
    filterForm('/services', 'Filter services', [
      textField('q', 'Domain, panel user or client email', query.get('q'), 'search'),
      selectField('status', 'Status', STATUSES, query.get('status')),
      selectField(
        'product_id',
        'Product',
        products.items.map((p) => [p.id, p.name] as [string, string]),
        query.get('product_id'),
      ),
      selectField(
        'server_id',
        'Server',
        servers.items.map((s) => [s.id, s.name] as [string, string]),
        query.get('server_id'),
      ),
      textField('due_from', 'Due from', query.get('due_from'), 'date'),
      textField('due_before', 'Due before', query.get('due_before'), 'date'),
      sortSelect,
    ]),
    table(
      'Services',
      ['Service', 'Domain', 'Client', 'Server', 'Status', 'Price', 'Next due'],
      page.items.map((s) => [
        link(`#/services/${s.id}`, s.product_name),
        s.domain ?? '—',
        link(`#/clients/${s.client.id}`, s.client.name),
        s.server?.name ?? '—',
        badge(s.status),
        `${money(s.amount_minor, s.currency)} ${s.billing_cycle}`,
        when(s.next_due_at),
      ]),
      { 'data-list': 'services' },
    ),
    el(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      offset > 0
        ? link(hashWith('/services', { ...base, offset: Math.max(0, offset - 20) || undefined }), '← Previous page')
        : null,
      page.next_offset !== null
        ? link(hashWith('/services', { ...base, offset: page.next_offset }), 'Next page →')
        : null,
    ),
  );
}

type Job = Response<'/jobs/{id}', 'GET'>;
const FINISHED = ['succeeded', 'failed', 'cancelled'];

function jobCard(job: Job): HTMLElement {
  const error = job.failure ?? job.last_error;
  return el(
    'li',
    { class: 'card job', 'data-job': job.id, 'data-state': job.state },
    el(
      'div',
      { class: 'row' },
      el('strong', { text: job.type }),
      badge(job.state),
      el('span', { class: 'muted', text: `${when(job.created_at)} · attempt ${job.attempts}/${job.max_attempts}` }),
    ),
    el('div', { class: 'muted' }, 'Correlation id ', el('code', { text: job.correlation_id })),
    error ? el('p', { class: 'error', text: `${error.code}: ${error.message ?? ''}` }) : null,
    job.steps.length
      ? el(
          'ol',
          { class: 'steps', 'aria-label': `Steps of ${job.type}` },
          ...job.steps.map((s) =>
            el(
              'li',
              {},
              s.name,
              ' ',
              el('span', { class: 'muted', text: when(s.finished_at) }),
              s.undone ? ' (undone)' : '',
            ),
          ),
        )
      : null,
    job.panel_calls.length
      ? table(
          `Panel calls of ${job.type}`,
          ['Command', 'Exit', 'HTTP', 'Message', 'ms', 'Correlation id'],
          job.panel_calls.map((c) => [
            el('code', { text: c.command }),
            c.exit_code === null ? '—' : String(c.exit_code),
            c.http_status === null ? '—' : String(c.http_status),
            c.code ?? '—',
            String(c.duration_ms),
            el('code', { text: c.correlation_id }),
          ]),
        )
      : null,
    job.left_behind.length
      ? el('p', { class: 'muted', text: `Left on the panel: ${job.left_behind.join(', ')}` })
      : null,
  );
}

let refresh: number | undefined;
/** While a job of the service is queued or running, the page reads it again every second. */
function refreshWhileBusy(id: string, busy: boolean): void {
  clearTimeout(refresh);
  if (!busy) return;
  const hash = `#/services/${id}`;
  refresh = window.setTimeout(() => {
    // Not while the admin is on another page or answering a dialog.
    if (location.hash !== hash) return;
    if (document.querySelector('dialog[open]')) return refreshWhileBusy(id, true);
    void servicePage(id).catch(() => refreshWhileBusy(id, true));
  }, 1000);
}

type Action = 'suspend' | 'unsuspend' | 'terminate' | 'reprovision' | 'change_package' | 'change_password';

export async function servicePage(id: string, follow = true): Promise<void> {
  const [svc, jobs, products] = await Promise.all([
    call('GET', '/services/{id}', { params: { id } }),
    call('GET', '/jobs', { query: { service_id: id, limit: 50 } }),
    call('GET', '/catalog/products'),
  ]);
  const details = await Promise.all(jobs.items.map((j) => call('GET', '/jobs/{id}', { params: { id: j.id } })));
  const progress = el('p', { role: 'status', class: 'progress', 'aria-live': 'polite' });

  const run = async (action: Action, body: { reason?: string; product_id?: string } = {}) => {
    clearTimeout(refresh);
    try {
      const { job_id } = await call('POST', '/services/{id}/actions', { params: { id }, body: { action, ...body } });
      progress.textContent = `${action.replace('_', ' ')}: queued…`;
      // Follow the job until it ends, then show the service as it is now.
      for (;;) {
        const job = await call('GET', '/jobs/{id}', { params: { id: job_id } });
        progress.textContent = `${action.replace('_', ' ')}: ${job.state}${job.steps.length ? ` (${job.steps.map((s) => s.name).join(' → ')})` : ''}`;
        if (FINISHED.includes(job.state)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      if (location.hash === `#/services/${id}`) await servicePage(id, false);
      toast(`${action.replace('_', ' ')} finished.`);
    } catch (e) {
      progress.textContent = '';
      toast(errorText(e));
    }
  };
  const ask = async (action: Action, title: string, message: string, reason?: 'required' | 'optional') => {
    const answer = await confirmAction({ title, message, confirm: title, ...(reason ? { reason } : {}) });
    if (answer === null) return;
    await run(action, answer ? { reason: answer } : {});
  };

  const packageSelect = el(
    'select',
    { name: 'product_id', 'aria-label': 'New package' },
    ...products.items
      .filter((p) => p.id !== svc.product_id && p.module === 'hestia')
      .map((p) => el('option', { value: p.id, text: `${p.name} (${p.panel_package})` })),
  );
  const live = svc.status === 'active' || svc.status === 'suspended';
  // A creation that failed and could not undo itself left an account on the panel: the service
  // is still pending, with a panel user, and its failed create job says what is left where.
  const leftOver =
    svc.status === 'pending' && svc.panel_username
      ? details.find((j) => j.type === 'service.create' && j.state === 'failed' && j.left_behind.length > 0)
      : undefined;
  // What happens on the panel is for roles with services.lifecycle, its price and due date for
  // services.billing (the server refuses the others anyway).
  const mayRun = session.may('services.lifecycle');
  const actions = !mayRun
    ? null
    : el(
        'div',
        { class: 'row actions' },
        svc.status === 'active'
          ? el('button', {
              type: 'button',
              class: 'secondary',
              text: 'Suspend',
              onclick: () =>
                ask(
                  'suspend',
                  'Suspend service',
                  `The account on the panel is suspended: ${svc.domain ?? svc.id} stops serving.`,
                  'required',
                ),
            })
          : null,
        svc.status === 'suspended'
          ? el('button', {
              type: 'button',
              class: 'secondary',
              text: 'Unsuspend',
              onclick: () => ask('unsuspend', 'Unsuspend service', 'The account on the panel is unsuspended.'),
            })
          : null,
        live
          ? el('button', {
              type: 'button',
              class: 'secondary',
              text: 'Reprovision',
              onclick: () =>
                ask(
                  'reprovision',
                  'Reprovision service',
                  'Makes sure everything the service needs exists on the panel again.',
                ),
            })
          : null,
        live && packageSelect.options.length
          ? el(
              'form',
              {
                class: 'row',
                'aria-label': 'Change package',
                onsubmit: (e: Event) => {
                  e.preventDefault();
                  void (async () => {
                    const answer = await confirmAction({
                      title: 'Change package',
                      message: `Moves the account to ${packageSelect.selectedOptions[0]?.text ?? 'the chosen package'} on the panel.`,
                      confirm: 'Change package',
                    });
                    if (answer !== null) await run('change_package', { product_id: packageSelect.value });
                  })();
                },
              },
              packageSelect,
              el('button', { type: 'submit', class: 'secondary', text: 'Change package' }),
            )
          : null,
        (live || svc.status === 'pending') && !leftOver
          ? el('button', {
              type: 'button',
              class: 'danger',
              text: 'Terminate',
              onclick: () =>
                ask(
                  'terminate',
                  'Terminate service',
                  'Final: the account and its data are deleted from the panel.',
                  'optional',
                ),
            })
          : null,
      );

  show(
    `${svc.product_name} · ${svc.domain ?? svc.id}`,
    el('p', {}, link('#/services', '← Services')),
    el(
      'div',
      { class: 'row' },
      badge(svc.status),
      svc.suspension_reason ? el('span', { class: 'muted', text: `Suspended: ${svc.suspension_reason}` }) : null,
    ),
    actions,
    progress,
    mayRun && leftOver && svc.panel_username
      ? leftOverCard(svc.panel_username, svc.server?.name ?? 'its server', leftOver, run)
      : null,
    facts([
      ['Client', link(`#/clients/${svc.client.id}`, `${svc.client.name} (${svc.client.email})`)],
      ['Product', svc.product_name],
      ['Server', svc.server?.name ?? '—'],
      ['Panel username', svc.panel_username ? el('code', { text: svc.panel_username }) : '—'],
      ['Domain', svc.domain ?? '—'],
      [
        'Price and cycle',
        `${money(svc.amount_minor, svc.currency)} ${svc.billing_cycle}${svc.next_billing_cycle ? ` (then ${svc.next_billing_cycle})` : ''}`,
      ],
      ['Next due', when(svc.next_due_at)],
      ['Since', when(svc.created_at)],
      ['Service id', el('code', { text: svc.id })],
    ]),
    // Not on a pending service: its page reads itself again every second while it waits for its job.
    live && session.may('services.billing') ? priceForm(svc, () => servicePage(id, false)) : null,
    el('h2', { text: 'Invoices' }),
    table(
      'Invoices',
      ['Number', 'Kind', 'Status', 'Total', 'Issued'],
      svc.invoices.map((i) => [
        link(`#/invoices/${i.id}`, i.number),
        i.kind,
        badge(i.status),
        money(i.total_minor, i.currency),
        when(i.issued_at),
      ]),
    ),
    el('h2', { text: 'Job timeline' }),
    details.length
      ? el('ol', { class: 'timeline', 'aria-label': 'Job timeline' }, ...details.map(jobCard))
      : el('p', { class: 'muted', text: 'No jobs yet.' }),
  );
  // A pending service whose creation failed waits for the admin, not for a job: nothing to follow.
  refreshWhileBusy(
    id,
    follow && ((svc.status === 'pending' && !leftOver) || details.some((j) => !FINISHED.includes(j.state))),
  );
}

/**
 * What a failed creation left on the panel, and the way to remove it: terminating a pending
 * service deletes its panel user, and only if the panel says the user is this service's.
 */
function leftOverCard(
  username: string,
  server: string,
  job: Job,
  run: (action: Action, body?: { reason?: string }) => Promise<void>,
): HTMLElement {
  return el(
    'section',
    { class: 'card warning', 'aria-labelledby': 'left-over-title' },
    el('h2', { id: 'left-over-title', text: 'A failed creation left an account on the panel' }),
    el('ul', {}, ...job.left_behind.map((text) => el('li', { text }))),
    el(
      'div',
      { class: 'row' },
      el('button', {
        type: 'button',
        class: 'danger',
        text: 'Remove the left-over account',
        onclick: async () => {
          const answer = await confirmAction({
            title: 'Remove the left-over account?',
            message: `Deletes panel user ${username} from ${server}, only if the panel shows it is this service's; the service is then terminated. To create the service again with it instead, retry the failed job from the provisioning queue.`,
            confirm: 'Remove account',
            reason: 'optional',
          });
          if (answer !== null) await run('terminate', answer ? { reason: answer } : {});
        },
      }),
      el('a', { href: '#/jobs?state=failed', text: 'Failed jobs →' }),
    ),
  );
}

type Service = Response<'/services/{id}', 'GET'>;

/** The amount the service renews at and its next due day; a product's price change does not reach it. */
function priceForm(svc: Service, reload: () => Promise<void>): HTMLElement {
  // The provider's day, as PATCH …/billing reads it (the UTC date can be a day off).
  const due = svc.next_due_date ?? '';
  const amount = el('input', {
    name: 'amount',
    inputmode: 'decimal',
    required: true,
    value: decimalText(svc.amount_minor, svc.currency),
    'aria-describedby': 'price-error',
  });
  const nextDue = el('input', { name: 'next_due_at', type: 'date', value: due, 'aria-describedby': 'price-error' });
  const error = el('p', { class: 'error', id: 'price-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Change price' },
    el('h2', { text: 'Price and due date' }),
    el('label', {}, `Recurring price in ${svc.currency} (${svc.billing_cycle})`, amount),
    el('label', {}, 'Next due', nextDue),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'primary', text: 'Save price' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const minor = minorUnits(amount.value, svc.currency);
    if (minor === null) {
      error.textContent = `Enter the price in ${svc.currency}, e.g. ${decimalText(svc.amount_minor, svc.currency)}.`;
      return;
    }
    const body = {
      ...(minor !== svc.amount_minor ? { amount_minor: minor } : {}),
      ...(nextDue.value && nextDue.value !== due ? { next_due_at: nextDue.value } : {}),
    };
    if (Object.keys(body).length === 0) {
      error.textContent = 'Nothing changed.';
      return;
    }
    const ok = await confirmAction({
      title: 'Change the service’s billing?',
      message: [
        body.amount_minor !== undefined
          ? `It renews at ${money(body.amount_minor, svc.currency)} ${svc.billing_cycle} instead of ${money(svc.amount_minor, svc.currency)}, from its next invoice.`
          : '',
        body.next_due_at ? `Its next due date becomes ${body.next_due_at}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
      confirm: 'Save price',
    });
    if (ok === null) return;
    try {
      await call('PATCH', '/services/{id}/billing', { params: { id: svc.id }, body });
      toast('Billing saved.');
      await reload();
    } catch (e) {
      error.textContent = problemText(e);
    }
  });
  return form;
}
