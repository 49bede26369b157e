import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApiRoutes } from '../../src/admin/routes.js';
import { type AnyRouteSpec, routeScope } from '../../src/platform/http/route.js';
import { loginAs } from '../auth/helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient } from '../helpers/factories.js';

/**
 * The Admin API's security suite, stamped on every declared admin route: only admin credentials
 * open it, a cookie session changes nothing without its CSRF token, the address allowlist holds
 * for every route, and refusals are problem+json. A new admin route is covered automatically.
 */
const label = (r: AnyRouteSpec) => `${r.method} ${r.path}`;
const guarded = adminApiRoutes.filter((r) => r.auth !== 'none');
const writes = guarded.filter((r) => routeScope(r) === 'write');
const withBody = adminApiRoutes.filter((r) => r.body);

/** A path the router matches: each parameter's documented example (auth is checked before validation). */
function urlOf(spec: AnyRouteSpec): string {
  const path = spec.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const property = spec.params?.properties?.[name] as { examples?: unknown[] } | undefined;
    return encodeURIComponent(String(property?.examples?.[0] ?? 'x'));
  });
  return `/admin/api/v1${path}`;
}

describe('security suite on every Admin API route', () => {
  let t: TestApp;
  let adminAuth: string;
  let session: { cookie: string; csrf: string };
  let address = 0;
  // Failed logins are throttled per address: each refused call comes from its own.
  const nextAddress = () => `198.51.100.${++address}`;

  beforeAll(async () => {
    t = await createTestApp();
    await newAdmin(t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
    adminAuth = basicHeader('ops@example.com', 'admin-password-1');
    const login = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      payload: { email: 'ops@example.com', password: 'admin-password-1' },
    });
    expect(login.statusCode).toBe(200);
    session = { cookie: String(login.headers['set-cookie']).split(';')[0]!, csrf: login.json().csrf_token };
  });
  afterAll(async () => {
    await t?.close();
  });

  const call = (spec: AnyRouteSpec, headers: Record<string, string> = {}, payload?: string) =>
    t.inject({
      method: spec.method,
      url: urlOf(spec),
      remoteAddress: nextAddress(),
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });

  function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe(code);
    expect(body.requestId).toBe(res.headers['x-request-id']);
    return body;
  }

  it('declares every admin route once, with a unique operationId and a response schema', () => {
    const ids = adminApiRoutes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const routes = adminApiRoutes.map(label);
    expect(new Set(routes).size).toBe(routes.length);
    for (const r of adminApiRoutes) {
      if (r.response.status !== 204) expect(r.response.schema, label(r)).toBeDefined();
    }
    // Logging in and resetting a forgotten password are the only public admin routes.
    expect(adminApiRoutes.filter((r) => r.auth === 'none').map(label)).toEqual([
      'POST /session',
      'POST /auth/password-reset',
      'POST /auth/password-reset/confirm',
    ]);
  });

  it.each(guarded.map((r) => [label(r), r] as const))('%s: no credentials → 401', async (_l, spec) => {
    const res = await call(spec);
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toContain('Basic');
  });

  it.each(guarded.map((r) => [label(r), r] as const))(
    '%s: a client’s Basic password or JWT → 401',
    async (_l, spec) => {
      const client = await newClient(t.app);
      expectProblem(await call(spec, { authorization: client.basic }), 401, 'unauthorized');
      const jwt = (await loginAs(t, client)).access_token;
      expectProblem(await call(spec, { authorization: `Bearer ${jwt}` }), 401, 'unauthorized');
    },
  );

  it.each(guarded.map((r) => [label(r), r] as const))('%s: a wrong admin password → 401', async (_l, spec) => {
    expectProblem(await call(spec, { authorization: basicHeader('ops@example.com', 'wrong') }), 401, 'unauthorized');
  });

  it.each(writes.map((r) => [label(r), r] as const))(
    '%s: the session cookie without its CSRF token → 403',
    async (_l, spec) => {
      const body = spec.body ? '{}' : undefined;
      expectProblem(await call(spec, { cookie: session.cookie }, body), 403, 'csrf_failed');
      expectProblem(await call(spec, { cookie: session.cookie, 'x-csrf-token': 'forged' }, body), 403, 'csrf_failed');
    },
  );

  it.each(guarded.filter((r) => routeScope(r) === 'read').map((r) => [label(r), r] as const))(
    '%s: the session cookie reads without a CSRF token',
    async (_l, spec) => {
      expect([401, 403]).not.toContain((await call(spec, { cookie: session.cookie })).statusCode);
    },
  );

  it.each(adminApiRoutes.map((r) => [label(r), r] as const))(
    '%s: from an address outside admin.allowed_ips → 403, even for an admin',
    async (_l, spec) => {
      await t.app.settings.set('admin.allowed_ips', '192.0.2.10');
      try {
        const body = expectProblem(
          await call(spec, { authorization: adminAuth }, spec.body ? '{}' : undefined),
          403,
          'address_not_allowed',
        );
        expect(body.detail).toContain('admin.allowed_ips');
      } finally {
        await t.app.settings.set('admin.allowed_ips', '');
      }
    },
  );

  it.each(withBody.map((r) => [label(r), r] as const))('%s: malformed JSON → 400', async (_l, spec) => {
    expectProblem(await call(spec, { authorization: adminAuth }, '{"broken": '), 400, 'malformed_json');
  });

  it.each(withBody.map((r) => [label(r), r] as const))('%s: a non-JSON body → 415', async (_l, spec) => {
    const res = await t.inject({
      method: spec.method,
      url: urlOf(spec),
      headers: { authorization: adminAuth, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it.each(withBody.map((r) => [label(r), r] as const))('%s: a body that is not an object → 400', async (_l, spec) => {
    const body = expectProblem(await call(spec, { authorization: adminAuth }, '[1,2,3]'), 400, 'validation_failed');
    expect(body.errors.length).toBeGreaterThan(0);
  });
});
