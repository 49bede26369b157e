import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { createClient } from '../../src/clients/clients.js';
import { eventConsumers } from '../../src/events/consumers.js';
import { EventDispatcher } from '../../src/events/dispatcher.js';
import { recordPaymentFailed } from '../../src/events/events.js';
import { MailSender } from '../../src/mail/sender.js';
import { newClient, newInvoice } from '../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';
import { pdfText } from '../invoices/pdf-text.js';
import { enqueue, type ProvisioningHarness, settle, startProvisioning } from '../provisioning/helpers.js';

describe('email: each state change a client cares about reaches them over SMTP, end to end', () => {
  let h: ProvisioningHarness;
  let smtp: TestSmtp;
  let dispatcher: EventDispatcher;
  let sender: MailSender;
  beforeAll(async () => {
    h = await startProvisioning();
    smtp = await startSmtp();
    const s = h.t.app.settings;
    await s.set('userapi.rate_limit', 'off');
    await s.set('email.smtp_url', smtp.url);
    await s.set('email.from', 'Example Hosting <billing@example.com>');
    await s.set('company.name', 'Example Hosting');
    await s.set('email.logo_url', 'https://example.com/logo.png');
    dispatcher = new EventDispatcher(h.t.app, eventConsumers(), { pollMs: 10 });
    sender = new MailSender(h.t.app, { pollMs: 10, backoffBaseMs: 10 });
    dispatcher.start();
    sender.start();
  });
  afterAll(async () => {
    await dispatcher?.stop();
    await sender?.stop();
    await smtp?.close();
    await h?.close();
  });

  const mailTo = (address: string, count: number) =>
    waitFor(() => (smtp.to(address).length >= count ? smtp.to(address) : undefined), {
      message: `${count} mail(s) to ${address}`,
    });

  it('order paid → service provisioned on the sandbox panel: invoice with its PDF, receipt, and "active" with the panel address and username but no password', async () => {
    const me = await newClient(h.t.app, { credit_minor: 10_000, name: 'Grace <Hopper>' });
    const placed = await h.t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: me.basic },
      payload: { product_id: h.productId, billing_cycle: 'monthly', domain: 'grace.example' },
    });
    const { invoice_id, service_id } = placed.json();
    const paid = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoice_id}/payments`,
      headers: { authorization: me.basic },
      payload: {},
    });
    expect((await settle(h, paid.json().operations[0])).state).toBe('succeeded');
    const mails = await mailTo(me.email, 3);
    const invoice = await h.t.app.db.kysely
      .selectFrom('invoices')
      .selectAll()
      .where('id', '=', invoice_id)
      .executeTakeFirstOrThrow();
    const [issued, receipt, active] = mails.map((m) => m.parsed);
    expect(issued!.subject).toBe(
      `Invoice ${invoice.number}: 4.99 USD due ${new Date(invoice.due_at_ms).toISOString().slice(0, 10)}`,
    );
    expect(issued!.from?.value).toEqual([{ name: 'Example Hosting', address: 'billing@example.com' }]);
    expect(issued!.attachments).toHaveLength(1);
    expect(issued!.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: `${invoice.number}.pdf` });
    expect(pdfText(issued!.attachments[0]!.content)).toContain(invoice.number);
    // The client's name is escaped in HTML, as is in the text; the branding is in the layout.
    expect(issued!.html).toContain('Hello Grace &lt;Hopper&gt;,');
    expect(issued!.html).toContain('<img src="https://example.com/logo.png" alt="Example Hosting"');
    expect(issued!.text).toContain('Hello Grace <Hopper>,');
    expect(receipt!.subject).toBe(`Payment received for ${invoice.number}`);
    expect(receipt!.text).toContain('we received 4.99 USD');

    const service = await h.t.app.db.kysely
      .selectFrom('services')
      .selectAll()
      .where('id', '=', service_id)
      .executeTakeFirstOrThrow();
    const username = service.panel_username!;
    const panelPassword = h.panel.state.users[username]!.password;
    expect(active!.subject).toBe('grace.example is ready');
    expect(active!.text).toContain(`Control panel: https://${h.panel.host}:${h.panel.port}/`);
    expect(active!.text).toContain(`Username: ${username}`);
    expect(active!.html).toContain(`<strong>${username}</strong>`);
    for (const m of mails) {
      expect(m.raw).not.toContain(panelPassword);
      expect(m.parsed.text).not.toContain(panelPassword);
    }
    // The one-time reveal still has the password to show.
    const reveal = await h.t.inject({
      method: 'GET',
      url: `/api/v1/services/${service_id}/credentials`,
      headers: { authorization: me.basic },
    });
    expect(reveal.json()).toEqual({ username, password: panelPassword });
    // Each message carries a Message-ID made from its id, and its row says sent.
    const rows = await h.t.app.db.kysely
      .selectFrom('mail_messages')
      .selectAll()
      .where('client_id', '=', me.row.id)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.template, r.state, r.attempts])).toEqual([
      ['invoice_issued', 'sent', 1],
      ['payment_receipt', 'sent', 1],
      ['service_active', 'sent', 1],
    ]);
    expect(mails.map((m) => m.parsed.messageId)).toEqual(rows.map((r) => `<${r.id}@example.com>`));
  });

  it('suspended, unsuspended, cancellation confirmed and terminated: one mail each, in order', async () => {
    const me = await newClient(h.t.app, { credit_minor: 10_000 });
    const placed = await h.t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: me.basic },
      payload: { product_id: h.productId, billing_cycle: 'monthly', domain: 'life.example' },
    });
    const { invoice_id, service_id } = placed.json();
    const paid = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoice_id}/payments`,
      headers: { authorization: me.basic },
      payload: {},
    });
    await settle(h, paid.json().operations[0]);
    await mailTo(me.email, 3);
    await h.t.app.db.kysely
      .updateTable('services')
      .set({ suspension_reason: 'overdue' })
      .where('id', '=', service_id)
      .execute();
    expect((await settle(h, await enqueue(h, 'suspend', service_id))).state).toBe('succeeded');
    const suspended = (await mailTo(me.email, 4))[3]!.parsed;
    expect(suspended.subject).toBe('life.example is suspended');
    expect(suspended.text).toContain('is suspended (an invoice is overdue)');
    expect((await settle(h, await enqueue(h, 'unsuspend', service_id))).state).toBe('succeeded');
    expect((await mailTo(me.email, 5))[4]!.parsed.subject).toBe('life.example is active again');
    const cancel = await h.t.inject({
      method: 'POST',
      url: `/api/v1/services/${service_id}/cancellation`,
      headers: { authorization: me.basic },
      payload: { type: 'immediate' },
    });
    expect(cancel.statusCode).toBe(202);
    await settle(h, cancel.json().operation_id);
    const last = (await mailTo(me.email, 7)).slice(5).map((m) => m.parsed);
    expect(last.map((m) => m.subject)).toEqual([
      'Cancellation of life.example received',
      'life.example has been terminated',
    ]);
    expect(last[0]!.text).toContain('the hosting account is being removed now');
  });

  it('welcome on sign-up, and the billing run reminds before and after the due date (not once paid)', async () => {
    const client = await createClient(
      { db: h.t.app.db.kysely, clock: h.t.app.clock },
      {
        email: 'new.client@example.test',
        name: 'New Client',
        password: 'a-long-enough-password',
      },
    );
    const welcome = (await mailTo(client.email, 1))[0]!.parsed;
    expect(welcome.subject).toBe('Welcome to Example Hosting');
    expect(welcome.text).toContain('You sign in with new.client@example.test');

    await h.t.app.settings.set('billing.reminder_days_before', '3');
    await h.t.app.settings.set('billing.reminder_days_after', '1');
    const issuedAt = h.t.app.clock.nowMs();
    const late = await newInvoice(h.t.app, { clientId: client.id, nowMs: issuedAt });
    const paidLater = await newInvoice(h.t.app, { clientId: client.id, nowMs: issuedAt });
    const day = 86_400_000;
    await runBilling(h.t.app, { atMs: issuedAt + 4 * day });
    const reminders = (await mailTo(client.email, 3)).slice(1).map((m) => m.parsed.subject);
    expect(reminders.every((s) => s?.startsWith('Reminder: '))).toBe(true);
    await h.t.app.db.kysely.updateTable('invoices').set({ status: 'paid' }).where('id', '=', paidLater.id).execute();
    await runBilling(h.t.app, { atMs: issuedAt + 8 * day });
    const overdue = (await mailTo(client.email, 4))[3]!.parsed;
    const number = (
      await h.t.app.db.kysely
        .selectFrom('invoices')
        .select('number')
        .where('id', '=', late.id)
        .executeTakeFirstOrThrow()
    ).number;
    expect(overdue.subject).toBe(
      `Overdue: ${number} was due ${new Date(issuedAt + 7 * day).toISOString().slice(0, 10)}`,
    );
    expect(overdue.text).toContain('is 1 day(s) overdue');
    // The paid invoice's overdue event is handled without a mail: nothing else arrives.
    await waitFor(async () => {
      const left = await h.t.app.db.kysely
        .selectFrom('event_deliveries')
        .select('event_id')
        .where('state', '!=', 'done')
        .execute();
      return left.length === 0;
    });
    expect(smtp.to(client.email)).toHaveLength(4);
  });

  it('a payment integration that records a failed payment gets the client a "payment failed" mail with the reason', async () => {
    const me = await newClient(h.t.app);
    const invoice = await newInvoice(h.t.app, { clientId: me.row.id });
    await h.t.app.db.kysely.transaction().execute((trx) =>
      recordPaymentFailed(trx, h.t.app.clock.nowMs(), {
        clientId: me.row.id,
        invoiceId: invoice.id,
        reason: 'the card was declined',
        attemptId: 'attempt-1',
      }),
    );
    const failed = (await mailTo(me.email, 1))[0]!.parsed;
    expect(failed.subject).toMatch(/^Payment for T-\S+ failed$/);
    expect(failed.text).toContain('failed: the card was declined.');
  });
});
