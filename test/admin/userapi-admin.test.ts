import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneLog, searchLog } from '../../src/requestlog/search.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newProduct, newService, type TestClient } from '../helpers/factories.js';

describe('Admin API: User API routes, settings and request log', () => {
  let t: TestApp;
  let admin: string;
  let me: TestClient;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    await newAdmin(t.app, { email: 'root@example.com', name: 'Root', password: 'root-password-1' });
    admin = basicHeader('root@example.com', 'root-password-1');
    me = await newClient(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  const adminCall = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.inject({
      method,
      url: `/admin/api/v1${url}`,
      headers: { authorization: admin },
      ...(payload ? { payload } : {}),
    });
  const doc = async () => (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();

  it('disabling a route makes it 404 and removes it from the OpenAPI document; enabling brings it back', async () => {
    expect((await adminCall('PATCH', '/userapi/routes/listInvoices', { enabled: false })).statusCode).toBe(200);
    const res = await t.inject({ method: 'GET', url: '/api/v1/invoices', headers: { authorization: me.basic } });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('route_not_found');
    expect((await doc()).paths['/invoices']).toBeUndefined();
    await adminCall('PATCH', '/userapi/routes/listInvoices', { enabled: true });
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/invoices', headers: { authorization: me.basic } })).statusCode,
    ).toBe(200);
  });

  it('rename, category and description show in the OpenAPI document', async () => {
    await adminCall('PATCH', '/userapi/routes/getAccount', {
      name: 'Who am I',
      category: 'Profile',
      description: 'Your details.',
    });
    const op = (await doc()).paths['/account'].get;
    expect(op).toMatchObject({ summary: 'Who am I', tags: ['Profile'], description: 'Your details.' });
    await adminCall('PATCH', '/userapi/routes/getAccount', { name: null, category: null, description: null });
    expect((await doc()).paths['/account'].get.summary).toBe('Get your account');
  });

  it('an alias is callable, documented as its own entry, refused on collision or missing parameters, and removable', async () => {
    const product = await newProduct(t.app);
    const svc = await newService(t.app, { clientId: me.row.id, productId: product.id });
    const added = await adminCall('POST', '/userapi/routes/getService/aliases', { path: '/cloud/{id}' });
    expect(added.statusCode).toBe(201);
    const viaAlias = await t.inject({
      method: 'GET',
      url: `/api/v1/cloud/${svc.id}`,
      headers: { authorization: me.basic },
    });
    expect(viaAlias.statusCode).toBe(200);
    expect(viaAlias.json().id).toBe(svc.id);
    expect((await doc()).paths['/cloud/{id}'].get.operationId).toBe('getCloudById');
    const collision = await adminCall('POST', '/userapi/routes/getInvoice/aliases', { path: '/services/{id}' });
    expect(collision.statusCode).toBe(409);
    expect(collision.json().detail).toContain('collides with GET /services/{id}');
    const dropped = await adminCall('POST', '/userapi/routes/getService/aliases', { path: '/cloud' });
    expect(dropped.statusCode).toBe(400);
    expect(dropped.json().errors[0].field).toBe('body.path');
    await adminCall('PATCH', `/userapi/aliases?path=${encodeURIComponent('/cloud/{id}')}`, { enabled: false });
    expect(
      (await t.inject({ method: 'GET', url: `/api/v1/cloud/${svc.id}`, headers: { authorization: me.basic } }))
        .statusCode,
    ).toBe(404);
    expect((await adminCall('DELETE', `/userapi/aliases?path=${encodeURIComponent('/cloud/{id}')}`)).statusCode).toBe(
      204,
    );
    expect((await doc()).paths['/cloud/{id}']).toBeUndefined();
  });

  it('a route change reaches a second instance within a second', async () => {
    const twin = await t.twin();
    await twin.app.watcher.start();
    await adminCall('PATCH', '/userapi/routes/listCategories', { enabled: false });
    const deadline = Date.now() + 1000;
    let status = 200;
    while (status !== 404 && Date.now() < deadline) {
      status = (await twin.inject({ method: 'GET', url: '/api/v1/categories' })).statusCode;
      if (status !== 404) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(404);
    await adminCall('PATCH', '/userapi/routes/listCategories', { enabled: true });
  });

  it('settings: a bad JWT key path is refused with the reason; logging can be switched on', async () => {
    const bad = await adminCall('PATCH', '/userapi/settings', { 'userapi.jwt_key_path': '/no/such/key.pem' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toEqual({
      field: 'body.userapi.jwt_key_path',
      message: 'JWT key /no/such/key.pem cannot be read: no such file.',
    });
    const wrong = await adminCall('PATCH', '/userapi/settings', {
      'userapi.rate_limit': 'lots',
      'userapi.logging': 'on',
    });
    expect(wrong.statusCode).toBe(400);
    expect(t.app.settings.snapshot['userapi.logging']).toBe(false);
  });

  describe('request log', () => {
    it('records every field, with secrets redacted in bodies, query strings and headers', async () => {
      await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'on' });
      try {
        await t.inject({
          method: 'POST',
          url: '/api/v1/account/password?token=s3cr3t-token&card=4111111111111111',
          headers: { authorization: me.basic, 'x-request-id': 'trace-redaction-1' },
          payload: { current_password: 'wrong-password-xyz', new_password: 'another-secret-xyz' },
        });
        await t.inject({
          method: 'PATCH',
          url: '/api/v1/account',
          headers: { authorization: me.basic, 'x-request-id': 'trace-card-1' },
          payload: { company: 'Card 4111 1111 1111 1111 Ltd' },
        });
        await t.app.requestLog.flush();
        const list = (await adminCall('GET', `/userapi/logs?client_id=${me.row.id}`)).json().items;
        const entry = list.find((e: { request_id: string }) => e.request_id === 'trace-redaction-1');
        expect(entry).toMatchObject({
          method: 'POST',
          route: 'changePassword',
          path: '/api/v1/account/password',
          status: 400,
          ip: '127.0.0.1',
          client_id: me.row.id,
        });
        expect(typeof entry.duration_ms).toBe('number');
        const full = (await adminCall('GET', `/userapi/logs/${entry.id}`)).json();
        const all = JSON.stringify(full);
        for (const secret of [
          'wrong-password-xyz',
          'another-secret-xyz',
          's3cr3t-token',
          '4111111111111111',
          me.basic.slice(6),
        ])
          expect(all).not.toContain(secret);
        expect(full.request_headers.authorization).toBe('Basic [REDACTED]');
        expect(full.query).toContain('token=[REDACTED]');
        expect(full.response_body).toContain('does not match');
        const card = list.find((e: { request_id: string }) => e.request_id === 'trace-card-1');
        expect(JSON.stringify((await adminCall('GET', `/userapi/logs/${card.id}`)).json())).not.toContain(
          '4111 1111 1111 1111',
        );
      } finally {
        await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'off' });
      }
    });

    it("names the client a login was for (not a failed one's), so filtering by client finds its logins", async () => {
      await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'on' });
      try {
        for (const [password, requestId] of [
          ['correct-horse-battery', 'trace-login-ok'],
          ['not-the-password', 'trace-login-bad'],
        ] as const) {
          await t.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            headers: { 'x-request-id': requestId },
            payload: { email: me.row.email, password },
          });
        }
        await t.app.requestLog.flush();
        const mine = (await adminCall('GET', `/userapi/logs?client_id=${me.row.id}&route=login`)).json().items;
        expect(mine.map((e: { request_id: string }) => e.request_id)).toEqual(['trace-login-ok']);
        const all = (await adminCall('GET', '/userapi/logs?route=login')).json().items;
        const failed = all.find((e: { request_id: string }) => e.request_id === 'trace-login-bad');
        expect(failed).toMatchObject({ status: 401, client_id: null });
      } finally {
        await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'off' });
      }
    });

    it("shows the client who sent the query by name and email, and filters by the client's email", async () => {
      const named = await newClient(t.app, { name: 'Ada Lovelace', email: 'ada@analytical.example' });
      await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'on' });
      try {
        await t.inject({
          method: 'GET',
          url: '/api/v1/account',
          headers: { authorization: named.basic, 'x-request-id': 'trace-named-1' },
        });
        await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } });
        await t.app.requestLog.flush();
        const byEmail = (await adminCall('GET', '/userapi/logs?email=Ada%40Analytical.example')).json().items;
        expect(byEmail).toHaveLength(1);
        expect(byEmail[0]).toMatchObject({
          request_id: 'trace-named-1',
          client_id: named.row.id,
          client: { id: named.row.id, name: 'Ada Lovelace', email: 'ada@analytical.example' },
        });
        const full = (await adminCall('GET', `/userapi/logs/${byEmail[0].id}`)).json();
        expect(full.client).toEqual({ id: named.row.id, name: 'Ada Lovelace', email: 'ada@analytical.example' });
        const csv = (await adminCall('GET', '/userapi/logs.csv?email=ada@analytical.example')).body;
        expect(csv.split('\r\n')[1]).toMatch(/,trace-named-1,Ada Lovelace,ada@analytical\.example$/);
        expect((await adminCall('GET', '/userapi/logs?email=nobody@analytical.example')).json().items).toEqual([]);
        expect(
          (await adminCall('GET', `/userapi/logs?email=ada@analytical.example&client_id=${me.row.id}`)).json().items,
        ).toEqual([]);
      } finally {
        await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'off' });
      }
    });

    it('caps large bodies and marks them cut; keeps the alias path called', async () => {
      await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'on' });
      try {
        const big = { name: 'x'.repeat(30_000) };
        await t.inject({
          method: 'PATCH',
          url: '/api/v1/account',
          headers: { authorization: me.basic, 'x-request-id': 'trace-big-1' },
          payload: big,
        });
        await t.app.requestLog.flush();
        const entry = (await adminCall('GET', '/userapi/logs?route=updateAccount'))
          .json()
          .items.find((e: { request_id: string }) => e.request_id === 'trace-big-1');
        const full = (await adminCall('GET', `/userapi/logs/${entry.id}`)).json();
        expect(full.request_body.length).toBeLessThan(17_000);
        expect(full.request_body).toMatch(/…\[truncated \d+ bytes\]$/);
      } finally {
        await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'off' });
      }
    });

    it('writes nothing while logging is off', async () => {
      await t.app.requestLog.flush();
      const before = await searchLog(t.app, { limit: 1000 });
      await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: me.basic } });
      await t.app.requestLog.flush();
      expect(await searchLog(t.app, { limit: 1000 })).toEqual(before);
    });

    it('filters, exports CSV, and forgets entries past the retention period', async () => {
      await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'on' });
      await t.inject({
        method: 'GET',
        url: '/api/v1/nope',
        headers: { 'x-request-id': 'trace-404-1' },
        remoteAddress: '203.0.113.9',
      });
      await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'off' });
      await t.app.requestLog.flush();
      const byIp = (await adminCall('GET', '/userapi/logs?ip=203.0.113.9&status=404')).json().items;
      expect(byIp.map((e: { request_id: string }) => e.request_id)).toEqual(['trace-404-1']);
      const csv = await adminCall('GET', '/userapi/logs.csv?ip=203.0.113.9');
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\r\n')[0]).toBe(
        'id,at,method,route,path,status,duration_ms,ip,client_id,request_id,client_name,client_email',
      );
      expect(csv.body).toContain(',404,');
      // 15 days on, past the 14 days kept by default.
      const later = { ...t.app, clock: { nowMs: () => Date.now() + 15 * 86_400_000 } };
      expect(await pruneLog(later)).toBeGreaterThanOrEqual(1);
      expect((await adminCall('GET', '/userapi/logs?ip=203.0.113.9')).json().items).toEqual([]);
    });
  });
});
