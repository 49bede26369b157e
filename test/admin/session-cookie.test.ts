import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newAdmin } from '../helpers/factories.js';

describe('the admin session cookie', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function setCookie(options: { remoteAddress: string; host: string; proto?: string }) {
    const res = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      remoteAddress: options.remoteAddress,
      headers: { host: options.host, ...(options.proto ? { 'x-forwarded-proto': options.proto } : {}) },
      payload: { email: 'ops@example.com', password: 'admin-password-1' },
    });
    expect(res.statusCode).toBe(200);
    return String(res.headers['set-cookie']);
  }

  it('is Secure when the admin area is reached over plain HTTP from another machine', async () => {
    expect(await setCookie({ remoteAddress: '203.0.113.7', host: 'billing.example.com:8080' })).toMatch(/; Secure$/);
  });

  it('is not Secure only over plain HTTP on loopback: a proxy there asks for the public host name', async () => {
    expect(await setCookie({ remoteAddress: '127.0.0.1', host: 'billing.example.com' })).toMatch(/; Secure$/);
    // A browser on the same machine keeps a cookie sent over plain HTTP only if it is not Secure.
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) {
      expect(await setCookie({ remoteAddress: '127.0.0.1', host })).not.toContain('Secure');
    }
    expect(await setCookie({ remoteAddress: '::1', host: 'localhost' })).not.toContain('Secure');
  });
});
