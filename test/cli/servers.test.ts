import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe('portico server / hestia / acceptance commands', () => {
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
    expect(call.stdout).toContain('exit 3 (E_NOTEXIST)');
    const curl = await runCli(db, ['hestia', 'call', 'web1', 'v-list-sys-info', 'json', '--print-curl']);
    expect(curl.stdout).toContain("'cmd=v-list-sys-info'");
    expect(curl.stdout).not.toContain(panel.accessKey.secret);
  });

  it('server profile prints the API profile with every command Portico uses', async () => {
    const profile = await runCli(db, ['server', 'profile']);
    expect(profile.stdout).toMatch(/^ROLE='admin'\nCOMMANDS='v-add-user,.*v-list-sys-info'\n$/);
  });
});
