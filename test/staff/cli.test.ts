import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

/** `portico admin …` from the shell. Each test starts the CLI several times, hence the timeout. */
describe('portico admin', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ db, adminTotp: 'default' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const cli = (...args: string[]) => runCli(db, args, { stdin: 'a-long-enough-password\n' });
  const audited = () =>
    t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('action', 'like', 'staff.%')
      .orderBy('id')
      .execute();

  it('makes the first admin an owner, asks later ones for a role, lists and changes roles', async () => {
    const first = await cli('admin', 'create', '--email', 'first@example.com', '--password-stdin');
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/Admin first@example\.com created \(adm_\w+\), role owner\./);
    expect(first.stdout).toContain('two-factor');

    const noRole = await cli('admin', 'create', '--email', 'second@example.com', '--password-stdin');
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toContain('Name the role of second@example.com');
    expect(noRole.stderr).toContain('only the first admin of an install becomes owner');

    const badRole = await cli('admin', 'create', '--email', 'second@example.com', '--role', 'boss', '--password-stdin');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('owner, billing, support, read_only');

    const second = await cli(
      'admin',
      'create',
      '--email',
      'second@example.com',
      '--role',
      'support',
      '--password-stdin',
    );
    expect(second.stdout).toContain('role support.');

    const list = await cli('admin', 'list');
    expect(list.stdout).toMatch(/first@example\.com\s+owner\s+.*no-2fa/);
    expect(list.stdout).toMatch(/second@example\.com\s+support/);

    const last = await cli('admin', 'role', 'first@example.com', 'read_only');
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last active owner');

    const promoted = await cli('admin', 'role', 'SECOND@example.com', 'owner');
    expect(promoted.stdout).toContain('second@example.com is now owner.');
    const demoted = await cli('admin', 'role', 'first@example.com', 'billing');
    expect(demoted.stdout).toContain('first@example.com is now billing.');

    expect(await audited()).toEqual([
      { action: 'staff.create', actor_type: 'cli' },
      { action: 'staff.create', actor_type: 'cli' },
      { action: 'staff.role_change', actor_type: 'cli' },
      { action: 'staff.role_change', actor_type: 'cli' },
    ]);
  });
});
