import type { AppContext } from '../app-context.js';
import { sha256Hex } from '../platform/crypto/tokens.js';
import type { MailState } from '../platform/db/schema.js';
import { checkText, iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { companyData, templateFor } from './compose.js';
import {
  deleteTemplate,
  findMessage,
  findTemplate,
  listMessages,
  type MailRow,
  requeueMessage,
  saveTemplate,
} from './store.js';
import {
  DEFAULT_TEMPLATES,
  isTemplateName,
  render,
  TEMPLATE_NAMES,
  type TemplateName,
  unknownPlaceholders,
} from './templates.js';

/** What an admin does with email: read messages, retry one, edit, reset and preview templates. */
export { MAIL_STATES } from './states.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'settings'>;

export function messageSummary(m: MailRow) {
  return {
    id: m.id,
    template: m.template,
    to: m.to_address,
    subject: m.subject,
    state: m.state,
    attempts: m.attempts,
    last_error: m.last_error,
    client_id: m.client_id,
    event_id: m.event_id,
    created_at: iso(m.created_at_ms),
    last_attempt_at: iso(m.last_attempt_at_ms),
    sent_at: iso(m.sent_at_ms),
  };
}

export function messageDetail(m: MailRow) {
  return {
    ...messageSummary(m),
    text: m.text_body,
    html: m.html_body,
    attachments: m.attachments ? (JSON.parse(m.attachments) as { kind: string; invoice_id: string }[]) : [],
  };
}

export async function listMail(
  deps: Pick<AppContext, 'db'>,
  options: {
    state?: MailState | undefined;
    clientId?: string | undefined;
    to?: string | undefined;
    limit?: number | undefined;
  } = {},
) {
  const rows = await listMessages(deps.db.kysely, {
    state: options.state,
    clientId: options.clientId,
    to: options.to?.toLowerCase(),
    limit: options.limit ?? 50,
  });
  return rows.map(messageSummary);
}

/**
 * A password reset email's code, replaced in the bodies. The Admin API lets support and billing
 * staff read messages, and a code read there would set the password of the account it was sent to
 * (an owner's too, asked for on the login page by anyone). Only the code's hash is kept (in the
 * message's dedupe key), so each word shaped like a code is hashed and compared.
 */
export function hideResetCode<T extends { text: string; html: string }>(
  row: Pick<MailRow, 'template' | 'dedupe_key'>,
  m: T,
): T {
  if (row.template !== 'password_reset' || !row.dedupe_key.startsWith('reset:')) return m;
  const hash = row.dedupe_key.slice('reset:'.length);
  const hide = (body: string) =>
    body.replace(/[A-Za-z0-9_-]{32,}/g, (word) => (sha256Hex(word) === hash ? '[reset code hidden]' : word));
  return { ...m, text: hide(m.text), html: hide(m.html) };
}

/** One message. `hideResetCodes`: for the Admin API (the shell, on the server, sees everything anyway). */
export async function getMail(deps: Pick<AppContext, 'db'>, id: string, options: { hideResetCodes?: boolean } = {}) {
  const row = await findMessage(deps.db.kysely, id);
  if (!row) throw new AppError('not_found', `No message ${id}. List them with \`portico mail list\`.`);
  const detail = messageDetail(row);
  return options.hideResetCodes ? hideResetCode(row, detail) : detail;
}

/** Queues an unsent or failed message again (after configuring SMTP, or fixing what refused it). */
export async function retryMail(deps: Pick<AppContext, 'db' | 'clock'>, id: string) {
  const row = await findMessage(deps.db.kysely, id);
  if (!row) throw new AppError('not_found', `No message ${id}. List them with \`portico mail list\`.`);
  if (!(await requeueMessage(deps.db.kysely, id, deps.clock.nowMs()))) {
    throw new AppError('conflict', `Message ${id} is ${row.state}: only unsent or failed messages are retried.`);
  }
  return messageSummary((await findMessage(deps.db.kysely, id))!);
}

function requireTemplate(name: string): TemplateName {
  if (!isTemplateName(name)) {
    throw new AppError('not_found', `No template ${name}. The templates are: ${TEMPLATE_NAMES.join(', ')}.`);
  }
  return name;
}

async function templateView(deps: Pick<AppContext, 'db'>, name: TemplateName) {
  const row = await findTemplate(deps.db.kysely, name);
  const current = await templateFor(deps.db.kysely, name);
  const d = DEFAULT_TEMPLATES[name];
  return {
    name,
    description: d.description,
    customized: row !== undefined,
    subject: current.subject,
    text: current.text,
    html: current.html,
    placeholders: placeholderPaths(d.sample),
    updated_at: iso(row?.updated_at_ms ?? null),
  };
}

/** The dotted paths a template's data has (`client.name`, …), for the admin writing one. */
function placeholderPaths(data: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(data).flatMap(([k, v]) =>
    v !== null && typeof v === 'object'
      ? placeholderPaths(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );
}

export async function listTemplates(deps: Pick<AppContext, 'db'>) {
  const out = [];
  for (const name of TEMPLATE_NAMES) out.push(await templateView(deps, name));
  return out;
}

export function getTemplate(deps: Pick<AppContext, 'db'>, name: string) {
  return templateView(deps, requireTemplate(name));
}

export interface TemplateEdit {
  subject?: string | undefined;
  text?: string | undefined;
  html?: string | undefined;
}

/** Replaces parts of a template (the others stay); a placeholder its data does not have is refused. */
export async function updateTemplate(deps: Deps, name: string, edit: TemplateEdit) {
  const template = requireTemplate(name);
  const current = await templateFor(deps.db.kysely, template);
  const next = {
    subject: edit.subject ?? current.subject,
    text: edit.text ?? current.text,
    html: edit.html ?? current.html,
  };
  checkText(next.subject, 'subject');
  const unknown = unknownPlaceholders(next, DEFAULT_TEMPLATES[template].sample);
  if (unknown.length) {
    throw new AppError(
      'validation_failed',
      `The template uses placeholders it has no data for: ${unknown.join(', ')}.`,
      {
        errors: unknown.map((p) => ({
          field: next.subject.includes(p) ? 'subject' : next.text.includes(p) ? 'text' : 'html',
          message: `{{${p}}} is not one of: ${placeholderPaths(DEFAULT_TEMPLATES[template].sample).join(', ')}`,
        })),
      },
    );
  }
  await saveTemplate(deps.db.kysely, {
    name: template,
    subject: next.subject,
    text_body: next.text,
    html_body: next.html,
    updated_at_ms: deps.clock.nowMs(),
  });
  return templateView(deps, template);
}

export async function resetTemplate(deps: Deps, name: string) {
  const template = requireTemplate(name);
  await deleteTemplate(deps.db.kysely, template);
  return templateView(deps, template);
}

/** The template (as saved, or as edited in `edit` without saving) filled with sample data. */
export async function previewTemplate(deps: Deps, name: string, edit: TemplateEdit = {}) {
  const template = requireTemplate(name);
  const current = await templateFor(deps.db.kysely, template);
  const sample = { ...DEFAULT_TEMPLATES[template].sample, company: companyData(deps.settings.snapshot) };
  return render(
    { subject: edit.subject ?? current.subject, text: edit.text ?? current.text, html: edit.html ?? current.html },
    sample,
  );
}
