import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { listPlaceableServers } from '../../src/servers/store.js';
import { loginAs } from '../auth/helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { basicHeader, newAdmin, newClient } from '../helpers/factories.js';
import {
  enqueue,
  type ProvisioningHarness,
  pendingService,
  service,
  settle,
  startProvisioning,
} from '../provisioning/helpers.js';

describe('Admin API: servers and runbook', () => {
  let t: TestApp;
  let panel: SandboxPanel;
  let adminAuth: string;
  beforeAll(async () => {
    t = await createTestApp();
    panel = await startSandboxPanel();
    await newAdmin(t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
    adminAuth = basicHeader('ops@example.com', 'admin-password-1');
  });
  afterAll(async () => {
    await panel?.close();
    await t?.close();
  });

  const addBody = (name: string) => ({
    name,
    host: panel.host,
    port: panel.port,
    access_key: `${panel.accessKey.id}:${panel.accessKey.secret}`,
    tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
  });

  it('refuses no credentials, a client’s password and a client’s JWT', async () => {
    const client = await newClient(t.app);
    const jwt = (await loginAs(t, client)).access_token;
    for (const authorization of [undefined, client.basic, `Bearer ${jwt}`, basicHeader('ops@example.com', 'wrong')]) {
      const res = await t.inject({
        method: 'GET',
        url: '/admin/api/v1/servers',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('adds a server, checks it, calls it, runs acceptance, removes it — and audits the changes', async () => {
    const add = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/servers',
      headers: { authorization: adminAuth },
      payload: addBody('panel1'),
    });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ name: 'panel1', tls_mode: 'pin', group: 'default', capacity: 100 });
    expect(add.body).not.toContain(panel.accessKey.secret);

    const list = await t.inject({ method: 'GET', url: '/admin/api/v1/servers', headers: { authorization: adminAuth } });
    expect(list.json().items.map((s: { name: string }) => s.name)).toContain('panel1');

    const check = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/servers/panel1/check',
      headers: { authorization: adminAuth },
    });
    expect(check.json().ok).toBe(true);

    const call = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/servers/panel1/call',
      headers: { authorization: adminAuth },
      payload: { cmd: 'v-list-user', args: ['nobody7', 'json'] },
    });
    expect(call.json()).toMatchObject({ ok: false, exitCode: 3, exitName: 'E_NOTEXIST' });

    const acceptance = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/servers/panel1/acceptance',
      headers: { authorization: adminAuth },
      payload: { package: 'starter' },
    });
    expect(acceptance.json().ok).toBe(true);

    const del = await t.inject({
      method: 'DELETE',
      url: '/admin/api/v1/servers/panel1',
      headers: { authorization: adminAuth },
    });
    expect(del.statusCode).toBe(204);
    const actions = (
      await t.app.db.kysely.selectFrom('audit_log').select(['action', 'actor_type', 'ip']).execute()
    ).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['server.add', 'server.remove']));
  });

  it('validates the body with the field named', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/servers',
      headers: { authorization: adminAuth },
      payload: { ...addBody('panel2'), access_key: 'not-a-key', extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.access_key', 'body.extra']));
  });

  it('admin.allowed_ips limits the Admin API to listed addresses', async () => {
    await t.app.settings.set('admin.allowed_ips', '192.0.2.0/24');
    try {
      const refused = await t.inject({
        method: 'GET',
        url: '/admin/api/v1/servers',
        headers: { authorization: adminAuth },
        remoteAddress: '198.51.100.9',
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('address_not_allowed');
      const allowed = await t.inject({
        method: 'GET',
        url: '/admin/api/v1/servers',
        headers: { authorization: adminAuth },
        remoteAddress: '192.0.2.44',
      });
      expect(allowed.statusCode).toBe(200);
    } finally {
      await t.app.settings.set('admin.allowed_ips', '');
    }
  });
});

describe('Admin API: PATCH /servers/{name} fixes a wrong key in place', () => {
  let h: ProvisioningHarness;
  let auth: string;
  beforeAll(async () => {
    h = await startProvisioning({ secret: 'Q'.repeat(40) });
    await newAdmin(h.t.app, { email: 'ops2@example.com', name: 'Ops', password: 'admin-password-2' });
    auth = basicHeader('ops2@example.com', 'admin-password-2');
  });
  afterAll(async () => {
    await h?.close();
  });

  const serverRow = () =>
    h.t.app.db.kysely.selectFrom('servers').selectAll().where('id', '=', h.serverId).executeTakeFirstOrThrow();

  it('a server paused by a refused key is resumed by the right key, and the queued creation proceeds', async () => {
    const { name } = await serverRow();
    const { id } = await pendingService(h);
    const jobId = await enqueue(h, 'create', id);
    const deadline = Date.now() + 10_000;
    while ((await serverRow()).paused_reason === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    expect((await serverRow()).paused_reason).toContain('Invalid secret key');

    const res = await h.t.inject({
      method: 'PATCH',
      url: `/admin/api/v1/servers/${name}`,
      headers: { authorization: auth },
      payload: { access_key: `${h.panel.accessKey.id}:${h.panel.accessKey.secret}`, capacity: 30 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name,
      capacity: 30,
      paused_reason: null,
      resumed: true,
      access_check: { ok: true },
    });
    expect(res.body).not.toContain(h.panel.accessKey.secret);
    expect((await settle(h, jobId)).state).toBe('succeeded');
    expect(h.panel.state.users[(await service(h, id)).panel_username!]).toBeDefined();
    const audit = await h.t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'server.update')
      .executeTakeFirstOrThrow();
    expect(audit.details).toContain('access_key');
    expect(audit.details).not.toContain(h.panel.accessKey.secret);
  });

  it('refuses an empty change and a bad field with the field named; 404 for an unknown server', async () => {
    const { name } = await serverRow();
    const empty = await h.t.inject({
      method: 'PATCH',
      url: `/admin/api/v1/servers/${name}`,
      headers: { authorization: auth },
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    const bad = await h.t.inject({
      method: 'PATCH',
      url: `/admin/api/v1/servers/${name}`,
      headers: { authorization: auth },
      payload: { port: 70000, enabled: 'yes' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['body.port', 'body.enabled']),
    );
    const missing = await h.t.inject({
      method: 'PATCH',
      url: '/admin/api/v1/servers/nosuch',
      headers: { authorization: auth },
      payload: { capacity: 1 },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('a pause by an admin holds the server’s jobs; a working key does not lift it, resuming does', async () => {
    const { name } = await serverRow();
    const call = (method: 'POST' | 'PATCH', path: string, payload?: object) =>
      h.t.inject({
        method,
        url: `/admin/api/v1/servers/${name}${path}`,
        headers: { authorization: auth },
        ...(payload ? { payload } : {}),
      });
    const empty = await call('POST', '/pause', { reason: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.reason']);
    const paused = await call('POST', '/pause', { reason: 'Panel upgrade' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json().paused_reason).toBe('Paused by an admin: Panel upgrade');
    expect((await call('POST', '/pause', { reason: 'Again' })).statusCode).toBe(409);

    const placeable = async () =>
      (await listPlaceableServers(h.t.app.db.kysely, (await serverRow()).server_group)).map((s) => s.name);
    // No new account is placed on it while paused.
    expect(await placeable()).not.toContain(name);
    const rekeyed = await call('PATCH', '', {
      access_key: `${h.panel.accessKey.id}:${h.panel.accessKey.secret}`,
    });
    expect(rekeyed.json()).toMatchObject({ resumed: false, access_check: { ok: true } });
    expect((await serverRow()).paused_reason).toBe('Paused by an admin: Panel upgrade');

    expect((await call('POST', '/resume')).statusCode).toBe(200);
    expect(await placeable()).toContain(name);
    const { id } = await pendingService(h);
    expect((await settle(h, await enqueue(h, 'create', id))).state).toBe('succeeded');
    const audit = await h.t.app.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'server.pause')
      .executeTakeFirstOrThrow();
    expect(audit.details).toContain('Panel upgrade');
  });

  it('pauses and resumes a server from the shell', async () => {
    const { name } = await serverRow();
    const paused = await runCli(h.t.db, ['server', 'pause', name, '--reason', 'Disk swap']);
    expect(paused.code).toBe(0);
    expect((await serverRow()).paused_reason).toBe('Paused by an admin: Disk swap');
    expect((await runCli(h.t.db, ['server', 'pause', name, '--reason', 'Again'])).code).not.toBe(0);
    expect((await runCli(h.t.db, ['server', 'resume', name])).code).toBe(0);
    expect((await serverRow()).paused_reason).toBeNull();
    // The shell's pause and resume are audited like the Admin API's, by the command line.
    const entries = await h.t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'details'])
      .where('actor_type', '=', 'cli')
      .where('action', 'in', ['server.pause', 'server.resume'])
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.action)).toEqual(['server.pause', 'server.resume']);
    expect(entries[0]?.details).toContain('Disk swap');
  });
});
