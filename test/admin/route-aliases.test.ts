import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newProduct, newService, type TestClient } from '../helpers/factories.js';

/**
 * Aliases as the plugin's documentation explains them: "if you wish to change route from
 * /service to /cloud — create alias for first one". An alias is a route entry of its own.
 */
describe('Admin API: an alias is its own route entry', () => {
  let t: TestApp;
  let admin: string;
  let me: TestClient;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    await newAdmin(t.app, { email: 'root@example.com', name: 'Root', password: 'root-password-1' });
    admin = basicHeader('root@example.com', 'root-password-1');
    me = await newClient(t.app);
    await newService(t.app, { clientId: me.row.id, productId: (await newProduct(t.app)).id });
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
  const call = (app: TestApp, url: string) => app.inject({ method: 'GET', url, headers: { authorization: me.basic } });
  const doc = async () => (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  const cloud = `/userapi/aliases?path=${encodeURIComponent('/cloud')}`;

  it('moves GET /services to /cloud: the alias answers with the original disabled, which is 404 and gone from the docs', async () => {
    const added = await adminCall('POST', '/userapi/routes/listServices/aliases', {
      path: '/cloud',
      name: 'List cloud servers',
      category: 'Cloud',
      description: 'Your cloud servers.',
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      path: '/cloud',
      operation_id: 'listCloudServers',
      target: 'listServices',
      enabled: true,
      name: 'List cloud servers',
      category: 'Cloud',
    });
    expect((await adminCall('PATCH', '/userapi/routes/listServices', { enabled: false })).statusCode).toBe(200);

    const viaCloud = await call(t, '/api/v1/cloud');
    expect(viaCloud.statusCode).toBe(200);
    expect(viaCloud.json().items).toHaveLength(1);
    const original = await call(t, '/api/v1/services');
    expect(original.statusCode).toBe(404);
    expect(original.json().code).toBe('route_not_found');

    const openapi = await doc();
    expect(openapi.paths['/services']).toBeUndefined();
    expect(openapi.paths['/cloud'].get).toMatchObject({
      operationId: 'listCloudServers',
      summary: 'List cloud servers',
      tags: ['Cloud'],
      description: 'Your cloud servers.',
    });
    expect(openapi.tags.map((tag: { name: string }) => tag.name)).toContain('Cloud');
    // The route table lists the alias with its own state beside the disabled original.
    const route = (await adminCall('GET', '/userapi/routes'))
      .json()
      .items.find((r: { operation_id: string }) => r.operation_id === 'listServices');
    expect(route).toMatchObject({ enabled: false, aliases: [{ path: '/cloud', enabled: true, category: 'Cloud' }] });
  });

  it('the original answers when the alias is disabled; each flag is its own', async () => {
    await adminCall('PATCH', '/userapi/routes/listServices', { enabled: true });
    expect((await adminCall('PATCH', cloud, { enabled: false })).json()).toMatchObject({ enabled: false });
    expect((await call(t, '/api/v1/services')).statusCode).toBe(200);
    expect((await call(t, '/api/v1/cloud')).statusCode).toBe(404);
    const openapi = await doc();
    expect(openapi.paths['/cloud']).toBeUndefined();
    expect(openapi.paths['/services'].get.operationId).toBe('listServices');
    await adminCall('PATCH', cloud, { enabled: true });
  });

  it('an alias reset to the defaults takes the original name, category and description, and an id from its path', async () => {
    await adminCall('PATCH', '/userapi/routes/listServices', { description: 'Everything you bought.' });
    const reset = await adminCall('PATCH', cloud, { name: null, category: null, description: null });
    expect(reset.json()).toMatchObject({ operation_id: 'getCloud', name: 'List your services', category: 'Services' });
    const op = (await doc()).paths['/cloud'].get;
    expect(op).toMatchObject({ operationId: 'getCloud', summary: 'List your services', tags: ['Services'] });
    expect(op.description).toContain('Everything you bought.');
    expect(op.description).toContain('`GET /services`');
    await adminCall('PATCH', '/userapi/routes/listServices', { description: null });
  });

  it('a second instance follows each change at its next watcher poll (every 250 ms, so within a second)', async () => {
    const twin = await t.twin();
    // One poll, as the twin's watcher timer runs it: what another `portico serve` has 250 ms later at most.
    const afterOnePoll = async (url: string) => {
      await twin.app.watcher.check();
      return (await call(twin, url)).statusCode;
    };
    await twin.app.watcher.check(true);
    await adminCall('PATCH', '/userapi/routes/listServices', { enabled: false });
    expect(await afterOnePoll('/api/v1/services')).toBe(404);
    expect((await call(twin, '/api/v1/cloud')).statusCode).toBe(200);
    await adminCall('PATCH', '/userapi/routes/listServices', { enabled: true });
    await adminCall('PATCH', cloud, { enabled: false });
    expect(await afterOnePoll('/api/v1/cloud')).toBe(404);
    expect((await call(twin, '/api/v1/services')).statusCode).toBe(200);
    await adminCall('PATCH', cloud, { enabled: true });
    expect(await afterOnePoll('/api/v1/cloud')).toBe(200);
  });

  it('a path given with the /api/v1 prefix means the same path without it', async () => {
    const svc = await newService(t.app, { clientId: me.row.id, productId: (await newProduct(t.app)).id });
    const added = await adminCall('POST', '/userapi/routes/getService/aliases', { path: '/api/v1/hosting/{id}/' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ path: '/hosting/{id}', operation_id: 'getHostingById' });
    expect((await call(t, `/api/v1/hosting/${svc.id}`)).json().id).toBe(svc.id);
    expect((await call(t, `/api/v1/api/v1/hosting/${svc.id}`)).statusCode).toBe(404);
    expect((await doc()).paths['/hosting/{id}']).toBeDefined();
    // Changed and removed by either spelling.
    const prefixed = `/userapi/aliases?path=${encodeURIComponent('/api/v1/hosting/{id}')}`;
    expect((await adminCall('PATCH', prefixed, { name: 'A hosting account' })).json().name).toBe('A hosting account');
    const again = await adminCall('POST', '/userapi/routes/getService/aliases', { path: '/hosting/{id}' });
    expect(again.statusCode).toBe(409);
    expect((await adminCall('DELETE', prefixed)).statusCode).toBe(204);
    expect((await call(t, `/api/v1/hosting/${svc.id}`)).statusCode).toBe(404);
  });

  it('refuses a full URL, a path Portico uses, an empty name, and an unknown alias, saying what to do', async () => {
    const url = await adminCall('POST', '/userapi/routes/listServices/aliases', { path: 'https://api.example.com/x' });
    expect(url.statusCode).toBe(400);
    expect(url.json().errors[0]).toMatchObject({ field: 'body.path' });
    expect(url.json().detail).toContain('not a full URL');
    const reserved = await adminCall('POST', '/userapi/routes/listServices/aliases', { path: '/openapi.json' });
    expect(reserved.statusCode).toBe(400);
    expect(reserved.json().detail).toContain('/api/v1/openapi.json is taken');
    const blank = await adminCall('PATCH', cloud, { name: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors[0].field).toBe('body.name');
    const unknown = await adminCall('PATCH', `/userapi/aliases?path=${encodeURIComponent('/nowhere')}`, {
      enabled: true,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('No alias /nowhere');
  });

  it('the request log records the path called and the canonical operation', async () => {
    await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'on' });
    try {
      await t.inject({
        method: 'GET',
        url: '/api/v1/cloud?limit=5',
        headers: { authorization: me.basic, 'x-request-id': 'trace-alias-cloud' },
      });
      await t.app.requestLog.flush();
      const items = (await adminCall('GET', '/userapi/logs?route=/api/v1/cloud')).json().items;
      expect(items.find((e: { request_id: string }) => e.request_id === 'trace-alias-cloud')).toMatchObject({
        path: '/api/v1/cloud',
        route: 'listServices',
        status: 200,
      });
    } finally {
      await adminCall('PATCH', '/userapi/settings', { 'userapi.logging': 'off' });
    }
  });
});
