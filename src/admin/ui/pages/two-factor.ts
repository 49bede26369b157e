import { ApiError, call } from '../api.js';
import { el, errorText, show } from '../dom.js';

/**
 * Setting up two-factor login: the secret as a QR code (and as text, for typing in), a code from
 * the authenticator app to confirm it, then the ten recovery codes, shown this once. Staff whose
 * role requires two-factor login are sent here until they have done it.
 */
export async function twoFactorPage(next: string): Promise<void> {
  const me = await call('GET', '/session');
  if (me.totp_enrolled) {
    show(
      'Two-factor login',
      el('p', {
        text: 'Two-factor login is on for your account. To move it to a new phone, ask an owner to reset it.',
      }),
    );
    return;
  }
  const enrolment = await call('POST', '/session/totp', {});
  const qr = el('img', {
    class: 'qr',
    alt: 'QR code holding your two-factor secret',
    width: 200,
    height: 200,
    src: `data:image/svg+xml;base64,${btoa(enrolment.qr_svg)}`,
  });
  const code = el('input', {
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
    required: true,
  });
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card', 'aria-label': 'Set up two-factor login' },
    el(
      'p',
      {},
      me.totp_enrolment_required
        ? 'Your role logs in with a second factor. Set it up to go on: '
        : 'Protect your account with a second factor: ',
      'scan the QR code with an authenticator app (or type the secret in), then enter the code it shows.',
    ),
    qr,
    el('p', {}, 'Secret: ', el('code', { text: enrolment.secret })),
    el('label', {}, 'Code from your authenticator app', code),
    error,
    el('button', { class: 'primary', type: 'submit', text: 'Turn on two-factor login' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const done = await call('POST', '/session/totp/confirm', { body: { code: code.value } });
      const saved = el('button', { class: 'primary', type: 'button', text: 'I have saved them — go on' });
      saved.addEventListener('click', () => {
        location.hash = next && !next.startsWith('#/two-factor') ? next : '#/';
      });
      show(
        'Two-factor login is on',
        el(
          'div',
          { class: 'card' },
          el('p', {
            text: 'These recovery codes each log you in once in place of a code, if you lose your phone. They are shown only now: store them somewhere safe.',
          }),
          el(
            'ul',
            { class: 'recovery-codes' },
            ...done.recovery_codes.map((c) => el('li', {}, el('code', { text: c }))),
          ),
          saved,
        ),
      );
      saved.focus();
    } catch (e) {
      error.textContent = e instanceof ApiError && e.fields[0] ? `${e.message} (${e.fields[0].message})` : errorText(e);
      code.focus();
    }
  });
  show('Set up two-factor login', form);
  code.focus();
}
