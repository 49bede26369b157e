// Staff accounts: who may use the admin area, in which role, with or without two-factor login.
import { ApiError, call, type Response, session } from '../api.js';
import { badge, confirmAction, el, errorText, show, table, toast } from '../dom.js';

type StaffMember = Response<'/staff', 'GET'>['items'][number];
type Role = StaffMember['role'];

const ROLES: readonly [Role, string][] = [
  ['owner', 'everything, staff and servers included'],
  ['billing', 'clients, credit, invoices, the catalog'],
  ['support', 'clients, services on the panels, the queue, the API log'],
  ['read_only', 'sees what every role sees, changes nothing'],
];
const roleName = (role: string) => role.replaceAll('_', ' ');

/**
 * The staff page, for roles with the `staff` permission (owners). Others are told whose job it is:
 * the list itself is theirs only (docs/adr/0011), and the navigation leaves the link out for them.
 */
export async function staffPage(notice?: HTMLElement): Promise<void> {
  if (!session.may('staff')) {
    show(
      'Staff',
      el('p', {
        class: 'card',
        text: `Staff accounts are managed by owners; your role is ${roleName(session.me?.role ?? 'unknown')}. Ask an owner to change your role if your work needs it.`,
      }),
    );
    return;
  }
  const { items } = await call('GET', '/staff');
  const reload = () => staffPage();
  /** Runs a change, then shows the list again; false (with the server's reason shown) when refused. */
  const run = async (done: string, action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
    } catch (e) {
      toast(errorText(e));
      return false;
    }
    toast(done);
    await reload();
    return true;
  };
  const me = session.me?.email;

  const changeRole = async (s: StaffMember, select: HTMLSelectElement) => {
    const role = select.value as Role;
    const yes = await confirmAction({
      title: `Make ${s.email} ${roleName(role)}?`,
      message: `${s.name} is ${roleName(s.role)} now. The new role takes effect on their next request.`,
      confirm: 'Change role',
    });
    if (yes === null) {
      select.value = s.role;
      return;
    }
    const changed = await run(`${s.email} is now ${roleName(role)}.`, () =>
      call('PATCH', '/staff/{id}', { params: { id: s.id }, body: { role } }),
    );
    if (!changed) select.value = s.role;
    // Your own new role: start again with what it may do (the server already enforces it).
    else if (s.email === me) location.reload();
  };
  const resetTotp = async (s: StaffMember) => {
    const yes = await confirmAction({
      title: `Reset two-factor login of ${s.email}?`,
      message:
        'For a lost phone: their authenticator secret and recovery codes are removed and their sessions end. They log in with their password and, if their role requires it, set two-factor login up again.',
      confirm: 'Reset two-factor',
    });
    if (yes !== null)
      await run(`Two-factor login of ${s.email} removed.`, () =>
        call('DELETE', '/staff/{id}/totp', { params: { id: s.id } }),
      );
  };
  const sendReset = async (s: StaffMember) => {
    const yes = await confirmAction({
      title: `Send ${s.email} a password reset email?`,
      message:
        'They get a code, valid 30 minutes, to set a new password under “Forgot your password?” on the login page. Their password works until they use it; then their sessions end.',
      confirm: 'Send reset email',
    });
    if (yes === null) return;
    try {
      const sent = await call('POST', '/staff/{id}/password-reset', { params: { id: s.id } });
      toast(`Password reset email queued for ${sent.to}.`);
    } catch (e) {
      toast(errorText(e));
    }
  };
  const setStatus = async (s: StaffMember, status: 'active' | 'disabled') => {
    const yes = await confirmAction(
      status === 'disabled'
        ? {
            title: `Disable ${s.email}?`,
            message: 'They can no longer log in, and their sessions end now. You can enable them again.',
            confirm: 'Disable',
          }
        : { title: `Enable ${s.email}?`, message: 'They can log in again.', confirm: 'Enable' },
    );
    if (yes !== null)
      await run(`${s.email} is ${status === 'active' ? 'enabled' : 'disabled'}.`, () =>
        call('PATCH', '/staff/{id}', { params: { id: s.id }, body: { status } }),
      );
  };

  show(
    'Staff',
    notice ?? null,
    table(
      'Staff',
      ['Name', 'Email', 'Role', 'Status', 'Two-factor', 'Actions'],
      items.map((s) => {
        const select = el(
          'select',
          { 'aria-label': `Role of ${s.email}`, name: 'role' },
          ...ROLES.map(([value]) => el('option', { value, text: roleName(value), selected: value === s.role })),
        );
        select.addEventListener('change', () => void changeRole(s, select));
        return [
          el('span', {}, s.name, s.email === me ? el('span', { class: 'muted', text: ' (you)' }) : null),
          s.email,
          select,
          badge(s.status),
          s.totp_enrolled ? badge('on') : el('span', { class: 'muted', text: 'off' }),
          el(
            'div',
            { class: 'row' },
            s.status === 'active'
              ? el('button', {
                  type: 'button',
                  class: 'small',
                  text: 'Send password reset',
                  'aria-label': `Send password reset email to ${s.email}`,
                  onclick: () => sendReset(s),
                })
              : null,
            s.totp_enrolled
              ? el('button', {
                  type: 'button',
                  class: 'small',
                  text: 'Reset two-factor',
                  'aria-label': `Reset two-factor login of ${s.email}`,
                  onclick: () => resetTotp(s),
                })
              : null,
            s.email === me
              ? null
              : el('button', {
                  type: 'button',
                  class: 'small',
                  text: s.status === 'active' ? 'Disable' : 'Enable',
                  'aria-label': `${s.status === 'active' ? 'Disable' : 'Enable'} ${s.email}`,
                  onclick: () => setStatus(s, s.status === 'active' ? 'disabled' : 'active'),
                }),
          ),
        ];
      }),
      { 'data-list': 'staff' },
    ),
    el('h2', { text: 'New staff member' }),
    createForm(),
  );
}

/**
 * A new staff account. Without a password the server makes one and returns it once: the page shows
 * it above the list, to hand over safely (there is no email invitation).
 */
function createForm(): HTMLFormElement {
  const email = el('input', { name: 'email', type: 'email', required: true, maxlength: 254 });
  const name = el('input', { name: 'name', maxlength: 200 });
  const role = el(
    'select',
    { name: 'role', required: true },
    ...ROLES.map(([value]) => el('option', { value, text: roleName(value), selected: value === 'support' })),
  );
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'new-password', maxlength: 200 });
  const error = el('p', { class: 'error', id: 'staff-error', role: 'alert' });
  for (const input of [email, name, role, password]) input.setAttribute('aria-describedby', 'staff-error');
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'New staff member' },
    el('label', {}, 'Email', email),
    el('label', {}, 'Name', name),
    el('label', {}, 'Role', role),
    el('label', {}, 'Initial password (empty: one is made for you)', password),
    el(
      'div',
      { class: 'span-all' },
      el(
        'p',
        { class: 'muted' },
        'Roles: ',
        ROLES.map(([value, text], i) => [i ? '; ' : '', el('strong', { text: roleName(value) }), ` — ${text}`]),
        '.',
      ),
      error,
      el('button', { class: 'primary', type: 'submit', text: 'Create staff member' }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const fields: Record<string, HTMLElement> = { email, name, role, password };
    for (const f of Object.values(fields)) f.removeAttribute('aria-invalid');
    try {
      const created = await call('POST', '/staff', {
        body: {
          email: email.value,
          role: role.value as Role,
          ...(name.value ? { name: name.value } : {}),
          ...(password.value ? { password: password.value } : {}),
        },
      });
      const s = created.staff;
      toast(`${s.email} created as ${roleName(s.role)}.`);
      await staffPage(
        el(
          'div',
          { class: 'card notice', role: 'status' },
          el('p', { text: `${s.email} can log in now as ${roleName(s.role)}.` }),
          created.initial_password
            ? el(
                'p',
                {},
                'Their initial password, shown only now — hand it over safely: ',
                el('code', { 'data-initial-password': '', text: created.initial_password }),
              )
            : null,
        ),
      );
    } catch (e) {
      if (e instanceof ApiError) {
        for (const f of e.fields) fields[f.field.replace(/^body\./, '')]?.setAttribute('aria-invalid', 'true');
      }
      error.textContent =
        e instanceof ApiError && e.fields.length
          ? `${e.message} (${e.fields.map((f) => `${f.field.replace(/^body\./, '')} ${f.message}`).join('; ')})`
          : errorText(e);
    }
  });
  return form;
}
