import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmAdminReset } from '../../src/auth/password-reset.js';
import { MailSender } from '../../src/mail/sender.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { basicHeader, newAdmin, newClient, type TestClient } from '../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';
import { bearer, loginAs } from './helpers.js';

describe('password reset: the same 202 for any address, a single-use code by email, every session ended', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let sender: MailSender;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ clock });
    await t.app.settings.set('email.smtp_url', smtp.url);
    await t.app.settings.set('email.from', 'Example Hosting <billing@example.com>');
    await t.app.settings.set('company.name', 'Example Hosting');
    sender = new MailSender(t.app);
  });
  afterAll(async () => {
    await sender?.stop();
    await smtp?.close();
    await t?.close();
  });

  const ask = (email: string, ip = '203.0.113.7') =>
    t.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email }, remoteAddress: ip });
  const confirm = (token: string, password: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token, new_password: password },
    });
  /** Sends what is queued and returns the code of the newest reset mail to `to`. */
  const codeFor = async (to: string, count: number) => {
    await sender.tick();
    const mails = await waitFor(() => (smtp.to(to).length >= count ? smtp.to(to) : undefined));
    const text = mails[count - 1]!.parsed.text ?? '';
    return /once:\n\n(\S+)\n/.exec(text)![1]!;
  };

  it('a known and an unknown address get the same 202; only the known one gets a mail, with a code that works once', async () => {
    const me: TestClient = await newClient(t.app);
    const session = await loginAs(t, me);
    const token = await t.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(session.access_token),
      payload: { name: 'backup', scope: 'read' },
    });
    expect(token.statusCode).toBe(201);
    const apiToken = token.json().token as string;

    const known = await ask(me.email.toUpperCase());
    const unknown = await ask('nobody-here@example.test');
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    const code = await codeFor(me.email, 1);
    const mail = smtp.to(me.email)[0]!.parsed;
    expect(mail.subject).toBe('Reset your Example Hosting password');
    expect(mail.text).toContain('within 30 minutes');
    expect(smtp.to('nobody-here@example.test')).toHaveLength(0);
    // The code is stored only as its hash.
    const stored = await t.app.db.kysely.selectFrom('password_resets').selectAll().execute();
    expect(stored.some((r) => r.token_hash === code)).toBe(false);

    const set = await confirm(code, 'a-brand-new-passphrase');
    expect(set.statusCode).toBe(204);
    // Every login, refresh token and API token of the account is ended; the new password works.
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(session.access_token) })).statusCode,
    ).toBe(401);
    const refreshed = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: session.refresh_token },
    });
    expect(refreshed.statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/api/v1/account', headers: bearer(apiToken) })).statusCode).toBe(401);
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } })).statusCode,
    ).toBe(401);
    const fresh = await t.inject({
      method: 'GET',
      url: '/api/v1/account',
      headers: { authorization: basicHeader(me.email, 'a-brand-new-passphrase') },
    });
    expect(fresh.statusCode).toBe(200);

    const twice = await confirm(code, 'yet-another-passphrase');
    expect(twice.statusCode).toBe(400);
    expect(twice.headers['content-type']).toContain('application/problem+json');
    expect(twice.json().errors).toEqual([{ field: 'body.token', message: 'is unknown, used or expired' }]);
  });

  it('a code expires after 30 minutes, and asking again replaces the earlier code', async () => {
    const me = await newClient(t.app);
    await ask(me.email);
    const first = await codeFor(me.email, 1);
    await ask(me.email);
    const second = await codeFor(me.email, 2);
    expect((await confirm(first, 'a-brand-new-passphrase')).statusCode).toBe(400);
    clock.advance(30 * 60_000 + 1);
    const late = await confirm(second, 'a-brand-new-passphrase');
    expect(late.statusCode).toBe(400);
    expect(late.json().detail).toContain('Ask for a new one');
    const again = await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } });
    expect(again.statusCode).toBe(200);
  });

  it('asking is throttled per address and email: the sixth request in 15 minutes is refused with Retry-After', async () => {
    const me = await newClient(t.app);
    for (let i = 0; i < 5; i++) expect((await ask(me.email, '198.51.100.9')).statusCode).toBe(202);
    const refused = await ask(me.email, '198.51.100.9');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().detail).toContain('Too many password reset attempts');
    // Another address is not held back by it.
    expect((await ask(me.email, '198.51.100.10')).statusCode).toBe(202);
  });

  it('`portico admin reset-password` prints a code when no SMTP is configured, and --token sets the password once', {
    timeout: 120_000,
  }, async () => {
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    await t.app.settings.set('email.smtp_url', '');
    const asked = await runCli(t.db, ['admin', 'reset-password', 'ops@example.com']);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toContain('No SMTP is configured, so here is the reset code for ops@example.com');
    const code = /--token (\S+) --password-stdin/.exec(asked.stdout)![1]!;
    const set = await runCli(
      t.db,
      ['admin', 'reset-password', 'ops@example.com', '--token', code, '--password-stdin'],
      {
        stdin: 'new-admin-password-2\n',
      },
    );
    expect(set.stdout).toContain('Password of ops@example.com set');
    const adminApi = (password: string) =>
      t.inject({
        method: 'GET',
        url: '/admin/api/v1/jobs',
        headers: { authorization: basicHeader('ops@example.com', password) },
      });
    expect((await adminApi('new-admin-password-2')).statusCode).toBe(200);
    expect((await adminApi('admin-password-1')).statusCode).toBe(401);
    // The code worked once.
    await expect(confirmAdminReset(t.app, { token: code, newPassword: 'third-admin-password' })).rejects.toThrow(
      'The reset code is unknown, used or expired',
    );
  });
});
