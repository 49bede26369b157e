import { ApiError, call, session } from '../api.js';
import { el, show } from '../dom.js';
import { link } from '../nav.js';

/**
 * The login form. When the server asks for a second factor (401 `totp_required`) it shows the
 * authenticator code field and sends it with the next attempt. `passwordReset`: the admin has just
 * set a new password (#/forgot-password), and is told so.
 */
export function loginPage(next: string, passwordReset = false): void {
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
    el(
      'div',
      { class: 'row spread' },
      el('button', { class: 'primary', type: 'submit', text: 'Log in' }),
      link('#/forgot-password', 'Forgot your password?'),
    ),
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
      session.set(s.csrf_token, s);
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
  show(
    'Log in to Portico admin',
    passwordReset
      ? el('p', {
          class: 'card login notice',
          role: 'status',
          text: 'Your new password is set and your other sessions have ended. Log in with the new password.',
        })
      : null,
    form,
  );
  email.focus();
}
