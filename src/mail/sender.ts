import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../app-context.js';
import { backoff } from '../events/dispatcher.js';
import { pdfFileName, renderInvoicePdf } from '../invoices/pdf.js';
import { leaseOwner, PollLoop } from '../platform/poll-loop.js';
import type { Attachment } from './compose.js';
import { claimMessage, finishMessage, type MailRow } from './store.js';

/**
 * Sends queued messages over SMTP (email.smtp_url, email.from). What it can promise, and what a
 * crash at each point does, is in docs/adr/0015-email-delivery.md: the attempt is recorded
 * (state `sending`, attempts + 1) before the message is handed to the server, every attempt
 * carries the same Message-ID (made from the message id), and a message whose attempt was never
 * recorded as finished is sent again once its lease has expired — at least once, a duplicate
 * recognisable by its Message-ID.
 */
export type SenderDeps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'settings' | 'config'>;

export interface SenderOptions {
  pollMs?: number;
  leaseMs?: number;
  backoffBaseMs?: number;
  maxAttempts?: number;
}

export const NO_SMTP =
  'Not sent: no SMTP server is configured. Set email.smtp_url and email.from, then retry it (`portico mail retry <id>`).';

/** `<msg_01J…@example.com>`: the same for every attempt of a message. */
export function messageIdFor(id: string, from: string): string {
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'portico.invalid';
  return `<${id}@${domain}>`;
}

/** email.smtp_url as nodemailer's options: smtps:// is TLS from the start, smtp:// upgrades with STARTTLS when offered. */
export function smtpOptions(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

export class MailSender {
  readonly owner = leaseOwner();
  private readonly loop: PollLoop;
  private transport: { url: string; transporter: Transporter } | undefined;
  private readonly options: Required<SenderOptions>;

  constructor(
    private readonly deps: SenderDeps,
    options: SenderOptions = {},
  ) {
    this.options = { pollMs: 250, leaseMs: 120_000, backoffBaseMs: 30_000, maxAttempts: 8, ...options };
    this.loop = new PollLoop(() => this.tick(), {
      pollMs: this.options.pollMs,
      onError: (err) => this.deps.logger.warn({ err }, 'sending email failed; will try again'),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport?.transporter.close();
    this.transport = undefined;
  }

  /** Sends what is due, one message at a time; returns how many it took. */
  async tick(): Promise<number> {
    let n = 0;
    for (; n < 50; n++) {
      const message = await claimMessage(this.deps.db.kysely, {
        dialect: this.deps.db.dialect,
        owner: this.owner,
        nowMs: this.deps.clock.nowMs(),
        leaseMs: this.options.leaseMs,
      });
      if (!message) break;
      await this.attempt(message);
    }
    return n;
  }

  private transporter(url: string): Transporter {
    if (this.transport?.url !== url) {
      this.transport?.transporter.close();
      this.transport = {
        url,
        transporter: nodemailer.createTransport(smtpOptions(url)),
      };
    }
    return this.transport.transporter;
  }

  private async attempt(message: MailRow): Promise<void> {
    const { db, clock, logger, settings } = this.deps;
    const url = settings.snapshot['email.smtp_url'];
    const from = settings.snapshot['email.from'];
    if (!url || !from) {
      await finishMessage(db.kysely, message.id, this.owner, {
        state: 'unsent',
        last_error: NO_SMTP,
        updated_at_ms: clock.nowMs(),
      });
      return;
    }
    try {
      const attachments = await this.attachments(message);
      await this.transporter(url).sendMail({
        from,
        to: message.to_address,
        subject: message.subject,
        text: message.text_body,
        html: message.html_body,
        messageId: messageIdFor(message.id, from),
        headers: { 'X-Portico-Message': message.id },
        attachments,
      });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      const permanent = typeof code === 'number' && code >= 500 && code < 600;
      const givingUp = permanent || message.attempts >= this.options.maxAttempts;
      const text = error instanceof Error ? error.message : String(error);
      const now = clock.nowMs();
      logger.warn(
        { err: error, mailId: message.id, attempts: message.attempts },
        givingUp ? 'email not delivered; gave up' : 'email not delivered; will retry',
      );
      await finishMessage(db.kysely, message.id, this.owner, {
        state: givingUp ? 'failed' : 'queued',
        run_after_ms: now + backoff(this.options.backoffBaseMs, message.attempts),
        last_error: `${permanent ? 'Refused by the server' : 'Delivery failed'}: ${text}`.slice(0, 1000),
        updated_at_ms: now,
      });
      return;
    }
    const now = clock.nowMs();
    if (
      !(await finishMessage(db.kysely, message.id, this.owner, {
        state: 'sent',
        sent_at_ms: now,
        last_error: null,
        updated_at_ms: now,
      }))
    ) {
      logger.warn(
        { mailId: message.id },
        'email sent after its lease expired; another worker may send it again (same Message-ID)',
      );
    }
  }

  private async attachments(message: MailRow) {
    if (!message.attachments) return [];
    const list = JSON.parse(message.attachments) as Attachment[];
    const out: { filename: string; content: Buffer; contentType: string }[] = [];
    for (const a of list) {
      if (a.kind === 'invoice_pdf') {
        const { pdf, invoice } = await renderInvoicePdf(this.deps, a.invoice_id);
        out.push({ filename: pdfFileName(invoice), content: pdf, contentType: 'application/pdf' });
      }
    }
    return out;
  }
}
