import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServer } from '../../src/servers/runbook/check.js';
import { getServer } from '../../src/servers/servers.js';
import { enqueue, type ProvisioningHarness, pendingService, service, settle, startProvisioning } from './helpers.js';

/**
 * A panel installed without a web system answers exit 11 "WEB_SYSTEM is not enabled" — the same
 * code as "API disabled". An order needing a website there must fail and roll back, not pause
 * the server as if our credentials were refused.
 */
describe('a server without the system a product needs', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning({ sandbox: { services: ['dns', 'mail', 'db'] } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('create fails naming WEB_SYSTEM, removes the account it made and leaves the server running', async () => {
    const { id } = await pendingService(h);
    const job = await settle(h, await enqueue(h, 'create', id));
    expect(job.state).toBe('failed');
    expect(job.last_error_code).toBe('E_DISABLED');
    expect(job.last_error_message).toMatch(/WEB_SYSTEM is not enabled/);
    expect(job.last_error_message).toMatch(/does not run a web system/);
    const username = (await service(h, id)).panel_username!;
    expect(h.panel.calls.map((c) => c.cmd)).toEqual(
      expect.arrayContaining(['v-add-user', 'v-add-web-domain', 'v-delete-user']),
    );
    expect(h.panel.state.users[username]).toBeUndefined();
    const server = await h.t.app.db.kysely
      .selectFrom('servers')
      .select(['paused_reason'])
      .where('id', '=', h.serverId)
      .executeTakeFirstOrThrow();
    expect(server.paused_reason).toBeNull();
    // The queue still runs: the next job on this server is claimed and finishes.
    const next = await pendingService(h);
    expect((await settle(h, await enqueue(h, 'create', next.id))).state).toBe('failed');
  });

  it('server check names the systems the panel runs and the products that need one it lacks', async () => {
    const servers = await h.t.app.db.kysely.selectFrom('servers').select('name').execute();
    const results = await checkServer(h.t.app, await getServer(h.t.app, servers[0]!.name));
    const byName = Object.fromEntries(results.map((r) => [r.check, r]));
    expect(byName.permissions?.ok).toBe(true);
    expect(byName.permissions?.fix).toBeUndefined();
    expect(byName.systems).toMatchObject({ ok: false });
    expect(byName.systems?.detail).toContain(
      'the panel runs DNS (DNS_SYSTEM), mail (MAIL_SYSTEM), database (DB_SYSTEM); it does not run web (WEB_SYSTEM)',
    );
    expect(byName.systems?.detail).toContain('Starter (needs WEB_SYSTEM)');
    expect(byName.systems?.fix).toMatch(/server group whose panels run them/);
  });
});
