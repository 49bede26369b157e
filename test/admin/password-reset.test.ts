import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient } from '../helpers/factories.js';

/**
 * Password resets through the Admin API: a staff member who forgot their password asks on the
 * admin area's login page (no credentials, the same answer for any address), an owner sends a
 * staff member a code, and staff send a client the code the client could have asked for.
 */
describe('password resets in the Admin API', () => {
  let t: TestApp;
  let owner: string;
  let ownerId: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('email.smtp_url', 'smtp://127.0.0.1:2525');
    await t.app.settings.set('email.from', 'Example Hosting <billing@example.com>');
    ownerId = (await newAdmin(t.app, { email: 'owner@example.com', password: 'owner-password-1' })).id;
    owner = basicHeader('owner@example.com', 'owner-password-1');
  });
  afterAll(async () => {
    await t?.close();
  });

  const ask = (email: string, ip = '203.0.113.7') =>
    t.inject({ method: 'POST', url: '/admin/api/v1/auth/password-reset', payload: { email }, remoteAddress: ip });
  const confirm = (token: string, password: string, ip = '203.0.113.7') =>
    t.inject({
      method: 'POST',
      url: '/admin/api/v1/auth/password-reset/confirm',
      payload: { token, new_password: password },
      remoteAddress: ip,
    });
  const mailsTo = (to: string) =>
    t.app.db.kysely
      .selectFrom('mail_messages')
      .selectAll()
      .where('to_address', '=', to)
      .where('template', '=', 'password_reset')
      .orderBy('created_at_ms')
      .execute();
  const lastCode = async (to: string) => {
    const mails = await mailsTo(to);
    return /once:\n\n(\S+)\n/.exec(mails.at(-1)?.text_body ?? '')?.[1] ?? '';
  };
  const login = (email: string, password: string) =>
    t.inject({ method: 'POST', url: '/admin/api/v1/session', payload: { email, password } });

  it('a staff address and an unknown one get the same 202; the emailed code sets the password once and ends the sessions', async () => {
    await newAdmin(t.app, { email: 'ana@example.com', password: 'ana-password-1', role: 'support' });
    const session = await login('ana@example.com', 'ana-password-1');
    expect(session.statusCode).toBe(200);
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;

    const known = await ask('ANA@example.com');
    const unknown = await ask('nobody@example.com');
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    expect(await mailsTo('nobody@example.com')).toHaveLength(0);
    const [mail] = await mailsTo('ana@example.com');
    expect(mail?.text_body).toContain('Forgot your password?');
    const code = await lastCode('ana@example.com');
    expect(code).not.toBe('');

    const short = await confirm(code, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.headers['content-type']).toContain('application/problem+json');
    expect(short.json().errors[0].field).toBe('body.new_password');

    expect((await confirm(code, 'ana-new-password-2')).statusCode).toBe(204);
    // The session from before the reset is over; the old password no longer works, the new one does.
    const me = await t.inject({ method: 'GET', url: '/admin/api/v1/session', headers: { cookie } });
    expect(me.statusCode).toBe(401);
    expect((await login('ana@example.com', 'ana-password-1')).statusCode).toBe(401);
    expect((await login('ana@example.com', 'ana-new-password-2')).statusCode).toBe(200);

    const again = await confirm(code, 'ana-third-password-3');
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json().errors).toEqual([{ field: 'body.token', message: 'is unknown, used or expired' }]);
    expect(again.json().detail).toContain('Forgot your password?');
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'staff.password_reset')
      .executeTakeFirstOrThrow();
    expect(audited).toMatchObject({ actor_type: 'admin', target_type: 'admin', ip: '203.0.113.7' });
  });

  it('staff who may read email do not see reset codes in it: reading one would open that account', async () => {
    await newAdmin(t.app, { email: 'reader@example.com', password: 'reader-password-1', role: 'billing' });
    const reader = basicHeader('reader@example.com', 'reader-password-1');
    expect((await ask('owner@example.com', '198.51.100.30')).statusCode).toBe(202);
    const code = await lastCode('owner@example.com');
    const [mail] = (await mailsTo('owner@example.com')).slice(-1);
    const shown = await t.inject({
      method: 'GET',
      url: `/admin/api/v1/mail/messages/${mail!.id}`,
      headers: { authorization: reader },
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.json().text).toContain('[reset code hidden]');
    expect(shown.json().html).toContain('[reset code hidden]');
    expect(JSON.stringify(shown.json())).not.toContain(code);
  });

  it('a client’s reset code does not open a staff account', async () => {
    const client = await newClient(t.app, { email: 'mixed@example.com' });
    await t.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: client.email } });
    const code = await lastCode(client.email);
    expect(code).not.toBe('');
    expect((await confirm(code, 'a-new-long-password')).statusCode).toBe(400);
  });

  it('asking is throttled per address and email like the clients’ reset; a disabled account gets no mail', async () => {
    await newAdmin(t.app, { email: 'bo@example.com', password: 'bo-password-1', role: 'billing' });
    for (let i = 0; i < 5; i++) expect((await ask('bo@example.com', '198.51.100.9')).statusCode).toBe(202);
    const refused = await ask('bo@example.com', '198.51.100.9');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await ask('bo@example.com', '198.51.100.10')).statusCode).toBe(202);

    const { id } = await newAdmin(t.app, { email: 'gone@example.com', password: 'gone-password-1', role: 'support' });
    const off = await t.inject({
      method: 'PATCH',
      url: `/admin/api/v1/staff/${id}`,
      headers: { authorization: owner },
      payload: { status: 'disabled' },
    });
    expect(off.statusCode).toBe(200);
    expect((await ask('gone@example.com')).statusCode).toBe(202);
    expect(await mailsTo('gone@example.com')).toHaveLength(0);
  });

  it('an owner emails a staff member a code (audited); never shown in the answer, and refused without email set up', async () => {
    const { id } = await newAdmin(t.app, { email: 'cy@example.com', password: 'cy-password-1', role: 'support' });
    const sent = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/staff/${id}/password-reset`,
      headers: { authorization: owner },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json().to).toBe('cy@example.com');
    const code = await lastCode('cy@example.com');
    expect(JSON.stringify(sent.json())).not.toContain(code);
    expect((await confirm(code, 'cy-new-password-2')).statusCode).toBe(204);
    expect((await login('cy@example.com', 'cy-new-password-2')).statusCode).toBe(200);
    const entry = await t.app.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'staff.password_reset_sent')
      .where('target_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(ownerId);

    await t.app.settings.set('email.smtp_url', '');
    try {
      const refused = await t.inject({
        method: 'POST',
        url: `/admin/api/v1/staff/${id}/password-reset`,
        headers: { authorization: owner },
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().detail).toContain('portico admin reset-password cy@example.com');
      // Without email, the login page's form makes no code at all: nobody could receive it.
      const before = (await mailsTo('cy@example.com')).length;
      expect((await ask('cy@example.com', '198.51.100.20')).statusCode).toBe(202);
      expect(await mailsTo('cy@example.com')).toHaveLength(before);
    } finally {
      await t.app.settings.set('email.smtp_url', 'smtp://127.0.0.1:2525');
    }
  });

  it('staff email a client the User API’s reset code, audited with who did it; not for a suspended client', async () => {
    const { id: supportId } = await newAdmin(t.app, {
      email: 'desk@example.com',
      password: 'desk-password-1',
      role: 'support',
    });
    const desk = basicHeader('desk@example.com', 'desk-password-1');
    const client = await newClient(t.app, { email: 'jane@shop.example' });
    const sent = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/clients/${client.row.id}/password-reset`,
      headers: { authorization: desk },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json().to).toBe('jane@shop.example');
    const code = await lastCode('jane@shop.example');
    expect((await mailsTo('jane@shop.example'))[0]?.text_body).toContain('Our staff sent you this code');
    const set = await t.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token: code, new_password: 'jane-new-password-2' },
    });
    expect(set.statusCode).toBe(204);
    const account = await t.inject({
      method: 'GET',
      url: '/api/v1/account',
      headers: { authorization: basicHeader('jane@shop.example', 'jane-new-password-2') },
    });
    expect(account.statusCode).toBe(200);
    const entry = await t.app.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'client.password_reset_sent')
      .where('target_id', '=', client.row.id)
      .executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(supportId);

    const suspend = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/clients/${client.row.id}/suspend`,
      headers: { authorization: desk, 'content-type': 'application/json' },
      payload: {},
    });
    expect(suspend.statusCode).toBe(200);
    const refused = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/clients/${client.row.id}/password-reset`,
      headers: { authorization: desk },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('suspended');
  });

  it('the session tells the admin area what the role may do', async () => {
    await newAdmin(t.app, { email: 'ro@example.com', password: 'ro-password-1', role: 'read_only' });
    const ro = await login('ro@example.com', 'ro-password-1');
    expect(ro.json().permissions).toEqual(['self', 'read']);
    const me = await t.inject({ method: 'GET', url: '/admin/api/v1/session', headers: { authorization: owner } });
    expect(me.json().permissions).toContain('staff');
    const support = await t.inject({
      method: 'GET',
      url: '/admin/api/v1/session',
      headers: { authorization: basicHeader('desk@example.com', 'desk-password-1') },
    });
    expect(support.json().permissions).toContain('clients');
    expect(support.json().permissions).not.toContain('staff');
  });
});
