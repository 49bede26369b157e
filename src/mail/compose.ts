import type { Kysely } from 'kysely';
import { localDate } from '../billing/calendar.js';
import { findClientById } from '../clients/store.js';
import type { EventConsumerHandler } from '../events/dispatcher.js';
import { findInvoice } from '../invoices/store.js';
import type { Database } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { formatAmount } from '../platform/money.js';
import { findServerById } from '../servers/store.js';
import { findClientService } from '../services/store.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import { findTemplate, insertMessage } from './store.js';
import { DEFAULT_TEMPLATES, render, type TemplateName, type TemplateText } from './templates.js';

/**
 * From an event to the message a client receives: which template, the data it is filled with
 * (read when the event is handled, in the dispatcher's transaction), and the queued message.
 */
type Settings = Pick<
  SettingsSnapshot,
  'company.name' | 'email.logo_url' | 'email.client_area_url' | 'billing.time_zone'
>;

/** The template in use: the admin's edit, or the default. */
export async function templateFor(db: Kysely<Database>, name: TemplateName): Promise<TemplateText> {
  const row = await findTemplate(db, name);
  if (row) return { subject: row.subject, text: row.text_body, html: row.html_body };
  const d = DEFAULT_TEMPLATES[name];
  return { subject: d.subject, text: d.text, html: d.html };
}

export function companyData(settings: Settings) {
  return {
    name: settings['company.name'],
    logo_url: settings['email.logo_url'],
    client_area_url: settings['email.client_area_url'],
  };
}

export interface Attachment {
  kind: 'invoice_pdf';
  invoice_id: string;
}

export interface QueuedMail {
  /** One message per key: a cause handled twice queues one. */
  key: string;
  template: TemplateName;
  to: string;
  data: Record<string, unknown>;
  clientId?: string | null;
  eventId?: string | null;
  attachments?: Attachment[];
}

/** Renders and queues a message in the caller's transaction; the sender delivers it. */
export async function queueMail(trx: Kysely<Database>, nowMs: number, mail: QueuedMail): Promise<string | null> {
  const rendered = render(await templateFor(trx, mail.template), mail.data);
  const id = newId('mail', nowMs);
  const inserted = await insertMessage(trx, {
    id,
    dedupe_key: mail.key,
    template: mail.template,
    event_id: mail.eventId ?? null,
    client_id: mail.clientId ?? null,
    to_address: mail.to,
    subject: rendered.subject,
    text_body: rendered.text,
    html_body: rendered.html,
    attachments: mail.attachments?.length ? JSON.stringify(mail.attachments) : null,
    state: 'queued',
    attempts: 0,
    run_after_ms: nowMs,
    lease_owner: null,
    lease_expires_at_ms: null,
    last_error: null,
    last_attempt_at_ms: null,
    sent_at_ms: null,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
  });
  return inserted ? id : null;
}

const BY_EVENT: Record<string, TemplateName> = {
  'client.created': 'welcome',
  'invoice.issued': 'invoice_issued',
  'invoice.paid': 'payment_receipt',
  'payment.failed': 'payment_failed',
  'invoice.reminder': 'invoice_reminder',
  'invoice.overdue': 'invoice_overdue',
  'service.active': 'service_active',
  'service.suspended': 'service_suspended',
  'service.unsuspended': 'service_unsuspended',
  'service.terminated': 'service_terminated',
  'service.cancellation_requested': 'cancellation_confirmed',
};

const SUSPENSION_WORDS: Record<string, string> = { overdue: 'an invoice is overdue' };

/** The outbox consumer `mail`: one message per event a client is told of. */
export function mailConsumer(): EventConsumerHandler {
  return {
    maxAttempts: 10,
    handle: async (trx, event, deps) => {
      const template = BY_EVENT[event.type];
      if (!template || !event.client_id) return;
      const settings = deps.settings.snapshot;
      const client = await findClientById(trx, event.client_id);
      // Demo data's addresses are not real people's.
      if (!client || client.is_demo === 1) return;
      const payload = JSON.parse(event.payload) as Record<string, unknown>;
      const zone = settings['billing.time_zone'];
      const data: Record<string, unknown> = {
        company: companyData(settings),
        client: { name: client.name, email: client.email, company: client.company ?? '' },
      };
      const attachments: Attachment[] = [];
      if (event.invoice_id) {
        const invoice = await findInvoice(trx, event.invoice_id);
        if (!invoice) return;
        // A reminder of an invoice paid (or cancelled) since it was recorded is not sent.
        if ((event.type === 'invoice.reminder' || event.type === 'invoice.overdue') && invoice.status !== 'unpaid')
          return;
        data.invoice = {
          id: invoice.id,
          number: invoice.number,
          total: formatAmount(Number(invoice.total_minor), invoice.currency),
          currency: invoice.currency,
          due_date: localDate(Number(invoice.due_at_ms), zone),
          issued_date: localDate(Number(invoice.issued_at_ms), zone),
          days: payload.daysBefore ?? payload.daysOverdue ?? '',
        };
        if (event.type === 'invoice.issued') attachments.push({ kind: 'invoice_pdf', invoice_id: invoice.id });
        if (event.type === 'invoice.paid' || event.type === 'payment.failed') {
          data.payment = { method: String(payload.method ?? ''), reason: String(payload.reason ?? '') };
        }
      }
      if (event.service_id) {
        const service = await findClientService(trx, client.id, event.service_id);
        if (!service) return;
        const server = service.server_id ? await findServerById(trx, service.server_id) : undefined;
        const reason = service.suspension_reason ?? '';
        data.service = {
          id: service.id,
          domain: service.domain,
          product: service.product_name,
          username: service.panel_username ?? '',
          panel_url: server ? `https://${server.host}:${server.port}/` : '',
          reason: SUSPENSION_WORDS[reason] ?? reason,
        };
        if (event.type === 'service.cancellation_requested') {
          data.cancellation = {
            when:
              payload.type === 'immediate'
                ? 'the hosting account is being removed now'
                : `it ends at the end of its period, on ${service.next_due_at_ms ? localDate(Number(service.next_due_at_ms), zone) : 'its next due date'}`,
          };
        }
      }
      await queueMail(trx, deps.clock.nowMs(), {
        key: `event:${event.id}`,
        template,
        to: client.email,
        data,
        clientId: client.id,
        eventId: event.id,
        attachments,
      });
    },
  };
}
