import { beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/jobs/queue.js';
import { type AnyRouteSpec, routeScope } from '../../src/platform/http/route.js';
import { userApiRoutes } from '../../src/userapi/routes.js';
import { createEndpoint, sendTest } from '../../src/webhooks/webhooks.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newClient, newInvoice, newProduct, newService, type TestClient } from '../helpers/factories.js';

/**
 * The security suite, stamped on every User API route: whatever a route does, these guarantees
 * hold. A new route is covered automatically; a new kind of id needs an owner factory below.
 */
type Owned = (t: TestApp, owner: TestClient) => Promise<string>;
const OWNED_BY_ID_PREFIX: Record<string, Owned> = {
  svc: async (t, owner) =>
    (await newService(t.app, { clientId: owner.row.id, productId: (await newProduct(t.app)).id })).id,
  inv: async (t, owner) => (await newInvoice(t.app, { clientId: owner.row.id })).id,
  tok: async (t, owner) => (await t.app.apiTokens.create(owner.row.id, { name: 'theirs', scope: 'write' })).id,
  job: async (t, owner) => {
    const svc = await newService(t.app, {
      clientId: owner.row.id,
      productId: (await newProduct(t.app)).id,
      status: 'pending',
    });
    return t.app.db.kysely.transaction().execute((trx) =>
      enqueueJob(trx, {
        type: 'service.create',
        payload: { serviceId: svc.id },
        maxAttempts: 1,
        correlationId: 'req_x',
        serviceId: svc.id,
        clientId: owner.row.id,
        nowMs: Date.now(),
      }),
    );
  },
  whk: async (t, owner) =>
    (await createEndpoint(t.app, owner.row.id, { url: 'https://93.184.215.14/hooks', event_types: ['*'] })).id,
  whd: async (t, owner) => {
    const endpoint = await createEndpoint(t.app, owner.row.id, {
      url: 'https://93.184.215.14/hooks',
      event_types: ['*'],
    });
    return (await sendTest(t.app, owner.row.id, endpoint.id)).id;
  },
  // Products are public: any product will do.
  prd: async (t) => (await newProduct(t.app)).id,
};

/** Path parameters that are not ids (a domain or database name inside an owned service). */
const NON_ID_PARAMS: Record<string, string> = { domain: 'example.com', name: 'someone_db' };

function idPrefix(spec: AnyRouteSpec, name: string): string {
  const pattern = (spec.params?.properties?.[name] as { pattern?: string } | undefined)?.pattern ?? '';
  return /^\^([a-z]+)_/.exec(pattern)?.[1] ?? '';
}

const clientRoutes = userApiRoutes.filter((r) => r.auth === 'client');
const bodyRoutes = userApiRoutes.filter((r) => r.body);
const label = (r: AnyRouteSpec) => `${r.method} ${r.path}`;

describe('security suite on every User API route', () => {
  let t: TestApp;
  let me: TestClient;
  let other: TestClient;
  let readOnly: string;
  const urls = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp();
    // The suite sends hundreds of requests: the rate limit has its own tests.
    await t.app.settings.set('userapi.rate_limit', 'off');
    me = await newClient(t.app);
    other = await newClient(t.app);
    readOnly = `Bearer ${(await t.app.apiTokens.create(me.row.id, { name: 'read-only', scope: 'read' })).token}`;
    for (const spec of userApiRoutes) {
      let path = spec.path;
      for (const [, name] of spec.path.matchAll(/\{(\w+)\}/g)) {
        const prefix = idPrefix(spec, name!);
        if (!prefix && NON_ID_PARAMS[name!]) {
          path = path.replace(`{${name}}`, NON_ID_PARAMS[name!]!);
          continue;
        }
        const make = OWNED_BY_ID_PREFIX[prefix];
        if (!make) throw new Error(`security suite: add an owner factory for "${prefix}_" ids (${label(spec)})`);
        path = path.replace(`{${name}}`, await make(t, other));
      }
      urls.set(spec.operationId, `/api/v1${path}`);
    }
  });

  const call = (spec: AnyRouteSpec, headers: Record<string, string> = {}, payload?: string) =>
    t.inject({
      method: spec.method,
      url: urls.get(spec.operationId)!,
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });

  function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code?: string) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-request-id']).toBeTruthy();
    const body = res.json();
    expect(body.requestId).toBe(res.headers['x-request-id']);
    if (code) expect(body.code).toBe(code);
    return body;
  }

  it.each(clientRoutes.map((r) => [label(r), r] as const))('%s: no credentials → 401', async (_l, spec) => {
    const res = await call(spec);
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toContain('Basic');
  });

  it.each(clientRoutes.map((r) => [label(r), r] as const))('%s: wrong password → 401', async (_l, spec) => {
    // A fresh account each time: ten failures would (rightly) throttle one account.
    const victim = await newClient(t.app);
    expectProblem(
      await call(spec, { authorization: basicHeader(victim.email, 'not-the-password') }),
      401,
      'unauthorized',
    );
  });

  it.each(clientRoutes.map((r) => [label(r), r] as const))('%s: garbage Authorization → 401', async (_l, spec) => {
    expectProblem(await call(spec, { authorization: 'Basic %%%' }), 401);
    expectProblem(await call(spec, { authorization: 'Digest abc' }), 401, 'unauthorized');
  });

  it.each(clientRoutes.filter((r) => r.params).map((r) => [label(r), r] as const))(
    '%s: another client’s id → 404, never 403',
    async (_l, spec) => {
      const body = spec.body ? '{}' : undefined;
      const res = await call(spec, { authorization: me.basic }, body);
      // Validation of an empty body may answer first for routes with required fields; the id must
      // still never be confirmed to exist, so only 400 (body) or 404 are acceptable.
      expect([400, 404]).toContain(res.statusCode);
      if (!spec.body) expectProblem(res, 404, 'not_found');
    },
  );

  it.each(clientRoutes.filter((r) => routeScope(r) === 'write').map((r) => [label(r), r] as const))(
    '%s: a read-only API token → 403 insufficient_scope',
    async (_l, spec) => {
      const body = expectProblem(
        await call(spec, { authorization: readOnly }, spec.body ? '{}' : undefined),
        403,
        'insufficient_scope',
      );
      expect(body.detail).toContain('read-only');
    },
  );

  it.each(clientRoutes.filter((r) => routeScope(r) === 'read').map((r) => [label(r), r] as const))(
    '%s: a read-only API token may read',
    async (_l, spec) => {
      expect((await call(spec, { authorization: readOnly })).statusCode).not.toBe(403);
    },
  );

  it('routes whose answer is a secret or that change state are write routes, GETs included', () => {
    const byId = new Map(userApiRoutes.map((r) => [r.operationId, r]));
    // The one-time panel login: reading it uses up the reveal and hands out the panel password.
    expect(routeScope(byId.get('revealServiceCredentials')!)).toBe('write');
    for (const r of userApiRoutes.filter((r) => r.method !== 'GET')) expect(routeScope(r), label(r)).toBe('write');
  });

  it.each(bodyRoutes.map((r) => [label(r), r] as const))(
    '%s: malformed JSON → 400 malformed_json',
    async (_l, spec) => {
      expectProblem(await call(spec, { authorization: me.basic }, '{"broken": '), 400, 'malformed_json');
    },
  );

  it.each(bodyRoutes.map((r) => [label(r), r] as const))('%s: oversized body → 413', async (_l, spec) => {
    const huge = JSON.stringify({ filler: 'x'.repeat(70 * 1024) });
    expectProblem(await call(spec, { authorization: me.basic }, huge), 413, 'payload_too_large');
  });

  it.each(bodyRoutes.map((r) => [label(r), r] as const))(
    '%s: unknown fields and wrong types → 400 naming the field',
    async (_l, spec) => {
      const unknown = expectProblem(
        await call(spec, { authorization: me.basic }, '{"no_such_field": 1}'),
        400,
        'validation_failed',
      );
      expect(unknown.errors).toContainEqual({ field: 'body.no_such_field', message: 'unknown field' });
      const wrongType = expectProblem(
        await call(spec, { authorization: me.basic }, '[1,2,3]'),
        400,
        'validation_failed',
      );
      expect(wrongType.errors.length).toBeGreaterThan(0);
    },
  );

  it.each(bodyRoutes.map((r) => [label(r), r] as const))('%s: a non-JSON content type → 415', async (_l, spec) => {
    const res = await t.inject({
      method: spec.method,
      url: urls.get(spec.operationId)!,
      headers: { authorization: me.basic, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it.each(clientRoutes.map((r) => [label(r), r] as const))(
    '%s: Basic switched off → 401 naming the enabled methods',
    async (_l, spec) => {
      await t.app.settings.set('userapi.auth_methods', 'jwt,token');
      try {
        const body = expectProblem(await call(spec, { authorization: me.basic }), 401, 'auth_method_disabled');
        expect(body.detail).toContain('jwt, token');
      } finally {
        await t.app.settings.set('userapi.auth_methods', 'basic,jwt,token');
      }
    },
  );

  it('an unknown route is a 404 problem, not an HTML page', async () => {
    expectProblem(await t.inject({ method: 'GET', url: '/api/v1/nope' }), 404, 'route_not_found');
    expectProblem(await t.inject({ method: 'DELETE', url: '/api/v1/categories' }), 404, 'route_not_found');
  });

  it('every response carries a request id, and a caller-supplied one is echoed', async () => {
    const res = await t.inject({
      method: 'GET',
      url: '/api/v1/categories',
      headers: { 'x-request-id': 'my-trace-12345' },
    });
    expect(res.headers['x-request-id']).toBe('my-trace-12345');
    const generated = await t.inject({
      method: 'GET',
      url: '/api/v1/categories',
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(generated.headers['x-request-id']).toMatch(/^req_/);
  });
});
