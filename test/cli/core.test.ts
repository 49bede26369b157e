import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe('portico CLI', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('creates a client with the password from standard input, and refuses a duplicate clearly', async () => {
    const created = await runCli(
      db,
      ['client', 'create', '--email', 'Jane@Example.com', '--name', 'Jane', '--password-stdin'],
      {
        stdin: 'a-long-enough-password\n',
      },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Client jane@example\.com created \(cli_/);
    const again = await runCli(db, [
      'client',
      'create',
      '--email',
      'jane@example.com',
      '--name',
      'J',
      '--password',
      'another-password1',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('portico: A client with the email jane@example.com already exists.');
  });

  it('refuses a short admin password saying what is required', async () => {
    const res = await runCli(db, ['admin', 'create', '--email', 'ops@example.com', '--password', 'short']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('10 to 200 characters');
  });

  it('sets and reads settings, refusing bad values with what is accepted', async () => {
    const bad = await runCli(db, ['settings', 'set', 'userapi.rate_limit', 'lots']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('portico: userapi.rate_limit must look like 100/60s');
    const ok = await runCli(db, ['settings', 'set', 'userapi.rate_limit', '50/30s']);
    expect(ok.code).toBe(0);
    const read = await runCli(db, ['settings', 'get', 'userapi.rate_limit']);
    expect(read.stdout.trim()).toBe('50/30s');
    const all = await runCli(db, ['settings', 'get']);
    expect(all.stdout).toContain('userapi.auth_methods = "basic,jwt,token"  (default)');
  });

  it('seeds demo data once, and refuses to mix it into an install that has clients', async () => {
    const fresh = await createTestDatabase();
    try {
      const first = await runCli(fresh, ['demo']);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('demo@portico.test');
      const second = await runCli(fresh, ['demo']);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('portico demo --force');
    } finally {
      await fresh.drop();
    }
  });
});
