import { call, type Response, session } from '../api.js';
import { badge, confirmAction, el, errorText, facts, money, show, table, toast, when } from '../dom.js';
import { filterForm, hashWith, link, selectField, textField } from '../nav.js';

const STATUSES = ['pending', 'active', 'suspended', 'terminated', 'cancelled'] as const;
const SORTS: [string, string][] = [
  ['newest', 'Newest first'],
  ['oldest', 'Oldest first'],
  ['due', 'Due soonest'],
  ['-due', 'Due latest'],
  ['domain', 'Domain A–Z'],
];

function listQuery(q: URLSearchParams) {
  const pick = <T extends string>(name: string, allowed: readonly T[]) => {
    const v = q.get(name);
    return v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
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
  // What happens on the panel is for roles with services.lifecycle (the server refuses others anyway).
  const actions = !session.may('services.lifecycle')
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
        live || svc.status === 'pending'
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
  refreshWhileBusy(id, follow && (svc.status === 'pending' || details.some((j) => !FINISHED.includes(j.state))));
}
