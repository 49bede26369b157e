import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newAdmin } from '../helpers/factories.js';

describe('admin session CSRF tokens at rest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'csrf@example.com', name: 'Ops', password: 'admin-password-2' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the database holds no CSRF token, yet a reloaded page gets the same one and it works', async () => {
    const login = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      payload: { email: 'csrf@example.com', password: 'admin-password-2' },
    });
    expect(login.statusCode).toBe(200);
    const csrf: string = login.json().csrf_token;
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(csrf.length).toBeGreaterThanOrEqual(32);

    const rows = JSON.stringify(await t.app.db.kysely.selectFrom('admin_sessions').selectAll().execute());
    expect(rows).not.toContain(csrf);
    expect(rows).not.toContain(decodeURIComponent(cookie.split('=')[1]!));

    // A reload asks the session for its token again.
    const session = await t.inject({ method: 'GET', url: '/admin/api/v1/session', headers: { cookie } });
    expect(session.json()).toEqual({
      email: 'csrf@example.com',
      csrf_token: csrf,
      role: 'owner',
      totp_enrolled: false,
      totp_enrolment_required: false,
      permissions: expect.arrayContaining(['settings', 'staff']),
    });
    const change = await t.inject({
      method: 'PATCH',
      url: '/admin/api/v1/userapi/routes/getAccount',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: null },
    });
    expect(change.statusCode).toBe(200);
    const forged = await t.inject({
      method: 'PATCH',
      url: '/admin/api/v1/userapi/routes/getAccount',
      headers: { cookie, 'x-csrf-token': `${csrf.slice(0, -1)}x` },
      payload: { name: null },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('csrf_failed');
  });
});
