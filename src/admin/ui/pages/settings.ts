// Settings: billing automation, payments, email (with a test message and the templates) and
// branding; the User API's own settings page (userapi.ts) is the last of its sub-pages. Every
// value comes from GET /settings and is saved with PATCH /settings; credentials are write-only
// there, so these pages show whether one is set and never hold its value.
import { ApiError, call, type Response, session } from '../api.js';
import { badge, confirmAction, el, errorText, show, table, toast } from '../dom.js';
import { link, subNav } from '../nav.js';

type Setting = Response<'/settings', 'GET'>['items'][number];

/** Only owners change settings: for other roles a form shows the values, its controls disabled and its actions gone. */
function readOnly(form: HTMLElement, keep: readonly HTMLElement[] = []): HTMLElement {
  for (const c of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
    'input, textarea, select',
  ))
    c.disabled = true;
  for (const b of form.querySelectorAll('button')) if (!keep.includes(b)) b.remove();
  return form;
}

const READ_ONLY_NOTE = () =>
  el('p', { class: 'card muted', text: 'Only owners change these settings; you see them as they are.' });

const PAGES: [string, string][] = [
  ['billing', 'Billing automation'],
  ['payments', 'Payments'],
  ['email', 'Email'],
  ['branding', 'Branding'],
  ['userapi', 'User API'],
];

/** The links between the Settings pages, the current one marked. */
export function settingsNav(current: string): HTMLElement {
  return subNav(
    'Settings pages',
    PAGES.map(([page, title]) => [`#/settings/${page}`, title] as const),
    `#/settings/${current}`,
  );
}

/**
 * How a setting is edited: `onoff` a checkbox; `secret` a write-only input that is sent only when
 * filled in; the others text inputs (days accept "off", so they are text too).
 */
type Kind = 'onoff' | 'text' | 'textarea' | 'secret' | 'url' | 'email';
interface Field {
  key: string;
  label: string;
  kind: Kind;
  placeholder?: string;
}
type Section = { title: string; fields: Field[]; note?: () => Node | string };

const BILLING: Section[] = [
  {
    title: 'Invoices',
    fields: [
      { key: 'billing.invoice_number_format', label: 'Invoice number format', kind: 'text' },
      { key: 'billing.time_zone', label: 'Time zone', kind: 'text' },
      { key: 'billing.invoice_days_before_due', label: 'Issue renewal invoices (days before due)', kind: 'text' },
      { key: 'billing.apply_credit', label: 'Pay renewals from the client’s credit', kind: 'onoff' },
      { key: 'billing.tax_rates', label: 'Tax rates by country', kind: 'text', placeholder: 'DE=19:VAT, AT=20:USt' },
    ],
  },
  {
    title: 'Reminders',
    fields: [
      { key: 'billing.reminder_days_before', label: 'Remind before due (days)', kind: 'text', placeholder: '7,1' },
      {
        key: 'billing.reminder_days_after',
        label: 'Overdue notices after due (days)',
        kind: 'text',
        placeholder: '1,7',
      },
    ],
  },
  {
    title: 'Overdue services and orders',
    fields: [
      { key: 'billing.suspend_after_days', label: 'Suspend after (days overdue)', kind: 'text' },
      { key: 'billing.terminate_after_days', label: 'Terminate after (days overdue)', kind: 'text' },
      { key: 'billing.cancel_unpaid_orders_after_days', label: 'Cancel unpaid orders after (days)', kind: 'text' },
    ],
  },
  {
    title: 'Billing run',
    fields: [{ key: 'billing.run_every_minutes', label: 'Run billing every (minutes)', kind: 'text' }],
  },
];

const PAYMENTS: Section[] = [
  {
    title: 'Payment methods',
    fields: [
      { key: 'payments.credit', label: 'Credit balance', kind: 'onoff' },
      { key: 'payments.bank_transfer', label: 'Bank transfer', kind: 'onoff' },
      { key: 'payments.stripe', label: 'Card (Stripe)', kind: 'onoff' },
    ],
  },
  {
    title: 'Bank transfer',
    fields: [{ key: 'payments.bank_details', label: 'Bank details shown on invoices', kind: 'textarea' }],
  },
  {
    title: 'Stripe',
    note: () =>
      el(
        'p',
        { class: 'muted' },
        'Webhook endpoint to enter in Stripe: ',
        el('code', { text: `${location.origin}/payments/stripe/webhook` }),
      ),
    fields: [
      { key: 'payments.stripe_secret_key', label: 'Stripe secret key', kind: 'secret', placeholder: 'sk_live_…' },
      {
        key: 'payments.stripe_webhook_secret',
        label: 'Webhook signing secret',
        kind: 'secret',
        placeholder: 'whsec_…',
      },
      { key: 'payments.stripe_return_url', label: 'Return address after paying', kind: 'url' },
      { key: 'payments.retry_days', label: 'Retry a failed renewal charge (days after)', kind: 'text' },
    ],
  },
];

const EMAIL: Section[] = [
  {
    title: 'Sending',
    fields: [
      {
        key: 'email.smtp_url',
        label: 'SMTP server URL',
        kind: 'secret',
        placeholder: 'smtps://user:password@mail.example.com:465',
      },
      { key: 'email.from', label: 'From address', kind: 'text', placeholder: 'Example Hosting <billing@example.com>' },
      { key: 'email.client_area_url', label: 'Client area address (links in emails)', kind: 'url' },
    ],
  },
];

const BRANDING: Section[] = [
  {
    title: 'Company',
    fields: [
      { key: 'company.name', label: 'Company name', kind: 'text' },
      { key: 'company.address', label: 'Postal address', kind: 'textarea' },
      { key: 'company.tax_id', label: 'Tax or VAT number', kind: 'text' },
    ],
  },
  {
    title: 'Logos',
    note: () =>
      el(
        'p',
        { class: 'muted' },
        'The API documentation has its own name and logo: ',
        link('#/settings/userapi', 'User API settings'),
        '. To see the email logo in a message, preview a template on the ',
        link('#/settings/email', 'Email'),
        ' page.',
      ),
    fields: [
      { key: 'company.logo_path', label: 'Invoice logo file (PNG or JPEG)', kind: 'text' },
      { key: 'email.logo_url', label: 'Email logo URL', kind: 'url' },
    ],
  },
];

interface Control {
  field: Field;
  input: HTMLInputElement | HTMLTextAreaElement;
  error: HTMLElement;
  initial: string;
}

const idOf = (key: string) => key.replaceAll('.', '-');

/** The setting's state when write-only: set or not (and, for the SMTP URL, which server). */
function secretState(s: Setting, onRemove: () => void): HTMLElement {
  return el(
    'div',
    { class: 'row secret-state', id: `state-${idOf(s.key)}` },
    s.is_set ? badge('set') : el('span', { class: 'badge off', text: 'not set' }),
    s.redacted ? el('code', { text: `${s.redacted} (password hidden)` }) : null,
    s.is_set
      ? el('button', {
          type: 'button',
          class: 'small',
          text: 'Remove',
          'aria-label': `Remove the ${s.key}`,
          onclick: onRemove,
        })
      : null,
  );
}

function control(field: Field, s: Setting, remove: (key: string) => void): { node: HTMLElement; control: Control } {
  const id = idOf(field.key);
  const error = el('span', { class: 'error', id: `err-${id}` });
  const hint = el('small', { class: 'hint', id: `hint-${id}`, text: s.description });
  const describedBy = `hint-${id} err-${id}`;
  const initial = s.value ?? '';
  if (field.kind === 'onoff') {
    const input = el('input', {
      type: 'checkbox',
      name: field.key,
      checked: ['on', 'true', 'yes', '1'].includes(initial.toLowerCase()),
      'aria-describedby': describedBy,
    });
    return {
      node: el('div', { class: 'field' }, el('label', { class: 'check' }, input, field.label), hint, error),
      control: { field, input, error, initial: input.checked ? 'on' : 'off' },
    };
  }
  const input =
    field.kind === 'textarea'
      ? el('textarea', { name: field.key, rows: 4, 'aria-describedby': describedBy })
      : el('input', {
          type: field.kind === 'secret' ? 'password' : field.kind === 'url' ? 'url' : 'text',
          name: field.key,
          autocomplete: field.kind === 'secret' ? 'new-password' : 'off',
          spellcheck: 'false',
          placeholder:
            field.kind === 'secret'
              ? `${s.is_set ? 'Leave empty to keep; ' : ''}${field.placeholder ?? ''}`
              : (field.placeholder ?? ''),
          'aria-describedby': field.kind === 'secret' ? `state-${id} ${describedBy}` : describedBy,
        });
  input.value = initial;
  return {
    node: el(
      'div',
      { class: 'field' },
      el('label', {}, field.kind === 'secret' && s.is_set ? `${field.label} (replace)` : field.label, input),
      field.kind === 'secret' ? secretState(s, () => remove(field.key)) : null,
      hint,
      error,
    ),
    control: { field, input, error, initial },
  };
}

const currentValue = (c: Control): string =>
  c.field.kind === 'onoff' ? ((c.input as HTMLInputElement).checked ? 'on' : 'off') : c.input.value;

/** Shows the server's reasons next to their fields; what names no field here goes to the toast. */
export function showFieldErrors(e: unknown, fields: Map<string, { input: HTMLElement; error: HTMLElement }>): void {
  const errors = e instanceof ApiError ? e.fields : [];
  let first: HTMLElement | undefined;
  for (const f of errors) {
    const target = fields.get(f.field.replace(/^body\./, ''));
    if (!target) continue;
    target.error.textContent = f.message;
    target.input.setAttribute('aria-invalid', 'true');
    first ??= target.input;
  }
  if (first) {
    toast('Not saved: see the fields marked.');
    first.focus();
  } else toast(errorText(e));
}

function clearFieldErrors(fields: Iterable<{ input: HTMLElement; error: HTMLElement }>): void {
  for (const f of fields) {
    f.error.textContent = '';
    f.input.removeAttribute('aria-invalid');
  }
}

/** A form over some settings: only what changed is sent; a secret only when something was typed. */
async function settingsForm(
  title: string,
  page: string,
  sections: Section[],
  extra: () => Promise<Node[]> | Node[] = () => [],
): Promise<void> {
  const { items } = await call('GET', '/settings');
  const byKey = new Map(items.map((s) => [s.key, s]));
  const controls = new Map<string, Control>();
  const reload = () => settingsForm(title, page, sections, extra);
  const remove = async (key: string) => {
    const ok = await confirmAction({
      title: `Remove the ${key}?`,
      message: 'The stored value is deleted; what needs it stops working until a new one is saved.',
      confirm: 'Remove',
    });
    if (ok === null) return;
    try {
      await call('PATCH', '/settings', { body: { [key]: '' } });
      await reload();
      toast(`${key} removed.`);
    } catch (e) {
      showFieldErrors(e, controls);
    }
  };
  const fieldsets = sections.map((section) =>
    el(
      'fieldset',
      {},
      el('legend', { text: section.title }),
      section.note ? section.note() : null,
      el(
        'div',
        { class: 'fields' },
        ...section.fields.map((field) => {
          const s = byKey.get(field.key);
          if (!s) return null;
          const made = control(field, s, (key) => void remove(key));
          controls.set(field.key, made.control);
          return made.node;
        }),
      ),
    ),
  );
  const form = el(
    'form',
    { class: 'card settings', 'aria-label': title, novalidate: true },
    ...fieldsets,
    el('div', { class: 'row' }, el('button', { class: 'primary', type: 'submit', text: 'Save settings' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(controls.values());
    const body: Record<string, string> = {};
    for (const [key, c] of controls) {
      const value = currentValue(c);
      if (c.field.kind === 'secret' ? value !== '' : value !== c.initial) body[key] = value;
    }
    if (!Object.keys(body).length) {
      toast('Nothing changed.');
      return;
    }
    try {
      await call('PATCH', '/settings', { body });
      // The page is read again first, so what the toast announces is what the page shows.
      await reload();
      toast('Settings saved: every instance follows within a second.');
    } catch (e) {
      showFieldErrors(e, controls);
    }
  });
  const mayChange = session.may('settings');
  if (!mayChange) readOnly(form);
  show(title, settingsNav(page), mayChange ? null : READ_ONLY_NOTE(), form, ...(await extra()));
}

export const billingSettingsPage = () => settingsForm('Billing automation', 'billing', BILLING);
export const paymentSettingsPage = () => settingsForm('Payment settings', 'payments', PAYMENTS);
export const brandingSettingsPage = () => settingsForm('Branding', 'branding', BRANDING);
export const emailSettingsPage = () => settingsForm('Email settings', 'email', EMAIL, emailExtras);

/** Below the email settings: the test message and the templates. */
async function emailExtras(): Promise<Node[]> {
  const to = el('input', { type: 'email', name: 'to', required: true, autocomplete: 'email' });
  const result = el('p', { id: 'test-result', role: 'status' });
  const button = el('button', { class: 'secondary', type: 'submit', text: 'Send a test message' });
  const test = el(
    'form',
    { class: 'card', 'aria-label': 'Test message' },
    el('p', {
      class: 'muted',
      text: 'Sends one message now through the SMTP server as saved above, and shows what the server answered.',
    }),
    el('div', { class: 'row bottom' }, el('label', {}, 'Send to', to), button),
    result,
  );
  test.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.className = 'muted';
    result.textContent = 'Sending…';
    button.disabled = true;
    try {
      const sent = await call('POST', '/mail/test-message', { body: { to: to.value } });
      result.className = 'ok';
      result.textContent = `Sent to ${sent.to}. The server answered: ${sent.response}`;
    } catch (e) {
      result.className = 'error';
      const field = e instanceof ApiError ? e.fields.find((f) => f.field === 'body.to') : undefined;
      result.textContent = field ? `The address ${field.message}.` : errorText(e);
    } finally {
      button.disabled = false;
    }
  });
  const { items } = await call('GET', '/mail/templates');
  return [
    ...(session.may('settings') ? [el('h2', { text: 'Test message' }), test] : []),
    el('h2', { text: 'Templates' }),
    table(
      'Email templates',
      ['Template', 'Used for', 'State'],
      items.map((t) => [
        link(`#/settings/email/templates/${t.name}`, t.name.replaceAll('_', ' ')),
        t.description,
        t.customized ? badge('edited') : el('span', { class: 'muted', text: 'default' }),
      ]),
      { 'data-list': 'templates' },
    ),
  ];
}

/**
 * The HTML body in a frame of its own, so its styles and markup stay out of the page. The frame
 * runs no script (sandbox without allow-scripts); it shares the page's origin only so that the
 * message's styles can be applied from here. The admin area's CSP (style-src 'self') would block
 * the inline style attributes, which the frame inherits; styles set through the DOM are allowed,
 * so each attribute is moved aside before the frame parses the body and set again once it has.
 */
function htmlPreview(html: string): HTMLIFrameElement {
  // A regular expression rather than a parser: a parsed copy would already apply (and report) them.
  const body = html.replace(/(<[^>]*\s)style=(["'])/gi, '$1data-preview-style=$2');
  const frame = el('iframe', { class: 'preview', title: 'HTML body preview', sandbox: 'allow-same-origin' });
  // As tall as the message at the frame's width, so the page scrolls rather than the frame.
  const fitHeight = () => {
    const doc = frame.contentDocument;
    if (doc) frame.style.height = `${Math.max(200, doc.documentElement.scrollHeight + 8)}px`;
  };
  frame.addEventListener('load', () => {
    const doc = frame.contentDocument;
    if (!doc) return;
    for (const node of doc.querySelectorAll<HTMLElement>('[data-preview-style]'))
      node.style.cssText = node.dataset.previewStyle ?? '';
    fitHeight();
    new ResizeObserver(fitHeight).observe(doc.documentElement);
  });
  frame.srcdoc = body;
  return frame;
}

export async function templatePage(name: string): Promise<void> {
  const t = await call('GET', '/mail/templates/{name}', { params: { name: name as 'welcome' } });
  const params = { name: t.name };
  const subject = el('input', { type: 'text', name: 'subject', 'aria-describedby': 'err-subject' });
  subject.value = t.subject;
  const text = el('textarea', { name: 'text', rows: 10, 'aria-describedby': 'err-text' });
  text.value = t.text;
  const html = el('textarea', { name: 'html', rows: 10, 'aria-describedby': 'err-html' });
  html.value = t.html;
  const fields = new Map(
    (
      [
        ['subject', subject],
        ['text', text],
        ['html', html],
      ] as const
    ).map(([k, input]) => [k, { input, error: el('span', { class: 'error', id: `err-${k}` }) }] as const),
  );
  const preview = el('section', { 'aria-label': 'Preview', class: 'card' });
  const edits = () => ({ subject: subject.value, text: text.value, html: html.value });
  const renderPreview = async () => {
    clearFieldErrors(fields.values());
    try {
      const r = await call('POST', '/mail/templates/{name}/preview', { params, body: edits() });
      preview.replaceChildren(
        el('h2', { text: 'Preview with sample data' }),
        el('p', {}, el('strong', { text: 'Subject: ' }), r.subject),
        el('h3', { text: 'Text body' }),
        el('pre', { 'data-preview': 'text', text: r.text }),
        el('h3', { text: 'HTML body' }),
        htmlPreview(r.html),
      );
    } catch (e) {
      showFieldErrors(e, fields);
    }
  };
  const previewButton = el('button', {
    class: 'secondary',
    type: 'button',
    text: 'Preview',
    onclick: () => void renderPreview(),
  });
  const form = el(
    'form',
    { class: 'card settings', 'aria-label': 'Edit template', novalidate: true },
    el('div', { class: 'field' }, el('label', {}, 'Subject', subject), fields.get('subject')?.error),
    el('div', { class: 'field' }, el('label', {}, 'Text body', text), fields.get('text')?.error),
    el('div', { class: 'field' }, el('label', {}, 'HTML body', html), fields.get('html')?.error),
    el(
      'p',
      { class: 'muted' },
      'Placeholders: ',
      ...t.placeholders.flatMap((p, i) => [i ? ', ' : '', el('code', { text: `{{${p}}}` })]),
      '; and {{#if path}}…{{/if}}. Values are escaped in the HTML body.',
    ),
    el(
      'div',
      { class: 'row' },
      el('button', { class: 'primary', type: 'submit', text: 'Save template' }),
      previewButton,
      t.customized
        ? el('button', {
            class: 'danger',
            type: 'button',
            text: 'Reset to default',
            onclick: async () => {
              const ok = await confirmAction({
                title: `Reset ${t.name.replaceAll('_', ' ')} to its default?`,
                message: 'Your edit is dropped; messages already queued keep their text.',
                confirm: 'Reset template',
              });
              if (ok === null) return;
              try {
                await call('DELETE', '/mail/templates/{name}', { params });
                await templatePage(name);
                toast('Template reset to its default.');
              } catch (e) {
                toast(errorText(e));
              }
            },
          })
        : null,
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(fields.values());
    try {
      await call('PATCH', '/mail/templates/{name}', { params, body: edits() });
      await templatePage(name);
      toast('Template saved: the next message uses it.');
    } catch (e) {
      showFieldErrors(e, fields);
    }
  });
  const mayChange = session.may('settings');
  if (!mayChange) readOnly(form, [previewButton]);
  show(
    `Template: ${t.name.replaceAll('_', ' ')}`,
    settingsNav('email'),
    el('p', {}, link('#/settings/email', '← Email settings')),
    mayChange ? null : READ_ONLY_NOTE(),
    el('p', { class: 'row' }, t.description, ' ', t.customized ? badge('edited') : badge('default')),
    form,
    preview,
  );
  await renderPreview();
}
