import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBalance } from '../../src/clients/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';

/** Each test starts the CLI a few times (seconds each on a busy machine), hence the timeout. */
describe('portico clients', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ db });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const cli = (...args: string[]) => runCli(db, args, { stdin: 'a-long-enough-password\n' });

  it('creates, finds, changes and shows a client, refusing a country that is not one', async () => {
    await newClient(t.app, { email: 'bob@example.com', name: 'Bob' });
    const jane = await cli(
      'clients',
      'create',
      '--email',
      'Jane@Shop.example',
      '--name',
      'Jane Doe',
      '--password-stdin',
    );
    expect(jane.stderr).toBe('');
    expect(jane.stdout).toMatch(/Client jane@shop\.example created \(cli_/);

    const found = await cli('clients', 'list', '--search', 'JANE');
    expect(found.stdout).toContain('jane@shop.example');
    expect(found.stdout).not.toContain('bob@example.com');

    const badCountry = await cli('clients', 'update', 'jane@shop.example', '--country', 'XX');
    expect(badCountry.code).toBe(1);
    expect(badCountry.stderr).toContain('not an ISO 3166-1 alpha-2 country code');

    const updated = await cli(
      'clients',
      'update',
      'JANE@shop.example',
      '--country',
      'de',
      '--tax-id',
      'DE123456789',
      '--address',
      'Hauptstr. 1\\n10115 Berlin',
    );
    expect(updated.stderr).toBe('');
    const row = await t.app.db.kysely
      .selectFrom('clients')
      .select(['address', 'country'])
      .where('email', '=', 'jane@shop.example')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ address: 'Hauptstr. 1\n10115 Berlin', country: 'DE' });

    const shown = await cli('clients', 'show', 'jane@shop.example');
    expect(shown.stdout).toMatch(/country\s+DE/);
    expect(shown.stdout).toMatch(/tax id\s+DE123456789/);
    expect(shown.stdout).toMatch(/balance\s+0\.00 USD/);
    expect(shown.stdout).toMatch(/unpaid invoices\s+0/);
  });

  it('adds and removes credit in the client’s currency and prints the ledger newest first', async () => {
    const c = await newClient(t.app, { email: 'credit@example.com' });
    const added = await cli('clients', 'credit', 'credit@example.com', '--add', '10.00', '--reason', 'Goodwill');
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('Added 10.00 USD for credit@example.com. Balance: 10.00 USD.');
    const tooMuch = await cli('clients', 'credit', 'credit@example.com', '--remove', '12.50', '--reason', 'Oops');
    expect(tooMuch.code).toBe(1);
    expect(tooMuch.stderr).toContain('the balance of credit@example.com is 10.00 USD');
    const removed = await cli('clients', 'credit', c.row.id, '--remove', '2.5', '--reason', 'Correction');
    expect(removed.stdout).toContain('Balance: 7.50 USD.');

    const ledger = await cli('clients', 'ledger', 'credit@example.com');
    const lines = ledger.stdout.trim().split('\n');
    expect(lines[0]).toBe('Balance of credit@example.com: 7.50 USD');
    expect(lines[1]).toMatch(/-2\.50\s+balance\s+7\.50 USD\s+Correction\s+\[cli\]/);
    expect(lines[2]).toMatch(/\+10\.00\s+balance\s+10\.00 USD\s+Goodwill\s+\[cli\]/);
    expect(await ledgerBalance(t.app.db.kysely, c.row.id)).toBe(750);
  });

  it('suspends and closes, refusing to close while a service runs, audited as the CLI', async () => {
    const c = await newClient(t.app, { email: 'close@example.com' });
    const product = await newProduct(t.app);
    const service = await newService(t.app, { clientId: c.row.id, productId: product.id, domain: 'live.example' });

    const suspended = await cli('clients', 'suspend', 'close@example.com', '--reason', 'Abuse report');
    expect(suspended.stdout).toContain('Client close@example.com suspended.');

    const refused = await cli('clients', 'close', 'close@example.com');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${service.id} (live.example, active)`);
    expect(refused.stderr).toContain('Terminate them first');

    await t.app.db.kysely.updateTable('services').set({ status: 'terminated' }).where('id', '=', service.id).execute();
    const closed = await cli('clients', 'close', c.row.id);
    expect(closed.stdout).toContain('Client close@example.com closed');

    const audits = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'details'])
      .where('target_id', '=', c.row.id)
      .orderBy('id')
      .execute();
    expect(audits.map((a) => [a.action, a.actor_type])).toEqual([
      ['client.suspend', 'cli'],
      ['client.close', 'cli'],
    ]);
    expect(JSON.parse(audits[0]?.details ?? '{}')).toEqual({ reason: 'Abuse report' });
  });
});
