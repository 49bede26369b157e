import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { basicHeader, newAdmin } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Two-factor login (TOTP) with the production default: owners must enrol. Codes come from the
 * otpauth package, as an authenticator app would compute them from the secret the API gave.
 */
const PASSWORD = 'owner-password-1';

function totpOf(secret: string) {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
}
/** The code of the time step `steps` away from now. */
const codeAt = (totp: TOTP, steps: number) => totp.generate({ timestamp: Date.now() + steps * 30_000 });
/** A six-digit code no step within the accepted drift has. */
function wrongCode(totp: TOTP): string {
  const near = new Set([-2, -1, 0, 1, 2].map((s) => codeAt(totp, s)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

async function setup() {
  const t = await createTestApp({ adminTotp: 'default' });
  const login = (email: string, password: string, totp_code?: string, remoteAddress = '127.0.0.1') =>
    t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      remoteAddress,
      payload: { email, password, ...(totp_code !== undefined ? { totp_code } : {}) },
    });
  const as = (res: Awaited<ReturnType<typeof login>>) => ({
    cookie: String(res.headers['set-cookie']).split(';')[0]!,
    csrf: res.json().csrf_token as string,
  });
  const call = (
    session: { cookie: string; csrf: string },
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
    url: string,
    payload?: object,
  ) =>
    t.inject({
      method,
      url: `/admin/api/v1${url}`,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      ...(payload ? { payload } : {}),
    });
  /** An owner who has enrolled: their secret, recovery codes and the session they enrolled in. */
  async function enrolledOwner(email = 'owner@example.com') {
    const { id } = await newAdmin(t.app, { email, password: PASSWORD });
    const session = as(await login(email, PASSWORD));
    const start = (await call(session, 'POST', '/session/totp')).json();
    const totp = totpOf(start.secret);
    const confirmed = await call(session, 'POST', '/session/totp/confirm', { code: codeAt(totp, 0) });
    expect(confirmed.statusCode).toBe(200);
    return { id, email, session, totp, recovery: confirmed.json().recovery_codes as string[] };
  }
  return { t, login, as, call, enrolledOwner };
}

describe('two-factor login', () => {
  it('an owner without it logs in but reaches only the session and the enrolment until enrolled', async () => {
    const { t, login, as, call } = await setup();
    await newAdmin(t.app, { email: 'owner@example.com', password: PASSWORD });
    const res = await login('owner@example.com', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ role: 'owner', totp_enrolled: false, totp_enrolment_required: true });
    const session = as(res);

    const blocked = await call(session, 'GET', '/clients');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('totp_enrolment_required');
    expect(blocked.json().detail).toContain('POST /admin/api/v1/session/totp');
    expect((await call(session, 'GET', '/session')).statusCode).toBe(200);

    const start = await call(session, 'POST', '/session/totp');
    expect(start.statusCode).toBe(200);
    const { secret, otpauth_uri, qr_svg } = start.json();
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/.*owner%40example\.com\?.*secret=/);
    expect(otpauth_uri).toContain(`secret=${secret}`);
    expect(qr_svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // Nothing changes until a code confirms it.
    expect((await call(session, 'GET', '/clients')).json().code).toBe('totp_enrolment_required');

    const totp = totpOf(secret);
    const wrong = await call(session, 'POST', '/session/totp/confirm', { code: wrongCode(totp) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([{ field: 'body.code', message: 'is not the current code' }]);

    const confirmed = await call(session, 'POST', '/session/totp/confirm', { code: codeAt(totp, 0) });
    expect(confirmed.statusCode).toBe(200);
    const codes = confirmed.json().recovery_codes as string[];
    expect(new Set(codes).size).toBe(10);
    expect((await call(session, 'GET', '/clients')).statusCode).toBe(200);
    expect((await call(session, 'GET', '/session')).json()).toMatchObject({
      totp_enrolled: true,
      totp_enrolment_required: false,
    });

    // Stored: the secret sealed, the recovery codes hashed.
    const row = await t.app.db.kysely.selectFrom('admins').selectAll().executeTakeFirstOrThrow();
    expect(row.totp_secret).not.toContain(secret);
    const stored = JSON.stringify(await t.app.db.kysely.selectFrom('admin_recovery_codes').selectAll().execute());
    for (const code of codes) expect(stored).not.toContain(code);
    // Enrolling again needs an owner's reset.
    expect((await call(session, 'POST', '/session/totp')).statusCode).toBe(409);
  });

  it('login: no code → totp_required, wrong → totp_invalid, right → a session; a code works once', async () => {
    const { login, enrolledOwner } = await setup();
    const { email, totp } = await enrolledOwner();

    const none = await login(email, PASSWORD);
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.json().code).toBe('totp_required');
    expect(none.headers['set-cookie']).toBeUndefined();

    const wrong = await login(email, PASSWORD, wrongCode(totp));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('totp_invalid');

    // A wrong password with a right code is still a wrong password.
    expect((await login(email, 'not-the-password', codeAt(totp, 1))).json().code).toBe('unauthorized');

    // The code that confirmed the enrolment was used; the next step's code logs in, once.
    expect((await login(email, PASSWORD, codeAt(totp, 0))).json().code).toBe('totp_invalid');
    const next = codeAt(totp, 1);
    const ok = await login(email, PASSWORD, next);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ role: 'owner', totp_enrolled: true, totp_enrolment_required: false });
    const replay = await login(email, PASSWORD, next);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('totp_invalid');
  });

  it('each recovery code logs in once, typed in any case and without its dash, and is audited', async () => {
    const { t, login, enrolledOwner } = await setup();
    const { email, recovery } = await enrolledOwner();
    const [first, second] = recovery as [string, string];
    expect((await login(email, PASSWORD, first)).statusCode).toBe(200);
    expect((await login(email, PASSWORD, first)).json().code).toBe('totp_invalid');
    expect((await login(email, PASSWORD, second.toUpperCase().replace('-', ''))).statusCode).toBe(200);
    expect((await login(email, PASSWORD, 'aaaaa-aaaaa')).json().code).toBe('totp_invalid');
    const used = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'staff.recovery_code_used')
      .orderBy('id')
      .execute();
    expect(used.map((u) => JSON.parse(u.details ?? '{}').left)).toEqual([9, 8]);
  });

  it('wrong codes are throttled like wrong passwords, per account and address', async () => {
    const { login, enrolledOwner } = await setup();
    const { email, totp } = await enrolledOwner();
    const bad = wrongCode(totp);
    for (let i = 0; i < 10; i++) expect((await login(email, PASSWORD, bad, '198.51.100.7')).statusCode).toBe(401);
    const throttled = await login(email, PASSWORD, codeAt(totp, 1), '198.51.100.7');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe('login_throttled');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not locked out by these failures.
    expect((await login(email, PASSWORD, codeAt(totp, 1), '198.51.100.8')).statusCode).toBe(200);
  });

  it('HTTP Basic is refused for staff with two-factor; a script account of another role keeps it', async () => {
    const { t, enrolledOwner } = await setup();
    const { email } = await enrolledOwner();
    const basic = await t.inject({
      method: 'GET',
      url: '/admin/api/v1/clients',
      headers: { authorization: basicHeader(email, PASSWORD) },
    });
    expect(basic.statusCode).toBe(401);
    expect(basic.json().code).toBe('totp_required');
    expect(basic.json().detail).toContain('staff account of their own');

    await newAdmin(t.app, { email: 'script@example.com', password: 'script-password-1', role: 'billing' });
    const script = await t.inject({
      method: 'GET',
      url: '/admin/api/v1/clients',
      headers: { authorization: basicHeader('script@example.com', 'script-password-1') },
    });
    expect(script.statusCode).toBe(200);
  });

  it('an owner resets a lost second factor: sessions end, and the staff member enrols again', async () => {
    const { t, login, as, call, enrolledOwner } = await setup();
    const lost = await enrolledOwner('lost@example.com');
    const other = await enrolledOwner('other@example.com');
    const reset = await call(other.session, 'DELETE', `/staff/${lost.id}/totp`);
    expect(reset.statusCode).toBe(200);
    expect(reset.json().totp_enrolled).toBe(false);
    expect((await call(lost.session, 'GET', '/session')).statusCode).toBe(401);

    const again = await login(lost.email, PASSWORD);
    expect(again.statusCode).toBe(200);
    expect(again.json().totp_enrolment_required).toBe(true);
    expect((await call(as(again), 'GET', '/clients')).json().code).toBe('totp_enrolment_required');
    expect(await t.app.db.kysely.selectFrom('admin_recovery_codes').select('admin_id').distinct().execute()).toEqual([
      { admin_id: other.id },
    ]);
    const actions = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_id'])
      .where('target_id', '=', lost.id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['staff.create', 'staff.totp_enrol', 'staff.totp_reset']);
    expect(actions[2]!.actor_id).toBe(other.id);
  });

  it('admin.require_totp_for names the roles that must enrol', async () => {
    const { t, login, as, call, enrolledOwner } = await setup();
    await newAdmin(t.app, { email: 'sup@example.com', password: 'sup-password-12', role: 'support' });
    const before = await login('sup@example.com', 'sup-password-12');
    expect(before.json().totp_enrolment_required).toBe(false);
    expect((await call(as(before), 'GET', '/jobs')).statusCode).toBe(200);
    await t.app.settings.set('admin.require_totp_for', 'owner,support');
    expect((await call(as(before), 'GET', '/jobs')).json().code).toBe('totp_enrolment_required');
    await expect(t.app.settings.set('admin.require_totp_for', 'owner,boss')).rejects.toThrow(
      /owner, billing, support, read_only.*unknown: boss/,
    );
    // Owners change it in the Admin API's settings (once enrolled themselves, as the default requires).
    const { session } = await enrolledOwner();
    const bad = await call(session, 'PATCH', '/userapi/settings', { 'admin.require_totp_for': 'boss' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.admin.require_totp_for');
    const set = await call(session, 'PATCH', '/userapi/settings', { 'admin.require_totp_for': 'none' });
    expect(set.statusCode).toBe(200);
    await waitFor(async () => (await call(as(before), 'GET', '/jobs')).statusCode === 200, {
      message: 'support reaching jobs once no role must enrol',
    });
  });
});
