import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import {
  enqueue,
  type ProvisioningHarness,
  pendingService,
  service,
  settle,
  startProvisioning,
} from '../provisioning/helpers.js';

// Each test runs several `portico` processes, each a few seconds to start when the suite loads the
// machine: the per-test ceiling is a hang guard, not a speed check.
describe('portico server / hestia / acceptance commands', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let panel: SandboxPanel;
  beforeAll(async () => {
    db = await createTestDatabase();
    panel = await startSandboxPanel();
  });
  afterAll(async () => {
    await panel?.close();
    await db?.drop();
  });

  it('adds a server with the key from standard input, lists it, checks it, runs acceptance', async () => {
    const add = await runCli(
      db,
      [
        'server',
        'add',
        '--name',
        'web1',
        '--host',
        panel.host,
        '--port',
        String(panel.port),
        '--tls',
        `pin:${panel.fingerprintSha256}`,
      ],
      { stdin: `${panel.accessKey.id}:${panel.accessKey.secret}\n` },
    );
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain('Server web1 added');
    const list = await runCli(db, ['server', 'list']);
    expect(list.stdout).toMatch(/web1\s+127\.0\.0\.1:\d+\s+group=default capacity=100 tls=pin/);
    const check = await runCli(db, ['server', 'check', 'web1']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('Server web1 is ready for Portico.');
    const acceptance = await runCli(db, ['acceptance', 'web1', '--package', 'starter']);
    expect(acceptance.code).toBe(0);
    expect(acceptance.stdout).toContain('cleanup: v-delete-user');
  });

  it('a failing check exits 1 and says what to do', async () => {
    await runCli(
      db,
      ['server', 'add', '--name', 'web2', '--host', panel.host, '--port', String(panel.port), '--tls', 'system'],
      {
        stdin: `${panel.accessKey.id}:${panel.accessKey.secret}`,
      },
    );
    const check = await runCli(db, ['server', 'check', 'web2']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('FAIL  TLS');
    expect(check.stdout).toContain(`--tls pin:${panel.fingerprintSha256}`);
  });

  it('check on a panel without a web system: permissions pass, the systems line says what it runs', async () => {
    const noWeb = await startSandboxPanel({ services: ['dns', 'mail', 'db'] });
    try {
      await runCli(
        db,
        [
          'server',
          'add',
          '--name',
          'noweb',
          '--host',
          noWeb.host,
          '--port',
          String(noWeb.port),
          '--tls',
          `pin:${noWeb.fingerprintSha256}`,
        ],
        { stdin: `${noWeb.accessKey.id}:${noWeb.accessKey.secret}` },
      );
      const check = await runCli(db, ['server', 'check', 'noweb']);
      expect(check.stdout).toMatch(/PASS {2}permissions/);
      expect(check.stdout).not.toContain('Enable the API');
      expect(check.stdout).toContain('it does not run web (WEB_SYSTEM)');
    } finally {
      await noWeb.close();
    }
  });

  it('sandbox-panel refuses an unknown --services name, saying which exist', async () => {
    const unknown = await runCli(db, ['sandbox-panel', '--port', '0', '--services', 'web,ftp']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--services web,ftp: unknown service(s) ftp: choose among web, dns, mail, db');
  });

  it('refuses a key given nowhere, and a bad --tls, with the accepted forms', async () => {
    const noKey = await runCli(db, ['server', 'add', '--name', 'web3', '--host', 'h.example', '--tls', 'maybe']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('--tls must be system, ca:<file.pem>, pin:<sha256 fingerprint> or insecure');
  });

  it('hestia call prints status and exit code name; --print-curl never prints the secret', async () => {
    const call = await runCli(db, ['hestia', 'call', 'web1', 'v-suspend-user', 'nobody1']);
    expect(call.code).toBe(1);
    expect(call.stdout).toContain('HTTP 400  exit 3 (E_NOTEXIST)');
    const curl = await runCli(db, ['hestia', 'call', 'web1', 'v-list-sys-info', 'json', '--print-curl']);
    expect(curl.stdout).toContain("'cmd=v-list-sys-info'");
    expect(curl.stdout).not.toContain(panel.accessKey.secret);
    expect(curl.stdout).toContain("--cacert 'web1-pinned.pem' --pinnedpubkey 'sha256//");
    expect(curl.stdout).not.toMatch(/\s-k\s/);
  });

  it('server profile prints the API profile with every command Portico uses', async () => {
    const profile = await runCli(db, ['server', 'profile']);
    expect(profile.stdout).toMatch(/^ROLE='admin'\nCOMMANDS='v-add-user,.*v-list-sys-info'\n$/);
  });
});

describe('portico server update: a wrong key fixed in place', { timeout: 180_000 }, () => {
  let h: ProvisioningHarness;
  let name: string;
  beforeAll(async () => {
    h = await startProvisioning({ secret: 'Q'.repeat(40) });
    name = (await getServerById(h)).name;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a server paused by a refused key takes the right key from standard input, resumes, and provisions', async () => {
    const { id } = await pendingService(h);
    const jobId = await enqueue(h, 'create', id);
    await waitFor(async () => (await getServerById(h)).paused_reason !== null);
    expect((await runCli(h.t.db, ['server', 'list'])).stdout).toContain('PAUSED: ');

    const wrongAgain = await runCli(h.t.db, ['server', 'update', name], {
      stdin: `${h.panel.accessKey.id}:${'R'.repeat(40)}\n`,
    });
    expect(wrongAgain.code).toBe(1);
    expect(wrongAgain.stdout).toContain('FAIL  authentication');
    expect(wrongAgain.stdout).toContain(`Server ${name} is still PAUSED`);
    expect((await settle(h, jobId, () => true)).state).toBe('queued');

    const fixed = await runCli(h.t.db, ['server', 'update', name, '--capacity', '40'], {
      stdin: `${h.panel.accessKey.id}:${h.panel.accessKey.secret}\n`,
    });
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('capacity 40');
    expect(fixed.stdout).toContain('PASS  authentication');
    expect(fixed.stdout).toContain(`Server ${name} resumed`);
    expect(fixed.stdout).not.toContain(h.panel.accessKey.secret);
    const row = await getServerById(h);
    expect(row).toMatchObject({ paused_reason: null, capacity: 40 });

    const job = await settle(h, jobId);
    expect(job.state).toBe('succeeded');
    expect(h.panel.state.users[(await service(h, id)).panel_username!]).toBeDefined();
  });

  it('changes capacity, group and enabled without a key; refuses nothing to change and a bad value', async () => {
    const update = await runCli(h.t.db, [
      'server',
      'update',
      name,
      '--group',
      'eu',
      '--enabled',
      'false',
      '--capacity',
      '7',
    ]);
    expect(update.code).toBe(0);
    expect(update.stdout).toContain('group eu, capacity 7');
    expect(update.stdout).toContain('disabled');
    expect(update.stdout).not.toContain('authentication');
    expect(await getServerById(h)).toMatchObject({ server_group: 'eu', enabled: 0, capacity: 7 });
    const nothing = await runCli(h.t.db, ['server', 'update', name]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('Nothing to change');
    const badPort = await runCli(h.t.db, ['server', 'update', name, '--port', 'eighty']);
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('--port takes a whole number');
    const again = await runCli(h.t.db, ['server', 'add', '--name', name, '--host', h.panel.host], {
      stdin: `${h.panel.accessKey.id}:${h.panel.accessKey.secret}`,
    });
    expect(again.stderr).toContain(`portico server update ${name}`);
  });
});

async function getServerById(h: ProvisioningHarness) {
  return h.t.app.db.kysely.selectFrom('servers').selectAll().where('id', '=', h.serverId).executeTakeFirstOrThrow();
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
