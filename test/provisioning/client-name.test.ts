import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelDisplayName } from '../../src/hestia/validate.js';
import { panelFor } from '../../src/servers/servers.js';
import { newClient, newService } from '../helpers/factories.js';
import { ctx } from '../helpers/panel.js';
import { enqueue, type ProvisioningHarness, service, settle, startProvisioning } from './helpers.js';

/** The client's name reaches the panel as NAME, and no name ever makes an order fail. */
describe("the client's name on the panel", () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function provisionFor(name: string) {
    const client = await newClient(h.t.app, { name });
    const svc = await newService(h.t.app, {
      clientId: client.row.id,
      productId: h.productId,
      status: 'pending',
      domain: `n${Math.random().toString(36).slice(2, 8)}.example`,
    });
    const job = await settle(h, await enqueue(h, 'create', svc.id));
    const username = (await service(h, svc.id)).panel_username!;
    return { job, account: h.panel.state.users[username] };
  }

  it('a plain name is the account’s NAME, as the panel shows it', async () => {
    const { job, account } = await provisionFor('Ada Lovelace');
    expect(job.state).toBe('succeeded');
    expect(account?.name).toBe('Ada Lovelace');
  });

  it('a name the panel refuses (quotes, < >, shell metacharacters, a newline) is cleaned, and the order succeeds', async () => {
    const hostile = 'Zoë O\'Brien <CEO>; rm -rf / & "co"\nnext';
    // What the panel does with such a name: exit 2, which would fail the order for good.
    const row = await h.t.app.db.kysely
      .selectFrom('servers')
      .selectAll()
      .where('id', '=', h.serverId)
      .executeTakeFirstOrThrow();
    const { client } = panelFor(h.t.app, row);
    try {
      const args = ['urawname01', 'Raw-pass-123456', 'raw@example.test', 'starter', "Zoë O'Brien <CEO>"];
      const raw = await client.call(ctx, 'v-add-user', args);
      expect(raw.ok ? null : raw.error.exitCode).toBe(2);
    } finally {
      await client.close();
    }
    const { job, account } = await provisionFor(hostile);
    expect(job.state).toBe('succeeded');
    expect(account?.name).toBe('Zoë OBrien CEO rm -rf co next');
  });

  it('a name with nothing usable left is not sent, and the order succeeds', async () => {
    const { job, account } = await provisionFor('<<"$()">>');
    expect(job.state).toBe('succeeded');
    expect(account?.name).toBe('');
  });

  it('cleaning keeps letters of any script, collapses spaces and caps the length', () => {
    expect(panelDisplayName('  François   Dupont-Martin ')).toBe('François Dupont-Martin');
    expect(panelDisplayName('Иван Петров')).toBe('Иван Петров');
    expect(panelDisplayName('ha|l `id` $(x)')).toBe('ha l id x');
    expect(panelDisplayName('Ø'.repeat(70))).toBe('Ø'.repeat(64));
    expect(panelDisplayName('')).toBeUndefined();
  });
});
