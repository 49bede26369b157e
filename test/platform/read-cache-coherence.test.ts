import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { bearer, loginAs } from '../auth/helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The hot reads (session state, credentials, the services list) are answered from memory while
 * the database is unchanged. Several instances share one database: a write on any of them must
 * reach every other instance's answers within a second, and on PostgreSQL, where the other
 * instances learn of writes from notifications, a lost notification may leave an answer stale only
 * for a bounded time.
 */
const onPostgres = Boolean(process.env.DATABASE_URL);

async function servicesSeenBy(t: TestApp, token: string): Promise<string[]> {
  const res = await t.inject({ method: 'GET', url: '/api/v1/services', headers: bearer(token) });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: { domain: string }[] }).items.map((s) => s.domain);
}

async function setup(env: Record<string, string>) {
  const t = await createTestApp({ env });
  const twin = await t.twin();
  const client = await newClient(t.app);
  const product = await newProduct(t.app);
  const service = await newService(t.app, { clientId: client.row.id, productId: product.id, domain: 'before.test' });
  const { access_token: token } = await loginAs(t, client);
  return { t, twin, service, token };
}

/** A write the notification trigger does not see (replica mode skips triggers): a lost notification. */
async function writeUnannounced(t: TestApp, statement: string, values: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: t.db.databaseUrl });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(statement, values);
  } finally {
    await client.end();
  }
}

describe('hot reads across instances on one database', () => {
  it('a write on one instance is seen by the others well before the staleness bound', async () => {
    // With a minute's bound, only the write's own announcement can explain a fresh answer.
    const { t, twin, service, token } = await setup({ PORTICO_CACHE_MAX_STALE_MS: '60000' });
    expect(await servicesSeenBy(t, token)).toEqual(['before.test']);
    expect(await servicesSeenBy(t, token)).toEqual(['before.test']);
    await twin.app.db.kysely
      .updateTable('services')
      .set({ domain: 'after.test' })
      .where('id', '=', service.id)
      .execute();
    await waitFor(async () => (await servicesSeenBy(t, token))[0] === 'after.test', {
      timeoutMs: 3_000,
      message: 'the other instance’s write reaching this instance’s services list',
    });
  });

  it('a session revoked on one instance is refused by the others', async () => {
    const { t, twin, token } = await setup({ PORTICO_CACHE_MAX_STALE_MS: '60000' });
    expect((await t.inject({ method: 'GET', url: '/api/v1/services', headers: bearer(token) })).statusCode).toBe(200);
    expect((await twin.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(
      204,
    );
    await waitFor(
      async () =>
        (await t.inject({ method: 'GET', url: '/api/v1/services', headers: bearer(token) })).statusCode === 401,
      { timeoutMs: 3_000, message: 'the logout on the other instance reaching this one' },
    );
  });

  it.runIf(onPostgres)('a write whose notification is lost is seen once the staleness bound has passed', async () => {
    const { t, service, token } = await setup({ PORTICO_CACHE_MAX_STALE_MS: '1500' });
    expect(await servicesSeenBy(t, token)).toEqual(['before.test']);
    await writeUnannounced(t, 'update services set domain = $1 where id = $2', ['after.test', service.id]);
    // Answered from memory: the write was not announced.
    expect(await servicesSeenBy(t, token)).toEqual(['before.test']);
    await waitFor(async () => (await servicesSeenBy(t, token))[0] === 'after.test', {
      timeoutMs: 6_000,
      message: 'the unannounced write showing once the cached answer is 1.5 s old',
    });
  });

  it.runIf(onPostgres)(
    'while the listening connection is down, reads go to the database; then caching resumes',
    async () => {
      const { t, twin, service, token } = await setup({ PORTICO_CACHE_MAX_STALE_MS: '60000' });
      expect(await servicesSeenBy(t, token)).toEqual(['before.test']);
      const admin = new pg.Client({ connectionString: t.db.databaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query<{ pid: number }>(
          `select pid, pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and query ilike 'LISTEN%' and pid <> pg_backend_pid()`,
        );
        expect(killed.rowCount).toBeGreaterThanOrEqual(1);
        const killedPids = killed.rows.map((r) => r.pid);
        // The instances notice the broken connection; until they listen again nothing is cached, so
        // even a write nobody announces is seen.
        await writeUnannounced(t, 'update services set domain = $1 where id = $2', ['during.test', service.id]);
        await waitFor(async () => (await servicesSeenBy(t, token))[0] === 'during.test', {
          timeoutMs: 3_000,
          message: 'a read going to the database while the listener is down',
        });
        // Listening again (a new LISTEN connection), announced writes are seen as before.
        await waitFor(
          async () =>
            (
              await admin.query(
                `select 1 from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'
               and not (pid = any($1::int[]))`,
                [killedPids],
              )
            ).rowCount === killedPids.length,
          { message: 'listening again on a new connection' },
        );
        // Cached again: once read, a write nobody announces is not seen.
        const cached = await servicesSeenBy(t, token);
        await writeUnannounced(t, 'update services set domain = $1 where id = $2', ['unseen.test', service.id]);
        expect(await servicesSeenBy(t, token)).toEqual(cached);
        await twin.app.db.kysely
          .updateTable('services')
          .set({ domain: 'after.test' })
          .where('id', '=', service.id)
          .execute();
        await waitFor(async () => (await servicesSeenBy(t, token))[0] === 'after.test', {
          timeoutMs: 3_000,
          message: 'an announced write after the reconnect',
        });
      } finally {
        await admin.end();
      }
    },
  );
});
