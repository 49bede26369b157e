import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventConsumers } from '../../src/events/consumers.js';
import { EventDispatcher } from '../../src/events/dispatcher.js';
import { recordPaymentFailed } from '../../src/events/events.js';
import { WebhookSender } from '../../src/webhooks/sender.js';
import { isPublicAddress } from '../../src/webhooks/targets.js';
import { createEndpoint, sendTest } from '../../src/webhooks/webhooks.js';
import { runCli } from '../helpers/cli.js';
import { basicHeader, newAdmin, newClient, newInvoice } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';
import { type ProvisioningHarness, settle, startProvisioning } from '../provisioning/helpers.js';

/** A receiver on loopback: records every request; `answer` decides the status (or holds the response). */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
interface Receiver {
  url: string;
  received: Received[];
  answer: (r: Received) => number | Promise<number>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], answer: () => 204, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', async () => {
      const r = { headers: req.headers, body };
      receiver.received.push(r);
      res.statusCode = await receiver.answer(r);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

describe('client webhooks: signed, once per event, retried, disabled after a day of failures, never to private addresses', {
  timeout: 120_000,
}, () => {
  let h: ProvisioningHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startProvisioning();
    receiver = await startReceiver();
    await h.t.app.settings.set('userapi.rate_limit', 'off');
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  const api = (client: { basic: string }, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.t.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: client.basic },
      ...(payload ? { payload } : {}),
    });
  const allowPrivate = (on: boolean) => h.t.app.settings.set('webhooks.allow_private_targets', on ? 'on' : 'off');

  it('refuses targets that are not https or not public, naming the field and the reason', async () => {
    await allowPrivate(false);
    const me = await newClient(h.t.app);
    const refused = async (url: string, reason: RegExp) => {
      const res = await api(me, 'POST', '/webhooks', { url, event_types: ['*'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const [error] = res.json().errors;
      expect(error.field).toBe('body.url');
      expect(error.message, url).toMatch(reason);
    };
    await refused('http://93.184.215.14/hooks', /must be an https URL/);
    await refused('https://127.0.0.1/hooks', /127\.0\.0\.1, which is not a public Internet address/);
    await refused('https://10.1.2.3/', /10\.1\.2\.3, which is not a public/);
    await refused('https://172.20.0.5/', /not a public/);
    await refused('https://192.168.1.1/', /not a public/);
    await refused('https://169.254.169.254/latest/meta-data', /not a public/);
    await refused('https://[::1]/hooks', /::1, which is not a public/);
    await refused('https://[::ffff:127.0.0.1]/hooks', /not a public/);
    await refused('https://[fd00::1]/hooks', /not a public/);
    // A name that resolves to a private address: the check follows the name.
    await refused('https://localhost/hooks', /localhost, which resolves to (127\.0\.0\.1|::1)/);
    await refused('https://user:pass@93.184.215.14/', /must not carry a user name or password/);
    await refused('not a url', /absolute URL/);

    const badType = await api(me, 'POST', '/webhooks', {
      url: 'https://93.184.215.14/h',
      event_types: ['invoice.lost'],
    });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().errors[0].field).toMatch(/event_types/);

    // A public address is accepted (nothing is sent when saving); the secret is shown once.
    const ok = await api(me, 'POST', '/webhooks', {
      url: 'https://93.184.215.14/hooks',
      event_types: ['invoice.paid'],
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await api(me, 'GET', '/webhooks');
    expect(listed.json().items).toEqual([expect.objectContaining({ id: ok.json().id, enabled: true })]);
    expect(JSON.stringify(listed.json())).not.toContain('whsec_');
    // Another client cannot see or delete it.
    const other = await newClient(h.t.app);
    expect((await api(other, 'GET', `/webhooks/${ok.json().id}`)).statusCode).toBe(404);
    expect((await api(other, 'DELETE', `/webhooks/${ok.json().id}`)).statusCode).toBe(404);
    expect((await api(me, 'DELETE', `/webhooks/${ok.json().id}`)).statusCode).toBe(204);
    expect((await api(me, 'GET', '/webhooks')).json().items).toEqual([]);

    // An owner allows private targets from the admin area's User API settings (a lab): loopback is accepted.
    await newAdmin(h.t.app, { email: 'owner@example.com', password: 'owner-password-1' });
    const allowed = await h.t.inject({
      method: 'PATCH',
      url: '/admin/api/v1/userapi/settings',
      headers: { authorization: basicHeader('owner@example.com', 'owner-password-1') },
      payload: { 'webhooks.allow_private_targets': 'on' },
    });
    expect(allowed.statusCode).toBe(200);
    expect(
      (await api(me, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/hooks', event_types: ['*'] })).statusCode,
    ).toBe(201);
    await allowPrivate(false);
  });

  it('classifies addresses: loopback, private, link-local, shared, mapped and documentation ranges are not public', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
      '64:ff9b::a00:1',
      '2001:db8::1',
      'ff02::1',
    ]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['93.184.215.14', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:93.184.215.14']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });

  it('an order paid and provisioned reaches the client’s endpoint: each event once, signed so a Standard Webhooks library verifies it', async () => {
    await allowPrivate(true);
    receiver.received.length = 0;
    receiver.answer = () => 204;
    const me = await newClient(h.t.app, { credit_minor: 10_000 });
    const created = await api(me, 'POST', '/webhooks', {
      url: receiver.url,
      event_types: ['invoice.paid', 'service.active'],
      description: 'billing system',
    });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    // Two dispatchers and two senders at once: still one delivery per event.
    const dispatchers = [
      new EventDispatcher(h.t.app, eventConsumers(), { pollMs: 10 }),
      new EventDispatcher(h.t.app, eventConsumers(), { pollMs: 10 }),
    ];
    const senders = [new WebhookSender(h.t.app, { pollMs: 10 }), new WebhookSender(h.t.app, { pollMs: 10 })];
    for (const x of [...dispatchers, ...senders]) x.start();
    try {
      const placed = await api(me, 'POST', '/orders', {
        product_id: h.productId,
        billing_cycle: 'monthly',
        domain: 'hooks.example',
      });
      const { invoice_id, service_id } = placed.json();
      const paid = await api(me, 'POST', `/invoices/${invoice_id}/payments`, {});
      expect((await settle(h, paid.json().operations[0])).state).toBe('succeeded');
      await waitFor(() => (receiver.received.length >= 2 ? true : undefined), { message: 'two webhook deliveries' });
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received).toHaveLength(2);
      const verifier = new Webhook(secret);
      const bodies = receiver.received.map((r) => {
        expect(r.headers['content-type']).toBe('application/json');
        return verifier.verify(r.body, r.headers as Record<string, string>) as {
          type: string;
          timestamp: string;
          data: Record<string, unknown>;
        };
      });
      const byType = Object.fromEntries(bodies.map((b) => [b.type, b]));
      expect(Object.keys(byType).sort()).toEqual(['invoice.paid', 'service.active']);
      expect(byType['invoice.paid']!.data).toMatchObject({
        invoice_id,
        method: 'credit',
        total_minor: 499,
        currency: 'USD',
      });
      expect(byType['service.active']!.data).toMatchObject({ service_id });
      // A forged body or a wrong secret does not verify.
      const first = receiver.received[0]!;
      expect(() =>
        verifier.verify(first.body.replace('"data"', '"data" '), first.headers as Record<string, string>),
      ).toThrow();

      const log = await api(me, 'GET', `/webhooks/${id}/deliveries`);
      expect(log.statusCode).toBe(200);
      expect(log.json().items).toHaveLength(2);
      for (const d of log.json().items) {
        expect(d).toMatchObject({ state: 'succeeded', attempts: 1, last_status: 204, last_error: null });
        expect(d.attempt_log).toEqual([expect.objectContaining({ attempt: 1, status: 204, error: null })]);
        expect(receiver.received.map((r) => r.headers['webhook-id'])).toContain(d.id);
      }
    } finally {
      for (const x of [...dispatchers, ...senders]) await x.stop();
    }
  });

  it('a sender that stops answering mid-attempt: the next one sends the same webhook-id and body again', async () => {
    await allowPrivate(true);
    receiver.received.length = 0;
    const me = await newClient(h.t.app);
    const { id } = (await api(me, 'POST', '/webhooks', { url: receiver.url, event_types: ['*'] })).json();
    let release: () => void = () => {};
    const held = new Promise<number>((resolve) => {
      release = () => resolve(200);
    });
    receiver.answer = () => (receiver.received.length === 1 ? held : 200);
    expect((await api(me, 'POST', `/webhooks/${id}/test`)).statusCode).toBe(202);
    // A stalls inside its attempt (as a killed worker would) past its lease; B takes the delivery over.
    const a = new WebhookSender(h.t.app, { leaseMs: 200, timeoutMs: 30_000 });
    const b = new WebhookSender(h.t.app, { leaseMs: 30_000 });
    const stalled = a.tick();
    await waitFor(() => (receiver.received.length === 1 ? true : undefined), { message: 'the first attempt' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await b.tick()).toBe(1);
    release();
    await stalled;
    await a.stop();
    await b.stop();
    expect(receiver.received).toHaveLength(2);
    const [one, two] = receiver.received;
    expect(two!.headers['webhook-id']).toBe(one!.headers['webhook-id']);
    expect(two!.body).toBe(one!.body);
    const [delivery] = (await api(me, 'GET', `/webhooks/${id}/deliveries`)).json().items;
    expect(delivery).toMatchObject({ event_type: 'webhook.test', state: 'succeeded', attempts: 2 });
  });

  it('retries a failing endpoint, then disables it and emails the client; enabled again, a failed delivery can be sent again', async () => {
    await allowPrivate(true);
    receiver.received.length = 0;
    receiver.answer = () => 503;
    const me = await newClient(h.t.app);
    const { id } = (await api(me, 'POST', '/webhooks', { url: receiver.url, event_types: ['payment.failed'] })).json();
    const dispatcher = new EventDispatcher(h.t.app, eventConsumers());
    const invoice = await newInvoice(h.t.app, { clientId: me.row.id });
    await h.t.app.db.kysely.transaction().execute((trx) =>
      recordPaymentFailed(trx, h.t.app.clock.nowMs(), {
        clientId: me.row.id,
        invoiceId: invoice.id,
        reason: 'card declined',
      }),
    );
    await dispatcher.tick();
    // Three attempts (the schedule's two waits, shortened), all 503.
    const sender = new WebhookSender(h.t.app, { retryScheduleMs: [0, 0] });
    await sender.tick();
    expect(receiver.received).toHaveLength(3);
    const endpoint = (await api(me, 'GET', `/webhooks/${id}`)).json();
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabled_reason).toMatch(/3 attempts.*HTTP 503/);
    const [delivery] = (await api(me, 'GET', `/webhooks/${id}/deliveries`)).json().items;
    expect(delivery).toMatchObject({ state: 'failed', attempts: 3, last_status: 503 });
    expect(delivery.attempt_log.map((a: { status: number }) => a.status)).toEqual([503, 503, 503]);
    const mail = await h.t.app.db.kysely
      .selectFrom('mail_messages')
      .selectAll()
      .where('client_id', '=', me.row.id)
      .where('template', '=', 'webhook_disabled')
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text_body).toContain(receiver.url);
    expect(mail[0]!.text_body).toContain('"enabled": true');

    // Disabled: a redelivery is refused until it is enabled again.
    expect((await api(me, 'POST', `/webhooks/${id}/deliveries/${delivery.id}/retry`)).statusCode).toBe(409);
    expect((await api(me, 'PATCH', `/webhooks/${id}`, { enabled: true })).json()).toMatchObject({
      enabled: true,
      disabled_reason: null,
    });
    receiver.answer = () => 200;
    expect((await api(me, 'POST', `/webhooks/${id}/deliveries/${delivery.id}/retry`)).statusCode).toBe(202);
    await sender.tick();
    await sender.stop();
    const [again] = (await api(me, 'GET', `/webhooks/${id}/deliveries`)).json().items;
    expect(again).toMatchObject({ id: delivery.id, state: 'succeeded', attempts: 4, last_status: 200 });
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(delivery.id);
  });

  it('checks the address again when connecting: a name that turned private since it was saved is not connected to', async () => {
    await allowPrivate(false);
    receiver.received.length = 0;
    receiver.answer = () => 200;
    const me = await newClient(h.t.app);
    const port = new URL(receiver.url).port;
    const url = `https://hooks.rebinding.test:${port}/hooks`;
    // The name's answers: public when saved and when the sender checks, loopback when it connects.
    const answers = ['93.184.215.14', '93.184.215.14', '127.0.0.1'];
    const lookups: string[] = [];
    const resolve = async (name: string) => {
      lookups.push(name);
      const address = answers.shift() ?? '127.0.0.1';
      return [{ address, family: 4 }];
    };
    const endpoint = await createEndpoint({ ...h.t.app, resolve }, me.row.id, { url, event_types: ['*'] });
    await sendTest(h.t.app, me.row.id, endpoint.id);
    const sender = new WebhookSender(h.t.app, { resolve });
    await sender.tick();
    await sender.stop();
    expect(lookups).toEqual(['hooks.rebinding.test', 'hooks.rebinding.test', 'hooks.rebinding.test']);
    expect(receiver.received).toHaveLength(0);
    const [delivery] = (await api(me, 'GET', `/webhooks/${endpoint.id}/deliveries`)).json().items;
    expect(delivery.state).toBe('failed');
    expect(delivery.last_error).toMatch(
      /hooks\.rebinding\.test resolves to 127\.0\.0\.1, which is not a public Internet address/,
    );
    // And an endpoint saved while private targets were allowed is refused once they are not.
    await allowPrivate(true);
    const lab = (await api(me, 'POST', '/webhooks', { url: receiver.url, event_types: ['*'] })).json();
    await allowPrivate(false);
    await sendTest(h.t.app, me.row.id, lab.id);
    const again = new WebhookSender(h.t.app);
    await again.tick();
    await again.stop();
    expect(receiver.received).toHaveLength(0);
    const [refused] = (await api(me, 'GET', `/webhooks/${lab.id}/deliveries`)).json().items;
    expect(refused.last_error).toMatch(/must be an https URL/);
  });

  it('support staff see a client’s webhooks, why one is disabled, and its delivery log (Admin API and CLI)', async () => {
    await allowPrivate(true);
    receiver.received.length = 0;
    receiver.answer = () => 410;
    const me = await newClient(h.t.app);
    const { id } = (await api(me, 'POST', '/webhooks', { url: receiver.url, event_types: ['*'] })).json();
    await api(me, 'POST', `/webhooks/${id}/test`);
    const sender = new WebhookSender(h.t.app);
    await sender.tick();
    await sender.stop();
    await api(me, 'PATCH', `/webhooks/${id}`, { enabled: false });
    await newAdmin(h.t.app, { email: 'support@example.com', password: 'support-password-1', role: 'support' });
    const admin = { authorization: basicHeader('support@example.com', 'support-password-1') };
    const listed = await h.t.inject({
      method: 'GET',
      url: `/admin/api/v1/webhooks?client=${encodeURIComponent(me.email)}`,
      headers: admin,
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([
      expect.objectContaining({
        id,
        client_id: me.row.id,
        client_email: me.email,
        enabled: false,
        disabled_reason: 'Disabled by you.',
      }),
    ]);
    expect(JSON.stringify(listed.json())).not.toContain('whsec_');
    const log = await h.t.inject({ method: 'GET', url: `/admin/api/v1/webhooks/${id}/deliveries`, headers: admin });
    expect(log.json().items[0]).toMatchObject({ event_type: 'webhook.test', state: 'failed', last_status: 410 });
    const unknown = await h.t.inject({
      method: 'GET',
      url: '/admin/api/v1/webhooks?client=nobody@example.test',
      headers: admin,
    });
    expect(unknown.statusCode).toBe(404);

    const cli = await runCli(h.t.db, ['webhooks', 'list', '--client', me.email]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`${id}  disabled  ${me.email}  ${receiver.url}  *`);
    expect(cli.stdout).toContain('Disabled by you.');
    const deliveries = await runCli(h.t.db, ['webhooks', 'deliveries', id]);
    expect(deliveries.stdout).toMatch(/whd_\w+ +failed +webhook\.test +attempts 1/);
    expect(deliveries.stdout).toContain('HTTP 410');
  });
});
