// Portico admin area: a small client of the Admin API. Every value from the server is inserted as
// text (never as HTML), state changes carry the session's CSRF token.

const API = '/admin/api/v1';
let csrf = null;

const $ = (sel) => document.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const child of children.flat())
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function toast(message) {
  const t = $('#toast');
  t.textContent = message;
  t.classList.add('show');
  setTimeout(() => t.classList.remove('show'), 2500);
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(API + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (res.status === 401) {
    // Logged out (or a wrong password on the login form): the server says which, and why.
    csrf = null;
    if (!location.hash.startsWith('#/login')) location.hash = '#/login';
    throw new Error(data.detail || 'Please log in.');
  }
  if (!res.ok) {
    const error = new Error(data.detail || data.title || 'Request failed');
    error.fields = data.errors || [];
    throw error;
  }
  return data;
}

function show(...nodes) {
  const main = $('#main');
  main.replaceChildren(...nodes);
  main.focus();
}

function setNav(active) {
  $('#nav').hidden = !csrf;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#/${active}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// ---- login ----
function loginPage() {
  setNav('');
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card login', 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title', text: 'Log in to Portico admin' }),
    el('label', {}, 'Email', el('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
    el(
      'label',
      {},
      'Password',
      el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    ),
    error,
    el('button', { class: 'primary', type: 'submit', text: 'Log in' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const session = await api('POST', '/session', { email: form.email.value, password: form.password.value });
      csrf = session.csrf_token;
      location.hash = '#/routes';
    } catch (e) {
      error.textContent = e.message;
    }
  });
  show(form);
  form.email.focus();
}

// ---- settings ----
const SETTING_FIELDS = [
  ['userapi.logging', 'Request log — enable for debugging', 'check'],
  ['userapi.log_retention_days', 'Keep log entries (days)', 'number'],
  ['userapi.rate_limit', 'Rate limit (e.g. 100/60s, or off)', 'text'],
  ['userapi.auth_methods', 'Authentication methods', 'methods'],
  ['userapi.jwt_key_path', 'JWT private key file (empty: generated key)', 'text'],
  ['userapi.docs.company_name', 'Company name on the docs', 'text'],
  ['userapi.docs.logo_url', 'Logo URL on the docs', 'url'],
  ['userapi.docs.intro', 'Docs introduction (Markdown)', 'textarea'],
];

async function settingsPage() {
  setNav('settings');
  const { items } = await api('GET', '/userapi/settings');
  const values = Object.fromEntries(items.map((s) => [s.key, s.value]));
  const errors = {};
  const fields = SETTING_FIELDS.map(([key, label, kind]) => {
    errors[key] = el('span', { class: 'error', id: `err-${key}` });
    let input;
    if (kind === 'check') {
      input = el('input', { type: 'checkbox', name: key, checked: values[key] === 'on' || values[key] === 'true' });
      return el('div', {}, el('label', { class: 'check' }, input, label), errors[key]);
    }
    if (kind === 'methods') {
      const on = values[key].split(',');
      return el(
        'fieldset',
        { class: 'card' },
        el('legend', { text: label }),
        ...['basic', 'jwt', 'token'].map((m) =>
          el(
            'label',
            { class: 'check' },
            el('input', { type: 'checkbox', name: `method-${m}`, checked: on.includes(m) }),
            m,
          ),
        ),
        errors[key],
      );
    }
    input =
      kind === 'textarea'
        ? el('textarea', { name: key })
        : el('input', { type: kind, name: key, 'aria-describedby': `err-${key}` });
    input.value = values[key];
    return el('div', {}, el('label', {}, label, input), errors[key]);
  });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'User API settings' },
    ...fields,
    el('div', {}, el('button', { class: 'primary', type: 'submit', text: 'Save settings' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const e of Object.values(errors)) e.textContent = '';
    const body = {};
    for (const [key, , kind] of SETTING_FIELDS) {
      if (kind === 'check') body[key] = form.elements[key].checked ? 'on' : 'off';
      else if (kind === 'methods')
        body[key] = ['basic', 'jwt', 'token'].filter((m) => form.elements[`method-${m}`].checked).join(',');
      else body[key] = form.elements[key].value;
    }
    try {
      await api('PATCH', '/userapi/settings', body);
      toast('Settings saved: every instance follows within a second.');
    } catch (e) {
      if (!e.fields.length) toast(e.message);
      for (const f of e.fields) {
        const key = f.field.replace(/^body\./, '');
        if (errors[key]) errors[key].textContent = f.message;
        else toast(f.message);
      }
    }
  });
  show(el('h1', { text: 'User API settings' }), form);
}

// ---- routes ----
async function routesPage() {
  setNav('routes');
  const { items } = await api('GET', '/userapi/routes');
  // An alias is a route entry of its own: it is listed under its own category.
  const aliases = items.flatMap((r) => r.aliases);
  const categories = [...new Set([...items, ...aliases].map((r) => r.category))].sort();
  const sections = categories.map((category) =>
    el(
      'section',
      { 'aria-label': category },
      el('h2', { text: category }),
      el(
        'table',
        { class: 'routes' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['On', 'Route', 'Name in the docs', 'Category', 'Description', 'Aliases', ''].map((h) =>
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
  );
  show(
    el('h1', { text: 'Routes' }),
    el('p', {
      class: 'muted',
      text: 'Changes apply to every running instance within a second. A disabled route answers 404 and leaves the docs. An alias is enabled on its own: disable a route and keep its alias to move it to another path.',
    }),
    ...sections,
  );
}

/** The inputs every route entry has (a route or an alias): enabled, name, category, description. */
function entryFields(label, entry) {
  return {
    enabled: el('input', { type: 'checkbox', checked: entry.enabled, 'aria-label': `Enable ${label}` }),
    name: el('input', { type: 'text', value: entry.name, 'aria-label': `Name of ${label}` }),
    category: el('input', { type: 'text', value: entry.category, 'aria-label': `Category of ${label}` }),
    description: el('textarea', { rows: '2', 'aria-label': `Description of ${label}` }, entry.description),
  };
}

/** What the name, category and description inputs hold; a value equal to the default is saved as the default (null). */
function docsChanges(f, entry) {
  const own = (value, fallback) => (value === fallback ? null : value);
  return {
    name: own(f.name.value, entry.default_name),
    category: own(f.category.value, entry.default_category),
    description: own(f.description.value, entry.default_description),
  };
}

async function saveEntry(method, path, changes, message) {
  try {
    await api(method, path, changes);
    toast(message);
    return true;
  } catch (e) {
    toast(e.message);
    return false;
  }
}

function routeRow(route) {
  const f = entryFields(route.operation_id, route);
  const url = `/userapi/routes/${route.operation_id}`;
  f.enabled.addEventListener('change', () =>
    saveEntry(
      'PATCH',
      url,
      { enabled: f.enabled.checked },
      `${route.operation_id} ${f.enabled.checked ? 'enabled' : 'disabled'}`,
    ),
  );
  const aliasInput = el('input', {
    type: 'text',
    placeholder: '/cloud/{id}',
    'aria-label': `New alias for ${route.operation_id}`,
  });
  const aliases = route.aliases.map((a) =>
    el(
      'div',
      { class: 'row' },
      el('code', { text: a.path }),
      a.enabled ? '' : el('span', { class: 'badge off', text: 'off' }),
    ),
  );
  const addAlias = el(
    'form',
    { class: 'row' },
    aliasInput,
    el('button', { class: 'small', type: 'submit', text: 'Add alias' }),
  );
  addAlias.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const added = await api('POST', `${url}/aliases`, { path: aliasInput.value });
      toast(`Alias ${added.path} added`);
      await routesPage();
    } catch (e) {
      toast(e.message);
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
    el('td', {}, ...aliases, addAlias),
    el(
      'td',
      {},
      el('button', {
        class: 'small',
        type: 'button',
        text: 'Save',
        onclick: async () => {
          if (await saveEntry('PATCH', url, docsChanges(f, route), `${route.operation_id} saved`)) await routesPage();
        },
      }),
    ),
  );
}

function aliasRow(alias) {
  const label = `alias ${alias.path}`;
  const f = entryFields(label, alias);
  const url = `/userapi/aliases?path=${encodeURIComponent(alias.path)}`;
  f.enabled.addEventListener('change', () =>
    saveEntry(
      'PATCH',
      url,
      { enabled: f.enabled.checked },
      `Alias ${alias.path} ${f.enabled.checked ? 'enabled' : 'disabled'}`,
    ),
  );
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
          if (await saveEntry('DELETE', url, undefined, `Alias ${alias.path} removed`)) await routesPage();
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
          if (await saveEntry('PATCH', url, docsChanges(f, alias), `Alias ${alias.path} saved`)) await routesPage();
        },
      }),
    ),
  );
}

// ---- logs ----
const LOG_FILTERS = [
  ['client_id', 'Client id'],
  ['email', 'Client email'],
  ['route', 'Route (operationId or path)'],
  ['status', 'Status'],
  ['ip', 'IP address'],
  ['since', 'From (ISO time)'],
  ['until', 'Until (ISO time)'],
];

async function logsPage(params) {
  setNav('logs');
  const query = new URLSearchParams([...params].filter(([, v]) => v));
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Filter the API log' },
    ...LOG_FILTERS.map(([k, label]) => el('label', {}, label, el('input', { name: k, value: params.get(k) || '' }))),
    el(
      'div',
      { class: 'row' },
      el('button', { class: 'primary', type: 'submit', text: 'Filter' }),
      el('a', { href: `${API}/userapi/logs.csv?${query}`, download: 'portico-api-log.csv', text: 'Export CSV' }),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [k] of LOG_FILTERS) if (form.elements[k].value) next.set(k, form.elements[k].value);
    location.hash = `#/logs?${next}`;
  });
  let body;
  try {
    const { items } = await api('GET', `/userapi/logs?${query}`);
    body = items.length
      ? el(
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
          el(
            'tbody',
            {},
            ...items.map((e) =>
              el(
                'tr',
                {
                  class: 'clickable',
                  tabindex: '0',
                  'data-id': e.id,
                  onclick: () => openEntry(e.id),
                  onkeydown: (ev) => {
                    if (ev.key === 'Enter') openEntry(e.id);
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
              ),
            ),
          ),
        )
      : el('p', { class: 'card muted', text: 'No entries. Is the request log on? (User API settings → Request log)' });
  } catch (e) {
    body = el('p', { class: 'error', text: e.message });
  }
  show(el('h1', { text: 'API log' }), form, body);
}

/** The client who sent a request as the admin knows them; a click shows only that client's entries. */
function clientCell(e) {
  if (!e.client_id) return '—';
  const link = el('a', {
    href: `#/logs?client_id=${encodeURIComponent(e.client_id)}`,
    title: 'Show only this client’s entries',
    text: e.client ? e.client.name : e.client_id,
    // The row opens the entry; the link filters instead.
    onclick: (ev) => ev.stopPropagation(),
    onkeydown: (ev) => ev.stopPropagation(),
  });
  return el(
    'div',
    { class: 'client' },
    link,
    e.client ? el('div', { text: e.client.email }) : '',
    el('div', { class: 'muted client-id', text: e.client_id }),
  );
}

function openEntry(id) {
  location.hash = `#/logs/${id}`;
}

async function logEntryPage(id) {
  setNav('logs');
  const e = await api('GET', `/userapi/logs/${encodeURIComponent(id)}`);
  const rows = [
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
    el('p', {}, el('a', { href: '#/logs', text: '← API log' })),
    el('h1', { text: `${e.method} ${e.path} → ${e.status}` }),
    el(
      'table',
      { class: 'card' },
      el(
        'tbody',
        {},
        ...rows.map(([k, v]) =>
          el('tr', {}, el('th', { scope: 'row', text: k }), el('td', {}, v instanceof Node ? v : String(v))),
        ),
      ),
    ),
    el('h2', { text: 'Request headers' }),
    el('pre', { text: JSON.stringify(e.request_headers, null, 2) }),
    el('h2', { text: 'Request body' }),
    el('pre', { text: e.request_body || '—' }),
    el('h2', { text: 'Response body' }),
    el('pre', { text: e.response_body || '—' }),
  );
}

// ---- router ----
async function route() {
  const [path, queryString] = location.hash.replace(/^#/, '').split('?');
  try {
    if (!csrf && path !== '/login') {
      const session = await api('GET', '/session');
      csrf = session.csrf_token;
    }
    if (path === '/login') return loginPage();
    if (path === '/settings') return await settingsPage();
    if (path.startsWith('/logs/')) return await logEntryPage(path.slice(6));
    if (path === '/logs') return await logsPage(new URLSearchParams(queryString || ''));
    return await routesPage();
  } catch (e) {
    if (location.hash !== '#/login') toast(e.message);
  }
}

$('#logout').addEventListener('click', async () => {
  try {
    await api('DELETE', '/session');
  } finally {
    csrf = null;
    location.hash = '#/login';
  }
});
window.addEventListener('hashchange', () => void route());
void route();
