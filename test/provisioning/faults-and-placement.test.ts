import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProduct } from '../helpers/factories.js';
import { enqueue, type ProvisioningHarness, pendingService, service, settle, startProvisioning } from './helpers.js';

describe('panel faults end right', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning({ env: { PORTICO_PANEL_MUTATION_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([13, 20])('exit code %i is retried and the account ends up exactly once on the panel', async (code) => {
    h.panel.faults.add({ kind: 'exit', code, command: 'v-add-web-domain' });
    const { id, domain } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    const username = (await service(h, id)).panel_username!;
    expect(Object.keys(h.panel.state.users[username]!.web)).toEqual([domain]);
  });

  it('a timed-out mutation is reconciled on retry: no duplicate, no failure', async () => {
    h.panel.faults.add({ kind: 'timeout', command: 'v-add-user' });
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id), undefined, 30_000);
    expect(job.state).toBe('succeeded');
    expect(job.attempts).toBe(2);
    const calls = await h.t.app.db.kysely
      .selectFrom('panel_calls')
      .select(['command', 'code'])
      .where('job_id', '=', job.id)
      .execute();
    expect(calls.filter((c) => c.command === 'v-add-user').map((c) => c.code)).toEqual(['TIMEOUT', 'OK']);
  });

  it('change package twice: the panel shows the new package, the service the new product', async () => {
    const { id } = await pendingService(h);
    await settle(h, await enqueue(h, 'create', id));
    const pro = await newProduct(h.t.app, { name: 'Pro' });
    await h.t.app.db.kysely.updateTable('products').set({ panel_package: 'pro' }).where('id', '=', pro.id).execute();
    for (let i = 0; i < 2; i++) {
      expect((await settle(h, await enqueue(h, 'change_package', id, pro.id))).state).toBe('succeeded');
      const svc = await service(h, id);
      expect(svc.product_id).toBe(pro.id);
      expect(h.panel.state.users[svc.panel_username!]?.package).toBe('pro');
    }
  });
});

describe('placement', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('picks the enabled server of the group with the most free capacity', async () => {
    const db = h.t.app.db.kysely;
    const now = Date.now();
    const base = {
      host: '127.0.0.1',
      port: 1,
      auth_kind: 'access_key' as const,
      credentials_sealed: 'v1:x:y:z',
      tls_mode: 'system' as const,
      tls_value: null,
      root_user: 'admin',
      server_group: 'eu',
      enabled: 1,
      is_sandbox: 0,
      paused_reason: null,
      paused_at_ms: null,
      created_at_ms: now,
      updated_at_ms: now,
    };
    await db
      .insertInto('servers')
      .values([
        { ...base, id: 'srv_01M8A000000000000000000001', name: 'eu-small', capacity: 10 },
        { ...base, id: 'srv_01M8A000000000000000000002', name: 'eu-big', capacity: 50 },
        { ...base, id: 'srv_01M8A000000000000000000003', name: 'eu-off', capacity: 500, enabled: 0 },
      ])
      .execute();
    const { placeService } = await import('../../src/provisioning/placement.js');
    expect(await placeService(db, 'eu')).toBe('srv_01M8A000000000000000000002');
    await db
      .updateTable('servers')
      .set({ paused_reason: 'key refused' })
      .where('id', '=', 'srv_01M8A000000000000000000002')
      .execute();
    expect(await placeService(db, 'eu')).toBe('srv_01M8A000000000000000000001');
  });

  it('a full group fails the job with a clear message for the admin, not a stuck order', async () => {
    await h.t.app.db.kysely.updateTable('servers').set({ capacity: 0 }).where('id', '=', h.serverId).execute();
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'failed', last_error_code: 'GROUP_FULL' });
    expect(job.last_error_message).toContain('at capacity');
    await h.t.app.db.kysely.updateTable('servers').set({ capacity: 100 }).where('id', '=', h.serverId).execute();
  });

  it('a disabled or paused server is never chosen; no server at all is a clear error', async () => {
    await h.t.app.db.kysely.updateTable('servers').set({ enabled: 0 }).where('id', '=', h.serverId).execute();
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'failed', last_error_code: 'NO_SERVER' });
    await h.t.app.db.kysely.updateTable('servers').set({ enabled: 1 }).where('id', '=', h.serverId).execute();
  });
});
