import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/platform/crypto/secretbox.js';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { newAccessKey } from '../../src/sandbox/state.js';
import { runAcceptance } from '../../src/servers/runbook/acceptance.js';
import { callPanel, curlFor } from '../../src/servers/runbook/call.js';
import { checkServer } from '../../src/servers/runbook/check.js';
import { addServer, getServer, type NewServer, panelFor, removeServer } from '../../src/servers/servers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';

describe('servers and the runbook commands against the sandbox panel', () => {
  let t: TestApp;
  let panel: SandboxPanel;
  let counter = 0;
  beforeAll(async () => {
    t = await createTestApp();
    panel = await startSandboxPanel();
  });
  afterAll(async () => {
    await panel?.close();
    await t?.close();
  });
  afterEach(() => {
    panel.faults.clear();
    panel.state.switches.API_ALLOWED_IP = 'allow-all';
  });

  function server(
    overrides: Partial<NewServer> = {},
  ): Promise<ReturnType<typeof addServer> extends Promise<infer R> ? R : never> {
    counter += 1;
    return addServer(t.app, {
      name: `web${counter}`,
      host: panel.host,
      port: panel.port,
      credentials: { kind: 'access_key', ...panel.accessKey },
      tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
      ...overrides,
    });
  }

  it('stores credentials sealed: no secret in the row, and only the right master key opens them', async () => {
    const row = await server();
    expect(JSON.stringify(row)).not.toContain(panel.accessKey.secret);
    expect(row.credentials_sealed).toMatch(/^v1:/);
    const wrong = new SecretBox(Buffer.alloc(32, 7));
    expect(() => wrong.open(row.credentials_sealed)).toThrow(/cannot be decrypted with this master key/);
  });

  it('refuses a malformed key, a bad name and a duplicate with clear messages', async () => {
    await expect(server({ credentials: { kind: 'access_key', id: 'short', secret: 'x' } })).rejects.toThrow(
      /ID:SECRET/,
    );
    await expect(server({ name: 'Bad Name!' })).rejects.toThrow(/lower-case letters/);
    const row = await server();
    await expect(
      addServer(t.app, {
        name: row.name,
        host: panel.host,
        port: panel.port,
        credentials: { kind: 'access_key', ...panel.accessKey },
        tls: { mode: 'system' },
      }),
    ).rejects.toThrow(/already exists/);
  });

  it('check passes every step on a well-configured server', async () => {
    const row = await server();
    await newProduct(t.app);
    const results = await checkServer(t.app, row);
    expect(results.map((r) => [r.check, r.ok])).toEqual([
      ['DNS', true],
      ['TCP', true],
      ['TLS', true],
      ['authentication', true],
      ['permissions', true],
      ['systems', true],
      ['panel version', true],
      ['packages', true],
    ]);
  });

  it('check: a wrong pin fails at TLS and says which fingerprint to pin', async () => {
    const row = await server({ tls: { mode: 'pin', sha256: 'CD'.repeat(32) } });
    const tls = (await checkServer(t.app, row)).find((r) => r.check === 'TLS')!;
    expect(tls.ok).toBe(false);
    expect(tls.fix).toContain(`pin:${panel.fingerprintSha256}`);
  });

  it('check: the system CA store refuses the self-signed certificate', async () => {
    const row = await server({ tls: { mode: 'system' }, host: '127.0.0.1' });
    const results = await checkServer(t.app, row);
    expect(results.at(-1)).toMatchObject({ check: 'TLS', ok: false });
  });

  it('check: a CA file that issued the certificate passes TLS (host name checked)', async () => {
    const row = await server({ tls: { mode: 'ca', caPem: panel.certPem } });
    expect((await checkServer(t.app, row)).find((r) => r.check === 'TLS')).toMatchObject({ ok: true });
  });

  it('check: a wrong secret fails authentication with what to do', async () => {
    const row = await server({ credentials: { kind: 'access_key', id: panel.accessKey.id, secret: 'W'.repeat(40) } });
    const auth = (await checkServer(t.app, row)).at(-1)!;
    expect(auth).toMatchObject({ check: 'authentication', ok: false });
    expect(auth.fix).toContain('access key');
  });

  it('check: an IP not in API_ALLOWED_IP says to add it', async () => {
    const row = await server();
    panel.state.switches.API_ALLOWED_IP = '192.0.2.99';
    const auth = (await checkServer(t.app, row)).at(-1)!;
    expect(auth.ok).toBe(false);
    expect(auth.fix).toContain('API_ALLOWED_IP');
  });

  it('check: a key without the needed commands stops at the first refusal and prints the profile to install', async () => {
    const key = newAccessKey(panel.rootUser, ['billing']);
    panel.state.keys.push(key);
    panel.state.profiles.billing = ['v-list-user-packages', 'v-add-user', 'v-delete-user'];
    const row = await server({ credentials: { kind: 'access_key', id: key.id, secret: key.secret } });
    const before = panel.calls.length;
    const perms = (await checkServer(t.app, row)).find((r) => r.check === 'permissions')!;
    expect(perms.ok).toBe(false);
    expect(perms.detail).toContain('v-suspend-user');
    expect(perms.fix).toContain("COMMANDS='v-add-user,");
    // v-list-user-packages (authentication), then v-add-user and v-delete-user got through;
    // v-suspend-user was refused, and nothing more was tried
    expect(panel.calls.slice(before).map((c) => c.cmd)).toEqual([
      'v-list-user-packages',
      'v-add-user',
      'v-delete-user',
    ]);
  });

  it('check: a product whose package is missing on the panel is named', async () => {
    const row = await server({ group: 'special' });
    await t.app.db.kysely
      .updateTable('products')
      .set({ server_group: 'special', panel_package: 'gold' })
      .where('id', '=', (await newProduct(t.app, { name: 'Gold' })).id)
      .execute();
    const pkgs = (await checkServer(t.app, row)).find((r) => r.check === 'packages')!;
    expect(pkgs.ok).toBe(false);
    expect(pkgs.detail).toContain('gold (product Gold)');
  });

  it('check: a closed port fails at TCP, an unresolvable host at DNS', async () => {
    const closed = await server({ port: 1 });
    expect((await checkServer(t.app, closed)).at(-1)).toMatchObject({ check: 'TCP', ok: false });
    const nowhere = await server({ host: 'panel.does-not-exist.invalid' });
    expect((await checkServer(t.app, nowhere)).at(-1)).toMatchObject({ check: 'DNS', ok: false });
  });

  it('acceptance creates a user and domain, verifies them and cleans up', async () => {
    const row = await server();
    const steps = await runAcceptance(t.app, row, { packageName: 'pro' });
    expect(steps.every((s) => s.ok)).toBe(true);
    expect(steps.map((s) => s.step.split(' ')[0])).toEqual([
      'v-add-user',
      'v-add-web-domain',
      'v-list-web-domains',
      'v-add-dns-domain',
      'v-list-user',
      'v-list-dns-domains',
      'cleanup:',
    ]);
    expect(Object.keys(panel.state.users).filter((u) => u.startsWith('ptacc'))).toEqual([]);
  });

  it('acceptance cleans up even when a step fails', async () => {
    const row = await server();
    panel.faults.add({ kind: 'exit', code: 15, command: 'v-add-web-domain' });
    const steps = await runAcceptance(t.app, row, { packageName: 'pro' });
    expect(steps.find((s) => !s.ok)?.step).toContain('v-add-web-domain');
    expect(steps.at(-1)).toMatchObject({ ok: true });
    expect(steps.at(-1)?.step).toContain('cleanup');
    expect(Object.keys(panel.state.users).filter((u) => u.startsWith('ptacc'))).toEqual([]);
  });

  it('hestia call reports the panel’s outcome; --print-curl redacts secrets', async () => {
    const row = await server();
    const ok = await callPanel(t.app, row, 'v-list-sys-info', ['json']);
    expect(ok).toMatchObject({ ok: true, exitCode: 0, exitName: 'OK' });
    const missing = await callPanel(t.app, row, 'v-delete-user', ['nobody9']);
    expect(missing).toMatchObject({
      ok: false,
      httpStatus: 400,
      exitCode: 3,
      exitName: 'E_NOTEXIST',
      body: "Error: user nobody9 doesn't exist",
    });
    const curl = await curlFor(t.app, row, 'v-change-user-password', ['bob1', 'Hunter2-secret']);
    expect(curl).not.toContain(panel.accessKey.secret);
    expect(curl).not.toContain('Hunter2-secret');
    expect(curl).toContain("'secret_key=[REDACTED]'");
    expect(curl).toContain("'arg1=bob1'");
  });

  it('a server that hosts services cannot be removed', async () => {
    const row = await server();
    const owner = await newClient(t.app);
    const svc = await newService(t.app, { clientId: owner.row.id, productId: (await newProduct(t.app)).id });
    await t.app.db.kysely.updateTable('services').set({ server_id: row.id }).where('id', '=', svc.id).execute();
    await expect(removeServer(t.app, row.name)).rejects.toThrow(/still hosts 1 service/);
    await t.app.db.kysely.updateTable('services').set({ status: 'terminated' }).where('id', '=', svc.id).execute();
    await removeServer(t.app, row.name);
    await expect(getServer(t.app, row.name)).rejects.toThrow(/No server named/);
  });

  it('panelFor talks to the server with the unsealed credentials', async () => {
    const row = await server();
    const { client, panel: adapter } = panelFor(t.app, row);
    expect(await adapter.health({ correlationId: 'req_x' })).toMatchObject({ reachable: true });
    await client.close();
  });
});
