import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newAdmin } from '../helpers/factories.js';

describe('admin area sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function login() {
    const res = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      payload: { email: 'ops@example.com', password: 'admin-password-1' },
    });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    return { cookie, csrf: res.json().csrf_token as string, setCookie: String(res.headers['set-cookie']) };
  }

  it('sets an HttpOnly, SameSite=Strict cookie scoped to /admin', async () => {
    const { setCookie } = await login();
    expect(setCookie).toMatch(/portico_admin=[^;]+; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=\d+/);
  });

  it('reads with the cookie, but changes need the CSRF token', async () => {
    const { cookie, csrf } = await login();
    expect(
      (await t.inject({ method: 'GET', url: '/admin/api/v1/userapi/routes', headers: { cookie } })).statusCode,
    ).toBe(200);
    const forged = await t.inject({
      method: 'PATCH',
      url: '/admin/api/v1/userapi/routes/getAccount',
      headers: { cookie },
      payload: { name: 'x' },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('csrf_failed');
    const wrong = await t.inject({
      method: 'PATCH',
      url: '/admin/api/v1/userapi/routes/getAccount',
      headers: { cookie, 'x-csrf-token': 'nope' },
      payload: { name: 'x' },
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await t.inject({
      method: 'PATCH',
      url: '/admin/api/v1/userapi/routes/getAccount',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: null },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('throttles failed admin logins', async () => {
    let last = 0;
    for (let i = 0; i < 11; i++) {
      last = (
        await t.inject({
          method: 'POST',
          url: '/admin/api/v1/session',
          payload: { email: 'ops@example.com', password: `wrong-${i}` },
        })
      ).statusCode;
    }
    expect(last).toBe(429);
  });

  it('serves the admin area page with a strict content security policy', async () => {
    const res = await t.inject({ method: 'GET', url: '/admin' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('/admin/js/main.js');
    const script = await t.inject({ method: 'GET', url: '/admin/js/main.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.body).toContain('hashchange');
  });
});
