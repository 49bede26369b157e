// The provisioning queue and the audit log (servers: servers.ts).
import { call, session } from '../api.js';
import { badge, confirmAction, el, errorText, show, table, toast, when } from '../dom.js';
import { filterForm, link, pager, queryChoice, selectField, textField } from '../nav.js';

const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export async function jobsPage(query: URLSearchParams): Promise<void> {
  const state = query.get('state');
  const { items } = await call('GET', '/jobs', {
    query: {
      state: queryChoice(query, 'state', JOB_STATES),
      limit: 100,
    },
  });
  const act = async (kind: 'retry' | 'cancel', id: string, type: string) => {
    const ok = await confirmAction(
      kind === 'retry'
        ? { title: `Retry ${type}?`, message: 'The job is queued again.', confirm: 'Retry job' }
        : {
            title: `Cancel ${type}?`,
            message: 'Nothing is undone: what its finished steps made on the panel stays.',
            confirm: 'Cancel job',
          },
    );
    if (ok === null) return;
    try {
      if (kind === 'retry') await call('POST', '/jobs/{id}/retry', { params: { id } });
      else await call('POST', '/jobs/{id}/cancel', { params: { id } });
      toast(kind === 'retry' ? 'Queued again.' : 'Cancelled.');
      await jobsPage(query);
    } catch (e) {
      toast(errorText(e));
    }
  };
  show(
    'Provisioning queue',
    el(
      'nav',
      { class: 'chips', 'aria-label': 'Jobs by state' },
      link('#/jobs', 'All', state ? {} : { 'aria-current': 'page' }),
      ...JOB_STATES.map((s) => link(`#/jobs?state=${s}`, s, state === s ? { 'aria-current': 'page' } : {})),
    ),
    table(
      'Jobs',
      ['Job', 'State', 'Service', 'Attempts', 'Error', 'Created', 'Actions'],
      items.map((j) => [
        el('code', { text: j.type }),
        badge(j.state),
        j.service_id ? link(`#/services/${j.service_id}`, 'Service') : '—',
        `${j.attempts}/${j.max_attempts}`,
        (j.failure ?? j.last_error)?.message ?? '—',
        when(j.created_at),
        el(
          'div',
          { class: 'row' },
          session.may('jobs') && j.state === 'failed'
            ? el('button', {
                type: 'button',
                class: 'small',
                text: 'Retry',
                'aria-label': `Retry ${j.type} ${j.id}`,
                onclick: () => act('retry', j.id, j.type),
              })
            : null,
          session.may('jobs') && j.state === 'queued'
            ? el('button', {
                type: 'button',
                class: 'small',
                text: 'Cancel',
                'aria-label': `Cancel ${j.type} ${j.id}`,
                onclick: () => act('cancel', j.id, j.type),
              })
            : null,
        ),
      ]),
      { 'data-list': 'jobs' },
    ),
  );
}

const ACTOR_TYPES = ['admin', 'client', 'system', 'cli'] as const;

export async function auditPage(query: URLSearchParams): Promise<void> {
  const get = (name: string) => query.get(name) || undefined;
  const actor = query.get('actor_type');
  const day = (name: string) => (get(name) ? `${get(name)}T00:00:00Z` : undefined);
  const page = await call('GET', '/audit', {
    query: {
      actor_type: queryChoice(query, 'actor_type', ACTOR_TYPES),
      actor_id: get('actor_id'),
      action: get('action'),
      target_type: get('target_type'),
      target_id: get('target_id'),
      since: day('since'),
      until: day('until'),
      cursor: get('cursor'),
      limit: 50,
    },
  });
  show(
    'Audit log',
    filterForm(
      '/audit',
      'Filter the audit log',
      [
        selectField('actor_type', 'Who', ACTOR_TYPES, actor),
        textField('actor_id', 'Actor id', query.get('actor_id')),
        textField('action', 'Action (or prefix, e.g. client.)', query.get('action')),
        textField('target_type', 'Target type', query.get('target_type')),
        textField('target_id', 'Target id', query.get('target_id')),
        textField('since', 'From', query.get('since'), 'date'),
        textField('until', 'Before', query.get('until'), 'date'),
      ],
      'Filter',
    ),
    table(
      'Audit entries',
      ['When', 'Who', 'Action', 'Target', 'Details', 'IP'],
      page.items.map((e) => [
        when(e.at),
        e.actor.email ?? `${e.actor.type}${e.actor.id ? ` ${e.actor.id}` : ''}`,
        el('code', { text: e.action }),
        e.target ? targetLink(e.target.type, e.target.id) : '—',
        e.details ? el('code', { class: 'details', text: JSON.stringify(e.details) }) : '—',
        e.ip ?? '—',
      ]),
      { 'data-list': 'audit' },
    ),
    pager('/audit', query, page.next_cursor),
  );
}

function targetLink(type: string | null, id: string | null): Node | string {
  if (!id) return type ?? '—';
  const pages: Record<string, string> = { client: 'clients', service: 'services', invoice: 'invoices' };
  const page = type ? pages[type] : undefined;
  return page ? link(`#/${page}/${id}`, `${type} ${id}`) : `${type ?? ''} ${id}`;
}
