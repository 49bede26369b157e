import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin } from '../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

interface Item {
  key: string;
  group: string;
  value: string | null;
  is_default: boolean;
  write_only: boolean;
  is_set: boolean;
  redacted: string | null;
  description: string;
}

describe('the business settings in the Admin API', () => {
  let t: TestApp;
  const owner = basicHeader('owner@example.com', 'admin-password-1');
  const billing = basicHeader('billing@example.com', 'admin-password-1');
  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'owner@example.com', password: 'admin-password-1' });
    await newAdmin(t.app, { email: 'billing@example.com', password: 'admin-password-1', role: 'billing' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const api = (method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object, authorization = owner) =>
    t.inject({ method, url: `/admin/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });
  const items = async (authorization = owner): Promise<Item[]> => {
    const res = await api('GET', '/settings', undefined, authorization);
    expect(res.statusCode).toBe(200);
    return res.json().items;
  };
  const item = (list: Item[], key: string) => list.find((i) => i.key === key)!;

  it('lists each group’s settings with their values and what they mean', async () => {
    const list = await items();
    expect(new Set(list.map((i) => i.group))).toEqual(new Set(['billing', 'payments', 'email', 'branding']));
    expect(item(list, 'billing.invoice_days_before_due')).toMatchObject({
      group: 'billing',
      value: '7',
      is_default: true,
      write_only: false,
    });
    expect(item(list, 'billing.suspend_after_days').description).toContain('suspended');
    expect(item(list, 'company.name')).toMatchObject({ group: 'branding', value: 'Portico Hosting' });
    // The User API's settings have their own page and routes.
    expect(list.some((i) => i.key.startsWith('userapi.'))).toBe(false);
  });

  it('changes several settings at once; every instance follows', async () => {
    const twin = await t.twin();
    await twin.app.watcher.start();
    const res = await api('PATCH', '/settings', {
      'billing.suspend_after_days': '5',
      'billing.invoice_number_format': 'PH-{YY}-{seq:4}',
      'payments.bank_transfer': 'on',
      'payments.bank_details': 'Example Hosting Ltd\nIBAN DE00 1234',
    });
    expect(res.statusCode).toBe(200);
    expect(item(res.json().items, 'billing.suspend_after_days')).toMatchObject({ value: '5', is_default: false });
    expect(t.app.settings.snapshot['billing.suspend_after_days']).toBe(5);
    expect(t.app.settings.snapshot['payments.bank_details']).toBe('Example Hosting Ltd\nIBAN DE00 1234');
    await expect.poll(() => twin.app.settings.snapshot['billing.invoice_number_format']).toBe('PH-{YY}-{seq:4}');
  });

  it('refuses a bad value with problem+json naming the field and why; nothing of the patch is saved', async () => {
    const res = await api('PATCH', '/settings', {
      'billing.terminate_after_days': '60',
      'billing.suspend_after_days': 'soon',
      'email.from': 'not an address',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body.billing.suspend_after_days', message: expect.stringContaining('whole number of days') },
        { field: 'body.email.from', message: expect.stringContaining('email address') },
      ]),
    );
    expect(body.errors).toHaveLength(2);
    expect(t.app.settings.snapshot['billing.terminate_after_days']).toBe(30);
  });

  it('refuses an empty change', async () => {
    const res = await api('PATCH', '/settings', {});
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });

  it('changes only the settings of these pages', async () => {
    const res = await api('PATCH', '/settings', { 'userapi.logging': 'on', 'no.such': 'x' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['body.no.such', 'body.userapi.logging']);
    expect(t.app.settings.snapshot['userapi.logging']).toBe(false);
  });

  it('never answers the Stripe keys or the SMTP password; says whether they are set', async () => {
    const secret = 'sk_test_51SECRETvalue0123456789';
    const webhook = 'whsec_SECRETwebhook0123456789';
    const smtpPassword = 'p4ss-w0rd-SECRET';
    const res = await api('PATCH', '/settings', {
      'payments.stripe_secret_key': secret,
      'payments.stripe_webhook_secret': webhook,
      'email.smtp_url': `smtps://billing%40example.com:${smtpPassword}@mail.example.com:465`,
    });
    expect(res.statusCode).toBe(200);
    for (const answer of [
      res.body,
      (await api('GET', '/settings')).body,
      (await api('GET', '/userapi/settings')).body,
    ]) {
      expect(answer).not.toContain(secret);
      expect(answer).not.toContain(webhook);
      expect(answer).not.toContain(smtpPassword);
    }
    const list = await items();
    expect(item(list, 'payments.stripe_secret_key')).toMatchObject({ value: null, write_only: true, is_set: true });
    expect(item(list, 'payments.stripe_webhook_secret')).toMatchObject({ value: null, is_set: true });
    expect(item(list, 'email.smtp_url')).toMatchObject({
      value: null,
      is_set: true,
      redacted: 'smtps://billing%40example.com@mail.example.com:465',
    });
    // The audit log names what changed, not the values.
    const audit = await t.app.db.kysely.selectFrom('audit_log').select('details').execute();
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(JSON.stringify(audit)).not.toContain(smtpPassword);

    // Cleared with an empty string.
    const cleared = await api('PATCH', '/settings', { 'payments.stripe_webhook_secret': '' });
    expect(item(cleared.json().items, 'payments.stripe_webhook_secret')).toMatchObject({ is_set: false });
  });

  it('refuses to switch card payments on without the Stripe secret key', async () => {
    await api('PATCH', '/settings', { 'payments.stripe_secret_key': '' });
    const res = await api('PATCH', '/settings', { 'payments.stripe': 'on' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'body.payments.stripe', message: expect.stringContaining('payments.stripe_secret_key') },
    ]);
    expect(t.app.settings.snapshot['payments.stripe']).toBe(false);
    const both = await api('PATCH', '/settings', {
      'payments.stripe_secret_key': 'sk_test_x',
      'payments.stripe': 'on',
    });
    expect(both.statusCode).toBe(200);
    expect(t.app.settings.snapshot['payments.stripe']).toBe(true);
  });

  it('takes an invoice logo only if the server can read it as PNG or JPEG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-logo-'));
    const png = join(dir, 'logo.png');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    const text = join(dir, 'logo.txt');
    writeFileSync(text, 'not an image');
    const missing = await api('PATCH', '/settings', { 'company.logo_path': join(dir, 'nope.png') });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([
      { field: 'body.company.logo_path', message: expect.stringContaining('cannot be read') },
    ]);
    const notImage = await api('PATCH', '/settings', { 'company.logo_path': text });
    expect(notImage.json().errors[0].message).toContain('is not a PNG or JPEG file');
    expect((await api('PATCH', '/settings', { 'company.logo_path': png })).statusCode).toBe(200);
    expect(t.app.settings.snapshot['company.logo_path']).toBe(png);
  });

  it('lets every role read them, and only owners change them', async () => {
    expect((await items(billing)).length).toBeGreaterThan(10);
    const res = await api('PATCH', '/settings', { 'company.name': 'Billing Co' }, billing);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden_role');
  });
});

describe('sending a test message through the configured mail server', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let locked: TestSmtp;
  const owner = basicHeader('owner@example.com', 'admin-password-1');
  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'owner@example.com', password: 'admin-password-1' });
    smtp = await startSmtp();
    locked = await startSmtp({ auth: { user: 'portico', pass: 'right-password' } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await locked?.close();
  });
  const send = (to: unknown) =>
    t.inject({
      method: 'POST',
      url: '/admin/api/v1/mail/test-message',
      headers: { authorization: owner },
      payload: { to },
    });

  it('says what is missing before SMTP is configured', async () => {
    const res = await send('owner@example.com');
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('email.smtp_url and email.from');
  });

  it('sends one message now, with the company’s name, and answers with the server’s reply', async () => {
    await t.app.settings.set('email.smtp_url', smtp.url);
    await t.app.settings.set('email.from', 'Example Hosting <billing@example.com>');
    await t.app.settings.set('company.name', 'Example Hosting');
    const res = await send('Owner@Example.com');
    expect(res.statusCode).toBe(200);
    expect(res.json().response).toMatch(/^250/);
    const mail = smtp.to('owner@example.com');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.parsed.subject).toBe('Test message from Example Hosting');
    expect(mail[0]!.parsed.text).toContain('sent by owner@example.com');
    expect(mail[0]!.parsed.messageId).toBe(res.json().message_id);
    // Not a queued message: nothing for the sender to send again.
    expect(await t.app.db.kysely.selectFrom('mail_messages').select('id').execute()).toEqual([]);
  });

  it('answers the server’s refusal, without the password', async () => {
    await t.app.settings.set('email.smtp_url', `smtp://portico:wrong-password@127.0.0.1:${locked.port}`);
    const res = await send('owner@example.com');
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('mail_server_error');
    expect(res.json().detail).toContain('535');
    expect(res.json().detail).toContain('Invalid username or password');
    expect(res.body).not.toContain('wrong-password');
    expect(locked.received).toEqual([]);
  });

  it('answers when the server cannot be reached', async () => {
    const gone = await startSmtp();
    await gone.close();
    await t.app.settings.set('email.smtp_url', gone.url);
    const res = await send('owner@example.com');
    expect(res.statusCode).toBe(502);
    expect(res.json().detail).toContain('ECONNREFUSED');
  });

  it('refuses an address that is not one, naming the field', async () => {
    const res = await send('not-an-address');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.to');
  });
});
