// Servers: the panels Portico provisions on. Adding one, changing it in place (a rotated key, a
// new certificate), pausing it for maintenance and the runbook check. The access key's secret is
// write-only: the Admin API never answers it, and these forms never show it back.
import { call, type Response, session } from '../api.js';
import { badge, confirmAction, el, errorText, facts, problemText, show, table, toast, when } from '../dom.js';
import { link } from '../nav.js';

type Server = Response<'/servers', 'GET'>['items'][number];
type Check = Response<'/servers/{name}/check', 'POST'>;
type Tls = { mode: 'pin'; sha256: string } | { mode: 'system' } | { mode: 'ca'; ca_pem: string };

const TLS_MODES: [string, string][] = [
  ['pin', 'Pin the certificate’s SHA-256 fingerprint'],
  ['system', 'Verify with the system’s certificate authorities'],
  ['ca', 'Verify with this CA certificate'],
];

function checkTable(name: string, result: Check): HTMLElement {
  return el(
    'div',
    {},
    el('h2', { text: `Check of ${name}: ${result.ok ? 'all good' : 'problems found'}` }),
    table(
      `Check of ${name}`,
      ['Check', 'Verdict', 'Detail', 'What to do'],
      result.results.map((r) => [r.check, badge(r.ok ? 'passed' : 'failed'), r.detail, r.fix ?? '—']),
      { 'data-check': name },
    ),
  );
}

/** Runs the runbook check, showing its progress and then each verdict in `into`. */
async function runCheck(name: string, into: HTMLElement): Promise<void> {
  into.replaceChildren(el('p', { class: 'progress', text: `Checking ${name}…` }));
  try {
    into.replaceChildren(checkTable(name, await call('POST', '/servers/{name}/check', { params: { name } })));
  } catch (e) {
    into.replaceChildren(el('p', { class: 'error', role: 'alert', text: errorText(e) }));
  }
}

/** Asks, then pauses (with a reason) or resumes the server; `done` shows the page again. */
async function pauseOrResume(s: Server, done: () => Promise<void>, error: HTMLElement): Promise<void> {
  error.textContent = '';
  if (s.paused_reason) {
    const ok = await confirmAction({
      title: `Resume ${s.name}?`,
      message:
        'Jobs for this server run again and it takes new accounts. Fix what paused it first, or it pauses again.',
      confirm: 'Resume server',
    });
    if (ok === null) return;
    try {
      await call('POST', '/servers/{name}/resume', { params: { name: s.name } });
      toast(`${s.name} resumed.`);
      await done();
    } catch (e) {
      error.textContent = problemText(e);
    }
    return;
  }
  const reason = await confirmAction({
    title: `Pause ${s.name}?`,
    message:
      'Its queued jobs wait and no new account is placed on it until it is resumed. Nothing on the panel changes.',
    confirm: 'Pause server',
    reason: 'required',
  });
  if (!reason) return;
  try {
    await call('POST', '/servers/{name}/pause', { params: { name: s.name }, body: { reason } });
    toast(`${s.name} paused.`);
    await done();
  } catch (e) {
    error.textContent = problemText(e);
  }
}

function status(s: Server): HTMLElement {
  return s.paused_reason
    ? el('span', {}, badge('paused'), ' ', el('span', { class: 'muted', text: s.paused_reason }))
    : badge(s.enabled ? 'active' : 'disabled');
}

export async function serversPage(): Promise<void> {
  const { items } = await call('GET', '/servers');
  const verdicts = el('div', { role: 'status', 'aria-live': 'polite' });
  const error = el('p', { class: 'error', id: 'servers-error', role: 'alert' });
  show(
    'Servers',
    el('p', {}, link('#/jobs', 'Provisioning queue →')),
    table(
      'Servers',
      ['Server', 'Host', 'Group', 'Accounts', 'Status', 'Actions'],
      items.map((s) => [
        link(`#/servers/${encodeURIComponent(s.name)}`, s.name),
        `${s.host}:${s.port}`,
        s.group,
        `${s.accounts} / ${s.capacity}`,
        status(s),
        el(
          'div',
          { class: 'row' },
          session.may('servers.check')
            ? el('button', {
                type: 'button',
                class: 'small',
                text: 'Run check',
                'aria-label': `Run check on ${s.name}`,
                onclick: () => runCheck(s.name, verdicts),
              })
            : null,
          session.may('servers')
            ? el('button', {
                type: 'button',
                class: 'small',
                text: s.paused_reason ? 'Resume' : 'Pause',
                'aria-label': `${s.paused_reason ? 'Resume' : 'Pause'} ${s.name}`,
                'aria-describedby': 'servers-error',
                onclick: () => pauseOrResume(s, serversPage, error),
              })
            : null,
        ),
      ]),
      { 'data-list': 'servers' },
    ),
    error,
    verdicts,
    // Adding and changing servers (their keys) is the owner's (the servers permission).
    session.may('servers') ? addServerForm() : null,
  );
}

export async function serverPage(name: string): Promise<void> {
  const { items } = await call('GET', '/servers');
  const s = items.find((x) => x.name === name);
  if (!s) {
    show('No such server', el('p', {}, `No server is named ${name}. `, link('#/servers', 'All servers')));
    return;
  }
  const reload = () => serverPage(name);
  const verdicts = el('div', { role: 'status', 'aria-live': 'polite' });
  const error = el('p', { class: 'error', id: 'server-error', role: 'alert' });
  show(
    `Server ${s.name}`,
    el('p', {}, link('#/servers', '← Servers')),
    el('div', { class: 'row' }, status(s), s.sandbox ? el('span', { class: 'badge', text: 'sandbox' }) : null),
    el(
      'div',
      { class: 'row actions' },
      session.may('servers.check')
        ? el('button', {
            type: 'button',
            class: 'secondary',
            text: 'Run check',
            onclick: () => runCheck(s.name, verdicts),
          })
        : null,
      session.may('servers')
        ? el('button', {
            type: 'button',
            class: s.paused_reason ? 'primary' : 'secondary',
            text: s.paused_reason ? 'Resume server' : 'Pause server',
            'aria-describedby': 'server-error',
            onclick: () => pauseOrResume(s, reload, error),
          })
        : null,
    ),
    error,
    verdicts,
    facts([
      ['Address', `${s.host}:${s.port}`],
      ['Group', s.group],
      ['Accounts', `${s.accounts} of ${s.capacity}`],
      ['TLS', TLS_MODES.find(([m]) => m === s.tls_mode)?.[1] ?? s.tls_mode],
      ['Access key', 'Set (never shown)'],
      ['Added', when(s.created_at)],
    ]),
    session.may('servers') ? updateServerForm(s, reload) : null,
  );
}

/** The TLS choice with the field its mode needs; `keep` adds "leave it as it is" (for a change). */
function tlsFields(prefix: string, keep: boolean) {
  const mode = el(
    'select',
    // Named on its own: a label around a select would take the chosen option's text into its name.
    { name: 'tls_mode', 'aria-label': 'TLS trust' },
    keep ? el('option', { value: '', text: 'Leave it as it is' }) : null,
    ...TLS_MODES.map(([v, text]) => el('option', { value: v, text })),
  );
  const sha256 = el('input', {
    name: 'sha256',
    id: `${prefix}-sha256`,
    maxlength: 100,
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const caPem = el('textarea', { name: 'ca_pem', id: `${prefix}-ca`, rows: 4, spellcheck: 'false' });
  const shaLabel = el('label', {}, 'SHA-256 fingerprint (AB:CD:…)', sha256);
  const caLabel = el('label', { class: 'wide' }, 'CA certificate (PEM)', caPem);
  const sync = () => {
    shaLabel.hidden = mode.value !== 'pin';
    caLabel.hidden = mode.value !== 'ca';
    sha256.required = mode.value === 'pin';
    caPem.required = mode.value === 'ca';
  };
  mode.addEventListener('change', sync);
  sync();
  const value = (): Tls | undefined => {
    if (mode.value === 'pin') return { mode: 'pin', sha256: sha256.value.trim() };
    if (mode.value === 'ca') return { mode: 'ca', ca_pem: caPem.value };
    if (mode.value === 'system') return { mode: 'system' };
    return undefined;
  };
  return { nodes: [el('label', {}, 'TLS trust', mode), shaLabel, caLabel], value };
}

/** The access key as two fields; the secret is a password field, emptied once sent. */
function keyFields(required: boolean) {
  const keyId = el('input', { name: 'key_id', required, maxlength: 20, autocomplete: 'off', spellcheck: 'false' });
  const secret = el('input', {
    name: 'key_secret',
    type: 'password',
    required,
    maxlength: 40,
    autocomplete: 'new-password',
  });
  const label = required ? '' : 'New ';
  return {
    nodes: [el('label', {}, `${label}access key id`, keyId), el('label', {}, `${label}access key secret`, secret)],
    /** `ID:SECRET` as the Admin API takes it; undefined when both are empty (a change keeps the key). */
    value: (): string | undefined =>
      keyId.value || secret.value ? `${keyId.value.trim()}:${secret.value}` : undefined,
    clear: () => {
      secret.value = '';
    },
  };
}

function addServerForm(): HTMLElement {
  const name = el('input', { name: 'name', required: true, maxlength: 63, pattern: '[a-z0-9][a-z0-9._\\-]*' });
  const host = el('input', { name: 'host', required: true, maxlength: 253 });
  const port = el('input', { name: 'port', type: 'number', min: 1, max: 65535, value: 8083, required: true });
  const group = el('input', { name: 'group', value: 'default', required: true, maxlength: 63 });
  const capacity = el('input', { name: 'capacity', type: 'number', min: 0, value: 100, required: true });
  const rootUser = el('input', { name: 'root_user', value: 'admin', required: true, maxlength: 32 });
  const key = keyFields(true);
  const tls = tlsFields('add', false);
  const error = el('p', { class: 'error', id: 'add-server-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Add a server', 'aria-describedby': 'add-server-error' },
    el('h2', { text: 'Add a server' }),
    el('label', {}, 'Name', name),
    el('label', {}, 'Host', host),
    el('label', {}, 'Port', port),
    ...key.nodes,
    ...tls.nodes,
    el('label', {}, 'Group', group),
    el('label', {}, 'Capacity (accounts)', capacity),
    el('label', {}, 'Panel admin user', rootUser),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'primary', text: 'Add server' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const trust = tls.value();
    if (!trust) return;
    try {
      const added = await call('POST', '/servers', {
        body: {
          name: name.value.trim(),
          host: host.value.trim(),
          port: Number(port.value),
          access_key: key.value() ?? '',
          tls: trust,
          group: group.value.trim(),
          capacity: Number(capacity.value),
          root_user: rootUser.value.trim(),
        },
      });
      key.clear();
      toast(`Server ${added.name} added: run its check next.`);
      location.hash = `#/servers/${encodeURIComponent(added.name)}`;
    } catch (e) {
      error.textContent = problemText(e);
    }
  });
  return form;
}

function updateServerForm(s: Server, reload: () => Promise<void>): HTMLElement {
  const host = el('input', { name: 'host', required: true, maxlength: 253, value: s.host });
  const port = el('input', { name: 'port', type: 'number', min: 1, max: 65535, value: s.port, required: true });
  const group = el('input', { name: 'group', required: true, maxlength: 63, value: s.group });
  const capacity = el('input', { name: 'capacity', type: 'number', min: 0, value: s.capacity, required: true });
  const key = keyFields(false);
  const tls = tlsFields('change', true);
  const error = el('p', { class: 'error', id: 'change-server-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'Change the server', 'aria-describedby': 'change-server-error' },
    el('h2', { text: 'Change the server' }),
    el('label', {}, 'Host', host),
    el('label', {}, 'Port', port),
    el('label', {}, 'Group', group),
    el('label', {}, 'Capacity (accounts)', capacity),
    ...key.nodes,
    ...tls.nodes,
    el('p', {
      class: 'muted wide',
      text: 'Leave the key empty to keep it. A new key, TLS trust or address is checked against the panel at once.',
    }),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'primary', text: 'Save changes' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const accessKey = key.value();
    const trust = tls.value();
    const body = {
      ...(host.value.trim() !== s.host ? { host: host.value.trim() } : {}),
      ...(Number(port.value) !== s.port ? { port: Number(port.value) } : {}),
      ...(group.value.trim() !== s.group ? { group: group.value.trim() } : {}),
      ...(Number(capacity.value) !== s.capacity ? { capacity: Number(capacity.value) } : {}),
      ...(accessKey ? { access_key: accessKey } : {}),
      ...(trust ? { tls: trust } : {}),
    };
    if (Object.keys(body).length === 0) {
      error.textContent = 'Nothing to change: edit a field, or give a new key or TLS trust.';
      return;
    }
    // A new key or trust decides whether jobs reach the panel: the admin confirms it first.
    if (accessKey || trust) {
      const ok = await confirmAction({
        title: `Change how Portico reaches ${s.name}?`,
        message: `${accessKey ? 'The access key is replaced. ' : ''}${trust ? 'The TLS trust is replaced. ' : ''}Every worker uses the new settings for its next call; they are checked against the panel now.`,
        confirm: 'Save changes',
      });
      if (ok === null) return;
    }
    try {
      const saved = await call('PATCH', '/servers/{name}', { params: { name: s.name }, body });
      key.clear();
      await reload();
      const check = saved.access_check;
      toast(
        check
          ? `${s.name} saved; access ${check.ok ? 'checked: it works' : 'check failed'}${saved.resumed ? ', and it was resumed' : ''}.`
          : `${s.name} saved.`,
      );
      if (check) {
        document
          .querySelector('#main')
          ?.append(
            el(
              'div',
              { role: 'status', 'data-access-check': check.ok ? 'passed' : 'failed' },
              el('h2', { text: 'Access check after the change' }),
              table(
                'Access check after the change',
                ['Check', 'Verdict', 'Detail', 'What to do'],
                [[check.check, badge(check.ok ? 'passed' : 'failed'), check.detail, check.fix ?? '—']],
              ),
            ),
          );
      }
    } catch (e) {
      error.textContent = problemText(e);
    }
  });
  return form;
}
