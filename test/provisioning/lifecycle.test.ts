import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, type ProvisioningHarness, pendingService, service, settle, startProvisioning } from './helpers.js';

describe('provisioning lifecycle over HTTPS against the sandbox panel', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('create: the account appears on the panel with the right package, email and domains; the service becomes active', async () => {
    const { id, domain } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'succeeded', attempts: 1 });
    const svc = await service(h, id);
    expect(svc.status).toBe('active');
    expect(svc.server_id).toBe(h.serverId);
    expect(svc.panel_username).toMatch(/^u[a-z0-9]{9}$/);
    const account = h.panel.state.users[svc.panel_username!]!;
    expect(account).toMatchObject({ package: 'starter', email: h.client.email, suspended: false });
    expect(Object.keys(account.web)).toEqual([domain]);
    expect(Object.keys(account.dns)).toEqual([domain]);
    expect(svc.panel_password_sealed).toMatch(/^v1:/);
    expect(h.t.app.secrets().open(svc.panel_password_sealed!)).toBe(account.password);
    const calls = await h.t.app.db.kysely.selectFrom('panel_calls').selectAll().where('job_id', '=', job.id).execute();
    expect(calls.map((c) => c.command)).toEqual(
      expect.arrayContaining(['v-add-user', 'v-add-web-domain', 'v-add-dns-domain', 'v-list-user']),
    );
    expect(new Set(calls.map((c) => c.correlation_id))).toEqual(new Set([job.correlation_id]));
    const audit = await h.t.app.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', id)
      .execute();
    expect(audit.map((a) => a.action)).toContain('service.activated');
  });

  it('suspend, suspend again, unsuspend, terminate, terminate again: each ends right and matches the panel', async () => {
    const { id } = await pendingService(h);
    await settle(h, await enqueue(h, 'create', id));
    const username = (await service(h, id)).panel_username!;
    for (const action of ['suspend', 'suspend'] as const) {
      expect((await settle(h, await enqueue(h, action, id))).state).toBe('succeeded');
      expect(h.panel.state.users[username]?.suspended).toBe(true);
      expect((await service(h, id)).status).toBe('suspended');
    }
    for (const action of ['unsuspend', 'unsuspend'] as const) {
      expect((await settle(h, await enqueue(h, action, id))).state).toBe('succeeded');
      expect(h.panel.state.users[username]?.suspended).toBe(false);
    }
    for (const action of ['terminate', 'terminate'] as const) {
      expect((await settle(h, await enqueue(h, action, id))).state).toBe('succeeded');
      expect(h.panel.state.users[username]).toBeUndefined();
      expect((await service(h, id)).status).toBe('terminated');
    }
  });

  it('change password twice: the panel has the newest sealed password', async () => {
    const { id } = await pendingService(h);
    await settle(h, await enqueue(h, 'create', id));
    for (let i = 0; i < 2; i++) {
      const before = (await service(h, id)).panel_password_sealed;
      expect((await settle(h, await enqueue(h, 'change_password', id))).state).toBe('succeeded');
      const svc = await service(h, id);
      expect(svc.panel_password_sealed).not.toBe(before);
      expect(h.panel.state.users[svc.panel_username!]?.password).toBe(
        h.t.app.secrets().open(svc.panel_password_sealed!),
      );
    }
  });

  it('a transient panel failure (exit 14) is retried and the account is created once', async () => {
    h.panel.faults.add({ kind: 'exit', code: 14, command: 'v-add-user' });
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect((await service(h, id)).status).toBe('active');
  });

  it('"succeeded but the response was lost": the retry adopts the account it made, no duplicate', async () => {
    h.panel.faults.add({ kind: 'lost', command: 'v-add-user' });
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job.state).toBe('succeeded');
    const username = (await service(h, id)).panel_username!;
    expect(h.panel.state.users[username]?.email).toBe(h.client.email);
  });

  it('a lost answer to adding the web domain: the retry, refused for the one-domain limit, finds the domain and goes on', async () => {
    // HestiaCP checks the package's limits before whether the domain is new: on the starter
    // package (one web domain) the retry is answered "limit reached", not "exists".
    h.panel.faults.add({ kind: 'lost', command: 'v-add-web-domain' });
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    const svc = await service(h, id);
    const user = h.panel.state.users[svc.panel_username!];
    expect(Object.keys(user?.web ?? {})).toEqual([svc.domain]);
  });

  it('an HTML 500 and a reset connection are retried', async () => {
    h.panel.faults.add({ kind: 'html500', command: 'v-add-web-domain' });
    h.panel.faults.add({ kind: 'reset', command: 'v-add-dns-domain' });
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job.state).toBe('succeeded');
    expect(job.attempts).toBe(3);
  });

  it('a permanent failure of a later step removes the half-made account and fails the job with the panel code', async () => {
    h.panel.faults.add({ kind: 'exit', code: 3, command: 'v-add-dns-domain' });
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'failed', last_error_code: 'E_NOTEXIST' });
    const username = (await service(h, id)).panel_username!;
    expect(h.panel.state.users[username]).toBeUndefined();
    expect((await service(h, id)).status).toBe('pending');
  });

  it('never takes over a stranger’s account with the same name', async () => {
    const { id } = await pendingService(h);
    // Pre-seed the name Portico will pick by creating the service's credentials step first.
    await h.t.app.db.kysely
      .updateTable('services')
      .set({ server_id: h.serverId, panel_username: 'ustranger1' })
      .where('id', '=', id)
      .execute();
    h.panel.state.users.ustranger1 = {
      ...h.panel.state.users.admin!,
      email: 'someone@else.example',
      role: 'user',
      web: {},
      dns: {},
      mail: {},
      databases: {},
    };
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job).toMatchObject({ state: 'failed', last_error_code: 'USERNAME_CONFLICT' });
    expect(h.panel.state.users.ustranger1?.email).toBe('someone@else.example');
  });
});

describe('authentication failures pause the server instead of retrying', () => {
  it('a wrong key: the job waits, the server is paused with the panel’s message, one call only', async () => {
    const h = await startProvisioning({ secret: 'Q'.repeat(40) });
    try {
      const { id } = await pendingService(h);
      const jobId = await enqueue(h, 'create', id);
      const deadline = Date.now() + 10_000;
      let paused: string | null = null;
      while (!paused && Date.now() < deadline) {
        paused = (
          await h.t.app.db.kysely
            .selectFrom('servers')
            .select('paused_reason')
            .where('id', '=', h.serverId)
            .executeTakeFirstOrThrow()
        ).paused_reason;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(paused).toContain('Invalid secret key');
      await new Promise((r) => setTimeout(r, 200));
      const job = await h.t.app.db.kysely
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(job.state).toBe('queued');
      expect(h.panel.requestCount()).toBe(1);
    } finally {
      await h.close();
    }
  });
});
