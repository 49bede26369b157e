import { ApiError, call, session } from '../api.js';
import { el, errorText, show } from '../dom.js';
import { link } from '../nav.js';

/** Which input a field named in a problem+json answer belongs to. */
function markInvalid(e: unknown, inputs: Record<string, HTMLInputElement>): void {
  for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
  if (!(e instanceof ApiError)) return;
  for (const f of e.fields) inputs[f.field]?.setAttribute('aria-invalid', 'true');
}

/** The server's explanation, with the reason of each field it names. */
function problemText(e: unknown): string {
  if (!(e instanceof ApiError)) return errorText(e);
  const reasons = e.fields.map((f) => f.message).filter((m) => !e.message.includes(m));
  return reasons.length ? `${e.message} (${reasons.join('; ')})` : e.message;
}

/**
 * "Forgot your password?", before logging in: the email asks for a code (the server answers the
 * same whether or not the address is a staff account), then the code from the email and a new
 * password set it. The second form is always there, for a code an owner had sent from the staff
 * page. Setting the password ends every session of the account, so the page goes back to the login.
 */
export function forgotPasswordPage(): void {
  const email = el('input', {
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    'aria-describedby': 'reset-ask-message',
  });
  const asked = el('p', { id: 'reset-ask-message', role: 'status' });
  const askError = el('p', { class: 'error', role: 'alert' });
  const ask = el(
    'form',
    { class: 'card login', 'aria-label': 'Ask for a reset code' },
    el('h2', { text: '1. Get a code by email' }),
    el('label', {}, 'Email', email),
    asked,
    askError,
    el('button', { class: 'primary', type: 'submit', text: 'Email me a reset code' }),
  );

  const code = el('input', {
    name: 'token',
    autocomplete: 'one-time-code',
    required: true,
    maxlength: 200,
    'aria-describedby': 'reset-error',
  });
  const password = el('input', {
    name: 'new_password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: 10,
    maxlength: 200,
    'aria-describedby': 'reset-error',
  });
  const again = el('input', {
    name: 'new_password_again',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    'aria-describedby': 'reset-error',
  });
  const error = el('p', { class: 'error', id: 'reset-error', role: 'alert' });
  const confirm = el(
    'form',
    { class: 'card login', 'aria-label': 'Set a new password' },
    el('h2', { text: '2. Set a new password' }),
    el('label', {}, 'Code from the email', code),
    el('label', {}, 'New password (at least 10 characters)', password),
    el('label', {}, 'New password again', again),
    error,
    el(
      'div',
      { class: 'row spread' },
      el('button', { class: 'primary', type: 'submit', text: 'Set new password' }),
      link('#/login', 'Back to log in'),
    ),
  );

  ask.addEventListener('submit', async (event) => {
    event.preventDefault();
    asked.textContent = '';
    askError.textContent = '';
    try {
      const answer = await call('POST', '/auth/password-reset', { body: { email: email.value } });
      asked.textContent = `${answer.message} Enter it below.`;
      code.focus();
    } catch (e) {
      markInvalid(e, { 'body.email': email });
      askError.textContent = problemText(e);
    }
  });
  confirm.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    markInvalid(null, { token: code, password, again });
    if (password.value !== again.value) {
      again.setAttribute('aria-invalid', 'true');
      error.textContent = 'The two new passwords differ: type the same password twice.';
      again.focus();
      return;
    }
    try {
      await call('POST', '/auth/password-reset/confirm', {
        body: { token: code.value.trim(), new_password: password.value },
      });
      // Every session of the account has ended, this browser's too.
      session.set(null);
      location.hash = '#/login?reset=done';
    } catch (e) {
      markInvalid(e, { 'body.token': code, 'body.new_password': password });
      error.textContent = problemText(e);
    }
  });
  show(
    'Reset your password',
    el('p', {
      class: 'login',
      text: 'For staff accounts of this admin area. The code works once, for 30 minutes; asking again replaces it.',
    }),
    ask,
    confirm,
  );
  email.focus();
}
