import { ApiError, call, session } from '../api.js';
import { el, show } from '../dom.js';

/**
 * The login form. When the server asks for a second factor (401 `totp_required`) it shows the
 * authenticator code field and sends it with the next attempt.
 */
export function loginPage(next: string): void {
  const error = el('p', { class: 'error', role: 'alert' });
  const code = el('input', {
    name: 'totp_code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: 32,
  });
  const codeField = el('label', { hidden: true }, 'Code from your authenticator app, or a recovery code', code);
  const email = el('input', { name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = el('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const form = el(
    'form',
    { class: 'card login', 'aria-label': 'Log in' },
    el('label', {}, 'Email', email),
    el('label', {}, 'Password', password),
    codeField,
    error,
    el('button', { class: 'primary', type: 'submit', text: 'Log in' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body: { email: string; password: string; totp_code?: string } = {
      email: email.value,
      password: password.value,
    };
    if (!codeField.hidden && code.value) body.totp_code = code.value;
    try {
      const s = await call('POST', '/session', { body });
      session.set(s.csrf_token);
      const target = next && next !== '#/login' ? next : '#/';
      location.hash = s.totp_enrolment_required ? `#/two-factor?next=${encodeURIComponent(target)}` : target;
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'totp_required' || e.code === 'totp_invalid')) {
        codeField.hidden = false;
        code.required = true;
        code.focus();
      }
      error.textContent = e instanceof Error ? e.message : String(e);
    }
  });
  show('Log in to Portico admin', form);
  email.focus();
}
