import SQLite from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService, type TestClient } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The services list and the per-request auth lookups are answered from memory while the database
 * is unchanged (src/platform/db/read-cache.ts). These tests hold it to "never older than the
 * data": a change made by this instance shows on the very next request; one made by another
 * instance on SQLite too (its data_version is read on every request), and on PostgreSQL once
 * the commit's notification has arrived — within a second by design (ADR 0010), well before the
 * 5 s bound that would otherwise hide a lost notification.
 */
describe('GET /api/v1/services is never stale', () => {
  let t: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    other = await t.twin();
  });

  /** Another instance's write: seen by the next request on SQLite, within a second on PostgreSQL. */
  async function seenAfterOtherWrite(check: () => Promise<boolean>, what: string) {
    if (t.app.db.dialect === 'sqlite') expect(await check(), what).toBe(true);
    else await waitFor(check, { timeoutMs: 1000, message: what });
  }

  async function list(app: TestApp, client: TestClient, query: Record<string, string> = {}) {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/services',
      query,
      headers: { authorization: client.basic },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { items: { id: string; status: string; product_name: string; domain: string }[] };
  }

  it('shows a service created, changed or removed by another instance on the next request', async () => {
    const me = await newClient(t.app);
    const product = await newProduct(t.app);
    const first = await newService(t.app, { clientId: me.row.id, productId: product.id });
    expect((await list(t, me)).items.map((s) => s.id)).toEqual([first.id]);
    expect((await list(t, me)).items.map((s) => s.id)).toEqual([first.id]);

    // Another instance (its own database connection) adds a service: this one lists it at once.
    const second = await newService(other.app, { clientId: me.row.id, productId: product.id });
    const ids = async () => (await list(t, me)).items.map((s) => s.id).join();
    await seenAfterOtherWrite(async () => (await ids()) === [second.id, first.id].join(), 'the new service listed');

    // …changes one, as the provisioning worker does…
    await other.app.db.kysely.updateTable('services').set({ status: 'suspended' }).where('id', '=', first.id).execute();
    await seenAfterOtherWrite(
      async () => (await list(t, me)).items.find((s) => s.id === first.id)?.status === 'suspended',
      'the suspension shown',
    );
    expect((await list(t, me, { status: 'suspended' })).items.map((s) => s.id)).toEqual([first.id]);

    // …and removes one.
    await other.app.db.kysely.deleteFrom('services').where('id', '=', second.id).execute();
    await seenAfterOtherWrite(async () => (await ids()) === first.id, 'the removed service gone');
  });

  it('shows this instance’s own writes on the next request', async () => {
    const me = await newClient(t.app);
    const product = await newProduct(t.app, { name: 'Basic' });
    const service = await newService(t.app, { clientId: me.row.id, productId: product.id });
    expect((await list(t, me)).items[0]?.product_name).toBe('Basic');
    await t.app.db.kysely.updateTable('products').set({ name: 'Basic 2026' }).where('id', '=', product.id).execute();
    expect((await list(t, me)).items[0]?.product_name).toBe('Basic 2026');
    await t.app.db.kysely
      .updateTable('services')
      .set({ domain: 'renamed.test' })
      .where('id', '=', service.id)
      .execute();
    expect((await list(t, me)).items[0]?.domain).toBe('renamed.test');
  });

  it('keeps each client’s and each filter’s pages apart', async () => {
    const a = await newClient(t.app);
    const b = await newClient(t.app);
    const product = await newProduct(t.app);
    const sa = await newService(t.app, { clientId: a.row.id, productId: product.id, status: 'active' });
    const sb = await newService(t.app, { clientId: b.row.id, productId: product.id, status: 'pending' });
    for (let round = 0; round < 2; round++) {
      expect((await list(t, a)).items.map((s) => s.id)).toEqual([sa.id]);
      expect((await list(t, b)).items.map((s) => s.id)).toEqual([sb.id]);
      expect((await list(t, a, { status: 'pending' })).items).toEqual([]);
      expect((await list(t, b, { status: 'pending' })).items.map((s) => s.id)).toEqual([sb.id]);
    }
  });

  /** Runs one statement on a connection Portico does not own, as another process would. */
  async function outsideWrite(sql: string, params: string[]): Promise<void> {
    if (t.db.databaseUrl) {
      const client = new pg.Client({ connectionString: t.db.databaseUrl });
      await client.connect();
      await client.query(
        sql.replace(/\?/g, (_, offset: number) => `$${sql.slice(0, offset).split('?').length}`),
        params,
      );
      await client.end();
    } else {
      const sqlite = new SQLite(t.db.sqlitePath);
      sqlite.prepare(sql).run(...params);
      sqlite.close();
    }
  }

  it('shows a commit made by another process within milliseconds', async () => {
    const me = await newClient(t.app);
    const product = await newProduct(t.app);
    const service = await newService(t.app, { clientId: me.row.id, productId: product.id, status: 'pending' });
    expect((await list(t, me)).items[0]?.status).toBe('pending');
    await outsideWrite("update services set status = 'active' where id = ?", [service.id]);
    // Another process's commit is seen through SQLite's data_version, read at most 1 ms apart:
    // with no write of this process in between, only that can drop the cached answer.
    await waitFor(async () => (await list(t, me)).items[0]?.status === 'active', {
      timeoutMs: 1000,
      message: 'the outside update seen',
    });
    await outsideWrite("update clients set status = 'suspended' where id = ?", [me.row.id]);
    const refused = async () =>
      (await t.inject({ method: 'GET', url: '/api/v1/services', headers: { authorization: me.basic } })).statusCode ===
      401;
    await waitFor(refused, { timeoutMs: 1000, message: 'the outside suspension seen' });
  });

  it('stops answering a suspended client, whichever instance suspended it', async () => {
    const me = await newClient(t.app);
    await list(t, me);
    await other.app.db.kysely.updateTable('clients').set({ status: 'suspended' }).where('id', '=', me.row.id).execute();
    await seenAfterOtherWrite(
      async () =>
        (await t.inject({ method: 'GET', url: '/api/v1/services', headers: { authorization: me.basic } }))
          .statusCode === 401,
      'the suspended client refused',
    );
  });
});
