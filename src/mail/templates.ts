/**
 * Email templates: each has a default in code (below) that an admin may replace (stored in
 * mail_templates) and reset. A template is a subject, a plain-text body and an HTML body with
 * placeholders `{{client.name}}`: a dotted path into the message's data. In the HTML body every
 * value is HTML-escaped; in the subject and text it is inserted as is (line breaks in a subject
 * become spaces). `{{#if company.client_area_url}}…{{/if}}` keeps its content only when the value is not
 * empty. Nothing else is evaluated: a template cannot run code or read what its data does not hold.
 */

export const TEMPLATE_NAMES = [
  'welcome',
  'invoice_issued',
  'payment_receipt',
  'payment_failed',
  'invoice_reminder',
  'invoice_overdue',
  'service_active',
  'service_suspended',
  'service_unsuspended',
  'service_terminated',
  'cancellation_confirmed',
  'password_reset',
  'webhook_disabled',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface TemplateText {
  subject: string;
  text: string;
  html: string;
}

export interface TemplateDefault extends TemplateText {
  /** When it is sent, for the admin. */
  description: string;
  /** Data for a preview: the same shape the real message gets. */
  sample: Record<string, unknown>;
}

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

const sampleCompany = { name: 'Example Hosting', logo_url: '', client_area_url: 'https://my.example.com' };
const sampleClient = { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines Ltd' };
const sampleInvoice = {
  id: 'inv_01JEXAMPLE',
  number: 'INV-2027-00012',
  total: '4.99',
  currency: 'USD',
  due_date: '2027-03-01',
  issued_date: '2027-02-15',
};
const sampleService = {
  id: 'svc_01JEXAMPLE',
  domain: 'example.org',
  product: 'Starter',
  panel_url: 'https://web1.example.com:8083/',
  username: 'ada1',
  reason: 'overdue',
};

const signOff = (html: boolean) => (html ? '<p>— {{company.name}}</p>' : '— {{company.name}}');

export const DEFAULT_TEMPLATES: Record<TemplateName, TemplateDefault> = {
  welcome: {
    description: 'A client account was created.',
    subject: 'Welcome to {{company.name}}',
    text: `Hello {{client.name}},

your account at {{company.name}} is ready. You sign in with {{client.email}}.
{{#if company.client_area_url}}
Client area: {{company.client_area_url}}
{{/if}}
${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>your account at {{company.name}} is ready. You sign in with <strong>{{client.email}}</strong>.</p>
{{#if company.client_area_url}}<p><a href="{{company.client_area_url}}">Open the client area</a></p>{{/if}}
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient },
  },
  invoice_issued: {
    description: 'An invoice was issued (its PDF is attached).',
    subject: 'Invoice {{invoice.number}}: {{invoice.total}} {{invoice.currency}} due {{invoice.due_date}}',
    text: `Hello {{client.name}},

invoice {{invoice.number}} of {{invoice.issued_date}} is attached: {{invoice.total}} {{invoice.currency}}, due {{invoice.due_date}}.
{{#if company.client_area_url}}
Pay it here: {{company.client_area_url}}
{{/if}}
${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>invoice <strong>{{invoice.number}}</strong> of {{invoice.issued_date}} is attached: <strong>{{invoice.total}} {{invoice.currency}}</strong>, due {{invoice.due_date}}.</p>
{{#if company.client_area_url}}<p><a href="{{company.client_area_url}}">Pay the invoice</a></p>{{/if}}
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, invoice: sampleInvoice },
  },
  payment_receipt: {
    description: 'An invoice was paid.',
    subject: 'Payment received for {{invoice.number}}',
    text: `Hello {{client.name}},

we received {{invoice.total}} {{invoice.currency}} for invoice {{invoice.number}} ({{payment.method}}). Thank you.

${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>we received <strong>{{invoice.total}} {{invoice.currency}}</strong> for invoice {{invoice.number}} ({{payment.method}}). Thank you.</p>
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, invoice: sampleInvoice, payment: { method: 'credit' } },
  },
  payment_failed: {
    description: 'A payment attempt failed.',
    subject: 'Payment for {{invoice.number}} failed',
    text: `Hello {{client.name}},

the payment for invoice {{invoice.number}} ({{invoice.total}} {{invoice.currency}}) failed: {{payment.reason}}.
{{#if company.client_area_url}}
Try again here: {{company.client_area_url}}
{{/if}}
${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>the payment for invoice <strong>{{invoice.number}}</strong> ({{invoice.total}} {{invoice.currency}}) failed: {{payment.reason}}.</p>
{{#if company.client_area_url}}<p><a href="{{company.client_area_url}}">Try again</a></p>{{/if}}
${signOff(true)}`,
    sample: {
      company: sampleCompany,
      client: sampleClient,
      invoice: sampleInvoice,
      payment: { reason: 'the card was declined' },
    },
  },
  invoice_reminder: {
    description: 'An unpaid invoice is due soon (billing.reminder_days_before).',
    subject: 'Reminder: {{invoice.number}} is due {{invoice.due_date}}',
    text: `Hello {{client.name}},

invoice {{invoice.number}} ({{invoice.total}} {{invoice.currency}}) is due on {{invoice.due_date}}, in {{invoice.days}} day(s).
{{#if company.client_area_url}}
Pay it here: {{company.client_area_url}}
{{/if}}
${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>invoice <strong>{{invoice.number}}</strong> ({{invoice.total}} {{invoice.currency}}) is due on {{invoice.due_date}}, in {{invoice.days}} day(s).</p>
{{#if company.client_area_url}}<p><a href="{{company.client_area_url}}">Pay the invoice</a></p>{{/if}}
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, invoice: { ...sampleInvoice, days: 3 } },
  },
  invoice_overdue: {
    description: 'An unpaid invoice is past its due date (billing.reminder_days_after).',
    subject: 'Overdue: {{invoice.number}} was due {{invoice.due_date}}',
    text: `Hello {{client.name}},

invoice {{invoice.number}} ({{invoice.total}} {{invoice.currency}}) was due on {{invoice.due_date}} and is {{invoice.days}} day(s) overdue. Services it pays for may be suspended.
{{#if company.client_area_url}}
Pay it here: {{company.client_area_url}}
{{/if}}
${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>invoice <strong>{{invoice.number}}</strong> ({{invoice.total}} {{invoice.currency}}) was due on {{invoice.due_date}} and is <strong>{{invoice.days}} day(s) overdue</strong>. Services it pays for may be suspended.</p>
{{#if company.client_area_url}}<p><a href="{{company.client_area_url}}">Pay the invoice</a></p>{{/if}}
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, invoice: { ...sampleInvoice, days: 1 } },
  },
  service_active: {
    description: 'A service was provisioned and is active. The password is never emailed: the client reveals it once.',
    subject: '{{service.domain}} is ready',
    text: `Hello {{client.name}},

your hosting for {{service.domain}} ({{service.product}}) is active.

Control panel: {{service.panel_url}}
Username: {{service.username}}
Password: shown once in the client area (or through the API: GET /api/v1/services/{{service.id}}/credentials); it is never sent by email.

${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>your hosting for <strong>{{service.domain}}</strong> ({{service.product}}) is active.</p>
<table cellpadding="4"><tr><td>Control panel</td><td><a href="{{service.panel_url}}">{{service.panel_url}}</a></td></tr>
<tr><td>Username</td><td><strong>{{service.username}}</strong></td></tr>
<tr><td>Password</td><td>shown once in the client area; it is never sent by email</td></tr></table>
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, service: sampleService },
  },
  service_suspended: {
    description: 'A service was suspended.',
    subject: '{{service.domain}} is suspended',
    text: `Hello {{client.name}},

your hosting for {{service.domain}} is suspended ({{service.reason}}). Its sites and mail are offline until it is unsuspended.
{{#if company.client_area_url}}
Client area: {{company.client_area_url}}
{{/if}}
${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>your hosting for <strong>{{service.domain}}</strong> is suspended ({{service.reason}}). Its sites and mail are offline until it is unsuspended.</p>
{{#if company.client_area_url}}<p><a href="{{company.client_area_url}}">Open the client area</a></p>{{/if}}
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, service: sampleService },
  },
  service_unsuspended: {
    description: 'A suspended service is active again.',
    subject: '{{service.domain}} is active again',
    text: `Hello {{client.name}},

your hosting for {{service.domain}} is active again.

${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>your hosting for <strong>{{service.domain}}</strong> is active again.</p>
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, service: sampleService },
  },
  service_terminated: {
    description: 'A service was terminated (its account removed from the panel).',
    subject: '{{service.domain}} has been terminated',
    text: `Hello {{client.name}},

your hosting for {{service.domain}} has been terminated: its account, files, mail and databases were removed from the server.

${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>your hosting for <strong>{{service.domain}}</strong> has been terminated: its account, files, mail and databases were removed from the server.</p>
${signOff(true)}`,
    sample: { company: sampleCompany, client: sampleClient, service: sampleService },
  },
  cancellation_confirmed: {
    description: 'A client asked to cancel a service.',
    subject: 'Cancellation of {{service.domain}} received',
    text: `Hello {{client.name}},

we received your cancellation of {{service.domain}}: {{cancellation.when}}.

${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>we received your cancellation of <strong>{{service.domain}}</strong>: {{cancellation.when}}.</p>
${signOff(true)}`,
    sample: {
      company: sampleCompany,
      client: sampleClient,
      service: sampleService,
      cancellation: { when: 'it ends at the end of its period, on 2027-03-01' },
    },
  },
  password_reset: {
    description: 'Someone asked to reset the password of this address.',
    subject: 'Reset your {{company.name}} password',
    text: `Hello {{user.name}},

someone (hopefully you) asked to reset the password of {{user.email}}. Use this code within {{reset.minutes}} minutes; it works once:

{{reset.token}}

{{reset.how}}

If you did not ask, ignore this email: your password stays as it is.

${signOff(false)}`,
    html: `<p>Hello {{user.name}},</p>
<p>someone (hopefully you) asked to reset the password of {{user.email}}. Use this code within {{reset.minutes}} minutes; it works once:</p>
<p><code style="font-size:16px">{{reset.token}}</code></p>
<p>{{reset.how}}</p>
<p>If you did not ask, ignore this email: your password stays as it is.</p>
${signOff(true)}`,
    sample: {
      company: sampleCompany,
      user: { name: 'Ada Lovelace', email: 'ada@example.com' },
      reset: {
        token: 'r3s3t-t0k3n-example',
        minutes: 30,
        how: 'Enter it where you asked for the reset, with your new password.',
      },
    },
  },
  webhook_disabled: {
    description: 'A client’s webhook was disabled after its deliveries failed for about a day.',
    subject: 'Your webhook to {{webhook.url}} was disabled',
    text: `Hello {{client.name}},

the webhook {{webhook.id}} that sends your events to {{webhook.url}} was disabled: a delivery failed {{webhook.attempts}} times over about a day. The last attempt: {{webhook.error}}

Nothing more is sent to it until you enable it again (PATCH /api/v1/webhooks/{{webhook.id}} with {"enabled": true}). Its delivery log (GET /api/v1/webhooks/{{webhook.id}}/deliveries) shows each attempt, and a failed delivery can be sent again from there.

${signOff(false)}`,
    html: `<p>Hello {{client.name}},</p>
<p>the webhook <code>{{webhook.id}}</code> that sends your events to <code>{{webhook.url}}</code> was disabled: a delivery failed {{webhook.attempts}} times over about a day. The last attempt: {{webhook.error}}</p>
<p>Nothing more is sent to it until you enable it again (<code>PATCH /api/v1/webhooks/{{webhook.id}}</code> with <code>{"enabled": true}</code>). Its delivery log (<code>GET /api/v1/webhooks/{{webhook.id}}/deliveries</code>) shows each attempt, and a failed delivery can be sent again from there.</p>
${signOff(true)}`,
    sample: {
      company: sampleCompany,
      client: sampleClient,
      webhook: {
        id: 'whk_01JEXAMPLE',
        url: 'https://hooks.example.org/portico',
        attempts: 8,
        error: 'The endpoint answered HTTP 503; a 2xx status is needed.',
      },
    },
  },
};

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\s*\}\}/gi;
const CONDITIONAL = /\{\{#if\s+([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\s*\}\}([\s\S]*?)\{\{\/if\}\}/gi;

function lookup(data: Record<string, unknown>, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== false;
}

/** The placeholders a template uses that its data cannot fill: what the admin is told on saving. */
export function unknownPlaceholders(template: TemplateText, sample: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const part of [template.subject, template.text, template.html]) {
    for (const m of part.matchAll(CONDITIONAL)) if (lookup(sample, m[1]!) === undefined) out.add(m[1]!);
    for (const m of part.matchAll(PLACEHOLDER)) if (lookup(sample, m[1]!) === undefined) out.add(m[1]!);
  }
  return [...out];
}

/** Fills one part: `html` escapes every value. A placeholder without a value becomes empty. */
export function fill(part: string, data: Record<string, unknown>, mode: 'html' | 'text'): string {
  const kept = part.replace(CONDITIONAL, (_m, path: string, inner: string) =>
    present(lookup(data, path)) ? inner : '',
  );
  return kept.replace(PLACEHOLDER, (_m, path: string) => {
    const value = lookup(data, path);
    if (value === undefined || value === null || typeof value === 'object') return '';
    const text = String(value);
    return mode === 'html' ? escapeHtml(text) : text;
  });
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** The message a template makes with this data, the HTML body inside the branded layout. */
export function render(template: TemplateText, data: Record<string, unknown>): RenderedMail {
  const subject = fill(template.subject, data, 'text')
    .replace(/[\r\n]+/g, ' ')
    .trim();
  const text = fill(template.text, data, 'text')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const body = fill(template.html, data, 'html');
  return { subject, text: `${text}\n`, html: layout(body, data) };
}

function layout(body: string, data: Record<string, unknown>): string {
  const name = escapeHtml(String(lookup(data, 'company.name') ?? ''));
  const logo = lookup(data, 'company.logo_url');
  const header = present(logo)
    ? `<img src="${escapeHtml(String(logo))}" alt="${name}" style="max-height:48px">`
    : `<strong style="font-size:18px">${name}</strong>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body style="margin:0;padding:24px;background:#f4f4f5;font-family:system-ui,sans-serif;color:#18181b">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<div style="margin-bottom:16px">${header}</div>
${body}
</div></body></html>
`;
}
