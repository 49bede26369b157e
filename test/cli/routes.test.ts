import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { newClient, newProduct, newService, type TestClient } from '../helpers/factories.js';

/**
 * `portico routes alias …`: the plugin's example, moving GET /services to /cloud from the shell.
 * Each test starts the CLI a few times (seconds each on a busy machine), hence the timeout.
 */
describe('portico routes alias', { timeout: 120_000 }, () => {
  let t: TestApp;
  let me: TestClient;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    me = await newClient(t.app);
    await newService(t.app, { clientId: me.row.id, productId: (await newProduct(t.app)).id });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The running server, after its watcher saw the CLI's change. */
  const served = async (url: string) => {
    await t.app.watcher.check(true);
    return t.inject({ method: 'GET', url, headers: { authorization: me.basic } });
  };
  const doc = async () => (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();

  it('adds /cloud for GET /services; with /services disabled, /cloud answers under its own name and category', async () => {
    const added = await runCli(t.db, [
      'routes',
      'alias',
      'add',
      'listServices',
      '/api/v1/cloud',
      '--name',
      'List cloud servers',
      '--category',
      'Cloud',
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('Alias GET /cloud → listServices added (operation id listCloudServers).');
    const off = await runCli(t.db, ['routes', 'set', 'listServices', '--enabled', 'false']);
    expect(off.code).toBe(0);

    expect((await served('/api/v1/cloud')).statusCode).toBe(200);
    expect((await served('/api/v1/services')).statusCode).toBe(404);
    const openapi = await doc();
    expect(openapi.paths['/services']).toBeUndefined();
    expect(openapi.paths['/cloud'].get).toMatchObject({
      operationId: 'listCloudServers',
      summary: 'List cloud servers',
      tags: ['Cloud'],
    });

    const list = await runCli(t.db, ['routes', 'list']);
    expect(list.stdout).toMatch(/OFF GET +\/services +listServices/);
    expect(list.stdout).toMatch(/on {2}alias +\/cloud +listCloudServers +List cloud servers \[Cloud\]/);
  });

  it('alias set changes the alias alone: disabled, /services back on, then a new description', async () => {
    await runCli(t.db, ['routes', 'set', 'listServices', '--enabled', 'true']);
    const set = await runCli(t.db, ['routes', 'alias', 'set', '/cloud', '--enabled', 'false']);
    expect(set.stdout).toContain('Alias /cloud updated (disabled, "List cloud servers" in Cloud)');
    expect((await served('/api/v1/cloud')).statusCode).toBe(404);
    expect((await served('/api/v1/services')).statusCode).toBe(200);

    await runCli(t.db, [
      'routes',
      'alias',
      'set',
      '/cloud',
      '--enabled',
      'true',
      '--description',
      'Servers in the cloud.',
    ]);
    expect((await served('/api/v1/cloud')).statusCode).toBe(200);
    expect((await doc()).paths['/cloud'].get.description).toContain('Servers in the cloud.');
  });

  it('says what to do when nothing is to change, the alias is unknown, or the flag is wrong', async () => {
    const nothing = await runCli(t.db, ['routes', 'alias', 'set', '/cloud']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('Say what to change');
    const unknown = await runCli(t.db, ['routes', 'alias', 'set', '/nowhere', '--enabled', 'true']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No alias /nowhere. `portico routes list` shows them.');
    const flag = await runCli(t.db, ['routes', 'alias', 'set', '/cloud', '--enabled', 'maybe']);
    expect(flag.stderr).toContain('--enabled takes true or false.');
  });

  it('alias rm takes the path with or without /api/v1', async () => {
    const removed = await runCli(t.db, ['routes', 'alias', 'rm', '/api/v1/cloud']);
    expect(removed.stdout).toContain('Alias /cloud removed.');
    expect((await served('/api/v1/cloud')).statusCode).toBe(404);
  });
});
