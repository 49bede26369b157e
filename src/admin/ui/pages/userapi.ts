// The User API's settings, routes (with aliases) and request log.
import { ApiError, call, type Response, session, url } from '../api.js';
import { el, errorText, scrollBox, show, toast } from '../dom.js';
import { settingsNav } from './settings.js';

type Kind = 'check' | 'number' | 'text' | 'url' | 'textarea' | 'methods';
const SETTING_FIELDS: [string, string, Kind][] = [
  ['userapi.logging', 'Request log — enable for debugging', 'check'],
  ['userapi.log_retention_days', 'Keep log entries (days)', 'number'],
  ['userapi.rate_limit', 'Rate limit (e.g. 100/60s, or off)', 'text'],
  ['userapi.auth_methods', 'Authentication methods', 'methods'],
  ['userapi.jwt_key_path', 'JWT private key file (empty: generated key)', 'text'],
  ['userapi.docs.company_name', 'Company name on the docs', 'text'],
  ['userapi.docs.logo_url', 'Logo URL on the docs', 'url'],
  ['userapi.docs.intro', 'Docs introduction (Markdown)', 'textarea'],
  ['webhooks.allow_private_targets', 'Webhooks may go to http and private addresses (labs and tests only)', 'check'],
];
const METHODS = ['basic', 'jwt', 'token'];

export async function settingsPage(): Promise<void> {
  const { items } = await call('GET', '/userapi/settings');
  const values = new Map(items.map((s) => [s.key, String(s.value ?? '')]));
  const errors = new Map<string, HTMLElement>();
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
  const fields = SETTING_FIELDS.map(([key, label, kind]) => {
    const error = el('span', { class: 'error', id: `err-${key}` });
    errors.set(key, error);
    const value = values.get(key) ?? '';
    if (kind === 'check') {
      const input = el('input', { type: 'checkbox', name: key, checked: value === 'on' || value === 'true' });
      inputs.set(key, input);
      return el('div', {}, el('label', { class: 'check' }, input, label), error);
    }
    if (kind === 'methods') {
      const on = value.split(',');
      return el(
        'fieldset',
        { class: 'card' },
        el('legend', { text: label }),
        ...METHODS.map((m) => {
          const input = el('input', { type: 'checkbox', name: `method-${m}`, checked: on.includes(m) });
          inputs.set(`method-${m}`, input);
          return el('label', { class: 'check' }, input, m);
        }),
        error,
      );
    }
    const input =
      kind === 'textarea'
        ? el('textarea', { name: key, 'aria-describedby': `err-${key}` })
        : el('input', { type: kind, name: key, 'aria-describedby': `err-${key}` });
    input.value = value;
    inputs.set(key, input);
    return el('div', {}, el('label', {}, label, input), error);
  });
  // Changing settings is for owners (the settings permission): the others read them, greyed out.
  const mayChange = session.may('settings');
  if (!mayChange) for (const input of inputs.values()) input.disabled = true;
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'User API settings' },
    ...fields,
    mayChange ? el('div', {}, el('button', { class: 'primary', type: 'submit', text: 'Save settings' })) : null,
  );
  const checked = (name: string) => (inputs.get(name) as HTMLInputElement).checked;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const e of errors.values()) e.textContent = '';
    const body: Record<string, string> = {};
    for (const [key, , kind] of SETTING_FIELDS) {
      if (kind === 'check') body[key] = checked(key) ? 'on' : 'off';
      else if (kind === 'methods') body[key] = METHODS.filter((m) => checked(`method-${m}`)).join(',');
      else body[key] = inputs.get(key)?.value ?? '';
    }
    try {
      await call('PATCH', '/userapi/settings', { body });
      toast('Settings saved: every instance follows within a second.');
    } catch (e) {
      const fieldErrors = e instanceof ApiError ? e.fields : [];
      if (!fieldErrors.length) toast(errorText(e));
      for (const f of fieldErrors) {
        const target = errors.get(f.field.replace(/^body\./, ''));
        if (target) target.textContent = f.message;
        else toast(f.message);
      }
    }
  });
  show(
    'User API settings',
    settingsNav('userapi'),
    mayChange
      ? null
      : el('p', { class: 'card muted', text: 'Only owners change these settings; you see them as they are.' }),
    form,
  );
}

type Route = Response<'/userapi/routes', 'GET'>['items'][number];
type Alias = Route['aliases'][number];
interface Entry {
  enabled: boolean;
  name: string;
  category: string;
  description: string;
  default_name: string;
  default_category: string;
  default_description: string;
}

export async function routesPage(): Promise<void> {
  const { items } = await call('GET', '/userapi/routes');
  // An alias is a route entry of its own: it is listed under its own category.
  const aliases = items.flatMap((r) => r.aliases);
  const categories = [...new Set([...items, ...aliases].map((r) => r.category))].sort();
  const sections = categories.map((category) =>
    el(
      'section',
      { 'aria-label': category },
      el('h2', { text: category }),
      scrollBox(
        `${category} routes`,
        el(
          'table',
          { class: 'routes' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['On', 'Route', 'Name in the docs', 'Category', 'Description', 'Aliases', 'Save'].map((h) =>
                el('th', { scope: 'col', text: h }),
              ),
            ),
          ),
          el(
            'tbody',
            {},
            ...items.filter((r) => r.category === category).map(routeRow),
            ...aliases.filter((a) => a.category === category).map(aliasRow),
          ),
        ),
      ),
    ),
  );
  // Routes and aliases are changed by owners (the settings permission): the others read them, greyed out.
  const mayChange = session.may('settings');
  if (!mayChange) {
    for (const section of sections)
      for (const control of section.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLButtonElement>(
        'input, textarea, button',
      ))
        control.disabled = true;
  }
  show(
    'Routes',
    el('p', {
      class: 'muted',
      text: 'Changes apply to every running instance within a second. A disabled route answers 404 and leaves the docs. An alias is enabled on its own: disable a route and keep its alias to move it to another path.',
    }),
    mayChange
      ? null
      : el('p', { class: 'card muted', text: 'Only owners change routes and aliases; you see them as they are.' }),
    ...sections,
  );
}

/** The inputs every route entry has (a route or an alias): enabled, name, category, description. */
function entryFields(label: string, entry: Entry) {
  const description = el('textarea', { rows: 2, 'aria-label': `Description of ${label}` });
  description.value = entry.description;
  return {
    enabled: el('input', { type: 'checkbox', checked: entry.enabled, 'aria-label': `Enable ${label}` }),
    name: el('input', { type: 'text', value: entry.name, 'aria-label': `Name of ${label}` }),
    category: el('input', { type: 'text', value: entry.category, 'aria-label': `Category of ${label}` }),
    description,
  };
}

/** What the name, category and description inputs hold; a value equal to the default is saved as the default (null). */
function docsChanges(f: ReturnType<typeof entryFields>, entry: Entry) {
  const own = (value: string, fallback: string) => (value === fallback ? null : value);
  return {
    name: own(f.name.value, entry.default_name),
    category: own(f.category.value, entry.default_category),
    description: own(f.description.value, entry.default_description),
  };
}

async function saved(action: Promise<unknown>, message: string): Promise<boolean> {
  try {
    await action;
    toast(message);
    return true;
  } catch (e) {
    toast(errorText(e));
    return false;
  }
}

function routeRow(route: Route): HTMLElement {
  const f = entryFields(route.operation_id, route);
  const params = { operationId: route.operation_id };
  f.enabled.addEventListener('change', () => {
    void saved(
      call('PATCH', '/userapi/routes/{operationId}', { params, body: { enabled: f.enabled.checked } }),
      `${route.operation_id} ${f.enabled.checked ? 'enabled' : 'disabled'}`,
    );
  });
  const aliasInput = el('input', {
    type: 'text',
    placeholder: '/cloud/{id}',
    'aria-label': `New alias for ${route.operation_id}`,
  });
  const addAlias = el(
    'form',
    { class: 'row' },
    aliasInput,
    el('button', { class: 'small', type: 'submit', text: 'Add alias' }),
  );
  addAlias.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const added = await call('POST', '/userapi/routes/{operationId}/aliases', {
        params,
        body: { path: aliasInput.value },
      });
      toast(`Alias ${added.path} added`);
      await routesPage();
    } catch (e) {
      toast(errorText(e));
    }
  });
  return el(
    'tr',
    { 'data-route': route.operation_id },
    el('td', {}, f.enabled),
    el(
      'td',
      {},
      el('span', { class: 'method', text: route.method }),
      ' ',
      el('span', { class: 'path', text: route.path }),
      el('div', { class: 'muted', text: route.operation_id }),
    ),
    el('td', {}, f.name),
    el('td', {}, f.category),
    el('td', {}, f.description),
    el(
      'td',
      {},
      ...route.aliases.map((a) =>
        el(
          'div',
          { class: 'row' },
          el('code', { text: a.path }),
          a.enabled ? '' : el('span', { class: 'badge off', text: 'off' }),
        ),
      ),
      addAlias,
    ),
    el(
      'td',
      {},
      el('button', {
        class: 'small',
        type: 'button',
        text: 'Save',
        onclick: async () => {
          const body = docsChanges(f, route);
          if (
            await saved(call('PATCH', '/userapi/routes/{operationId}', { params, body }), `${route.operation_id} saved`)
          )
            await routesPage();
        },
      }),
    ),
  );
}

function aliasRow(alias: Alias): HTMLElement {
  const label = `alias ${alias.path}`;
  const f = entryFields(label, alias);
  const query = { path: alias.path };
  f.enabled.addEventListener('change', () => {
    void saved(
      call('PATCH', '/userapi/aliases', { query, body: { enabled: f.enabled.checked } }),
      `Alias ${alias.path} ${f.enabled.checked ? 'enabled' : 'disabled'}`,
    );
  });
  return el(
    'tr',
    { 'data-alias': alias.path, class: 'alias' },
    el('td', {}, f.enabled),
    el(
      'td',
      {},
      el('span', { class: 'method', text: alias.method }),
      ' ',
      el('span', { class: 'path', text: alias.path }),
      el('div', { class: 'muted', text: alias.operation_id }),
      el('div', { class: 'muted', text: `alias of ${alias.method} ${alias.target_path} (${alias.target})` }),
    ),
    el('td', {}, f.name),
    el('td', {}, f.category),
    el('td', {}, f.description),
    el(
      'td',
      {},
      el('button', {
        class: 'small',
        type: 'button',
        text: 'Remove',
        'aria-label': `Remove ${label}`,
        onclick: async () => {
          if (await saved(call('DELETE', '/userapi/aliases', { query }), `Alias ${alias.path} removed`))
            await routesPage();
        },
      }),
    ),
    el(
      'td',
      {},
      el('button', {
        class: 'small',
        type: 'button',
        text: 'Save',
        'aria-label': `Save ${label}`,
        onclick: async () => {
          const body = docsChanges(f, alias);
          if (await saved(call('PATCH', '/userapi/aliases', { query, body }), `Alias ${alias.path} saved`))
            await routesPage();
        },
      }),
    ),
  );
}

const LOG_FILTERS: [string, string][] = [
  ['client_id', 'Client id'],
  ['email', 'Client email'],
  ['route', 'Route (operationId or path)'],
  ['status', 'Status'],
  ['ip', 'IP address'],
  ['since', 'From (ISO time)'],
  ['until', 'Until (ISO time)'],
];
type LogEntry = Response<'/userapi/logs', 'GET'>['items'][number];

export async function logsPage(params: URLSearchParams): Promise<void> {
  const query = Object.fromEntries([...params].filter(([, v]) => v));
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Filter the API log' },
    ...LOG_FILTERS.map(([k, label]) => el('label', {}, label, el('input', { name: k, value: params.get(k) || '' }))),
    el(
      'div',
      { class: 'row' },
      el('button', { class: 'primary', type: 'submit', text: 'Filter' }),
      el('a', { href: url('/userapi/logs.csv', {}, query), download: 'portico-api-log.csv', text: 'Export CSV' }),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k] of LOG_FILTERS) {
      const input = form.elements.namedItem(k) as HTMLInputElement;
      if (input.value) next.set(k, input.value);
    }
    location.hash = `#/logs?${next}`;
  });
  let body: HTMLElement;
  try {
    const { items } = await call('GET', '/userapi/logs', { query });
    body = items.length
      ? scrollBox(
          'API log entries',
          el(
            'table',
            {},
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...['Time', 'Status', 'Method', 'Path', 'Route', 'ms', 'IP', 'Client'].map((h) =>
                  el('th', { scope: 'col', text: h }),
                ),
              ),
            ),
            el('tbody', {}, ...items.map(logRow)),
          ),
        )
      : el('p', {
          class: 'card muted',
          text: 'No entries. Is the request log on? (Settings → User API → Request log)',
        });
  } catch (e) {
    body = el('p', { class: 'error', text: errorText(e) });
  }
  show('API log', form, body);
}

function logRow(e: LogEntry): HTMLElement {
  return el(
    'tr',
    {
      class: 'clickable',
      tabindex: 0,
      'data-id': e.id,
      onclick: () => openEntry(e.id),
      onkeydown: (ev: Event) => {
        if ((ev as KeyboardEvent).key === 'Enter') openEntry(e.id);
      },
    },
    el('td', { text: e.at.replace('T', ' ').slice(0, 19) }),
    el('td', { class: `status-${String(e.status)[0]}`, text: e.status }),
    el('td', { class: 'method', text: e.method }),
    el('td', { class: 'path', text: e.path }),
    el('td', { class: 'hide-small', text: e.route || '—' }),
    el('td', { text: e.duration_ms }),
    el('td', { class: 'hide-small', text: e.ip }),
    el('td', { class: 'hide-small' }, clientCell(e)),
  );
}

/** The client who sent a request as the admin knows them; a click shows only that client's entries. */
function clientCell(e: Pick<LogEntry, 'client_id' | 'client'>): Node | string {
  if (!e.client_id) return '—';
  const stop = (ev: Event) => ev.stopPropagation();
  return el(
    'div',
    { class: 'client' },
    el('a', {
      href: `#/logs?client_id=${encodeURIComponent(e.client_id)}`,
      title: 'Show only this client’s entries',
      text: e.client ? e.client.name : e.client_id,
      // The row opens the entry; the link filters instead.
      onclick: stop,
      onkeydown: stop,
    }),
    e.client ? el('div', { text: e.client.email }) : '',
    el('div', { class: 'muted client-id', text: e.client_id }),
  );
}

function openEntry(id: string): void {
  location.hash = `#/logs/${id}`;
}

export async function logEntryPage(id: string): Promise<void> {
  const e = await call('GET', '/userapi/logs/{id}', { params: { id } });
  const rows: [string, Node | string | number][] = [
    ['Time', e.at],
    ['Request id', e.request_id],
    ['Method', e.method],
    ['Path called', e.path],
    ['Route', e.route || '—'],
    ['Status', e.status],
    ['Duration', `${e.duration_ms} ms`],
    ['IP', e.ip],
    ['Client', clientCell(e)],
    ['Query', e.query || '—'],
  ];
  show(
    `${e.method} ${e.path} → ${e.status}`,
    el('p', {}, el('a', { href: '#/logs', text: '← API log' })),
    el(
      'table',
      { class: 'card' },
      el('tbody', {}, ...rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row', text: k }), el('td', {}, v)))),
    ),
    el('h2', { text: 'Request headers' }),
    el('pre', { text: JSON.stringify(e.request_headers, null, 2) }),
    el('h2', { text: 'Request body' }),
    el('pre', { text: e.request_body || '—' }),
    el('h2', { text: 'Response body' }),
    el('pre', { text: e.response_body || '—' }),
  );
}
