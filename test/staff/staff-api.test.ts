import { beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin } from '../helpers/factories.js';

/** Owners manage staff through the Admin API; each change is audited and takes effect at once. */
describe('staff accounts in the Admin API', () => {
  let t: TestApp;
  let owner: string;
  let ownerId: string;
  beforeEach(async () => {
    t = await createTestApp();
    ownerId = (await newAdmin(t.app, { email: 'owner@example.com', password: 'owner-password-1' })).id;
    owner = basicHeader('owner@example.com', 'owner-password-1');
  });

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, auth: string, payload?: object) =>
    t.inject({ method, url: `/admin/api/v1${url}`, headers: { authorization: auth }, ...(payload ? { payload } : {}) });
  const auditOf = (targetId: string) =>
    t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_id', 'details'])
      .where('target_id', '=', targetId)
      .orderBy('id')
      .execute();
  async function login(email: string, password: string) {
    const res = await t.inject({ method: 'POST', url: '/admin/api/v1/session', payload: { email, password } });
    expect(res.statusCode).toBe(200);
    return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrf_token as string };
  }

  it('an owner creates staff with a role, who then log in with exactly that role', async () => {
    const res = await api('POST', '/staff', owner, {
      email: 'Ana@Example.com',
      name: 'Ana',
      role: 'support',
      password: 'ana-password-12',
    });
    expect(res.statusCode).toBe(201);
    const { staff, initial_password } = res.json();
    expect(staff).toMatchObject({ email: 'ana@example.com', role: 'support', status: 'active', totp_enrolled: false });
    expect(initial_password).toBeNull();
    const ana = basicHeader('ana@example.com', 'ana-password-12');
    expect((await api('GET', '/session', ana)).json()).toMatchObject({ role: 'support', totp_enrolled: false });
    expect((await api('GET', '/staff', ana)).json().code).toBe('forbidden_role');
    const listed = (await api('GET', '/staff', owner)).json().items.map((s: { email: string }) => s.email);
    expect(listed).toEqual(['owner@example.com', 'ana@example.com']);
    expect(await auditOf(staff.id)).toEqual([
      { action: 'staff.create', actor_type: 'admin', actor_id: ownerId, details: expect.stringContaining('support') },
    ]);
  });

  it('without a password, one is generated, returned once, and works', async () => {
    const res = await api('POST', '/staff', owner, { email: 'bo@example.com', role: 'billing' });
    expect(res.statusCode).toBe(201);
    const password = res.json().initial_password as string;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect((await api('GET', '/session', basicHeader('bo@example.com', password))).json().role).toBe('billing');
    expect(JSON.stringify(await auditOf(res.json().staff.id))).not.toContain(password);
  });

  it('refuses an unknown role and a taken email, naming the field', async () => {
    const bad = await api('POST', '/staff', owner, {
      email: 'x@example.com',
      role: 'admin',
      password: 'x-password-123',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('body.role');
    const taken = await api('POST', '/staff', owner, {
      email: 'owner@example.com',
      role: 'support',
      password: 'x-password-123',
    });
    expect(taken.statusCode).toBe(409);
  });

  it('a role change takes effect on the next request of a live session', async () => {
    const { id } = await newAdmin(t.app, { email: 'sam@example.com', password: 'sam-password-12', role: 'support' });
    const session = await login('sam@example.com', 'sam-password-12');
    const credit = () =>
      t.inject({
        method: 'POST',
        url: '/admin/api/v1/clients/cli_00000000000000000000000000/credit',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
        payload: { amount: '1.00', reason: 'goodwill' },
      });
    expect((await credit()).json().code).toBe('forbidden_role');
    const changed = await api('PATCH', `/staff/${id}`, owner, { role: 'billing' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().role).toBe('billing');
    expect((await credit()).statusCode).not.toBe(403);
    expect((await auditOf(id)).map((a) => [a.action, a.details])).toContainEqual([
      'staff.role_change',
      JSON.stringify({ from: 'support', to: 'billing' }),
    ]);
  });

  it('disabling stops logins and ends sessions; enabling lets them in again', async () => {
    const { id } = await newAdmin(t.app, { email: 'sam@example.com', password: 'sam-password-12', role: 'support' });
    const sam = basicHeader('sam@example.com', 'sam-password-12');
    expect((await api('GET', '/session', sam)).statusCode).toBe(200);
    const session = await login('sam@example.com', 'sam-password-12');
    expect((await api('PATCH', `/staff/${id}`, owner, { status: 'disabled' })).json().status).toBe('disabled');
    expect((await api('GET', '/session', sam)).statusCode).toBe(401);
    const cookie = await t.inject({ method: 'GET', url: '/admin/api/v1/session', headers: { cookie: session.cookie } });
    expect(cookie.statusCode).toBe(401);
    const relogin = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      payload: { email: 'sam@example.com', password: 'sam-password-12' },
    });
    expect(relogin.statusCode).toBe(401);
    expect((await api('PATCH', `/staff/${id}`, owner, { status: 'active' })).statusCode).toBe(200);
    expect((await api('GET', '/session', sam)).statusCode).toBe(200);
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['staff.create', 'staff.disable', 'staff.enable']);
  });

  it('the last active owner can be neither demoted nor disabled', async () => {
    for (const change of [{ role: 'billing' }, { status: 'disabled' }]) {
      const res = await api('PATCH', `/staff/${ownerId}`, owner, change);
      expect(res.statusCode).toBe(409);
      expect(res.json().detail).toContain('last active owner');
    }
    expect((await api('GET', '/session', owner)).json().role).toBe('owner');
    // A disabled owner does not count: a second owner, disabled, still leaves this one the last.
    const { id: second } = await newAdmin(t.app, { email: 'o2@example.com', password: 'owner-password-2' });
    expect((await api('PATCH', `/staff/${second}`, owner, { status: 'disabled' })).statusCode).toBe(200);
    expect((await api('PATCH', `/staff/${ownerId}`, owner, { role: 'support' })).statusCode).toBe(409);
    // With another active owner, an owner may step down.
    expect((await api('PATCH', `/staff/${second}`, owner, { status: 'active' })).statusCode).toBe(200);
    const stepDown = await api('PATCH', `/staff/${ownerId}`, owner, { role: 'support' });
    expect(stepDown.statusCode).toBe(200);
    expect((await api('GET', '/staff', owner)).json().code).toBe('forbidden_role');
  });

  it('two owners demoting each other at the same time leave one owner', async () => {
    const { id: second } = await newAdmin(t.app, { email: 'o2@example.com', password: 'owner-password-2' });
    const other = basicHeader('o2@example.com', 'owner-password-2');
    const results = await Promise.all([
      api('PATCH', `/staff/${second}`, owner, { role: 'support' }),
      api('PATCH', `/staff/${ownerId}`, other, { role: 'support' }),
    ]);
    const statuses = results.map((r) => r.statusCode);
    // One demotion lands; the other finds its caller already demoted (403) or itself the last owner (409).
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const owners = (await t.app.db.kysely.selectFrom('admins').select('role').execute()).filter(
      (r) => r.role === 'owner',
    );
    expect(owners).toHaveLength(1);
  });
});
