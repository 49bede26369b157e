import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { type Db, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { migrations } from '../../src/platform/db/migrations/index.js';
import { getEntry, pruneLog, searchLog } from '../../src/requestlog/search.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

/** An upgrade keeps every entry logged before the log was stored in segments (migration 0009). */
describe('request log entries logged before segments', () => {
  let database: TestDatabase;
  let db: Db;
  const now = Date.now();
  const row = (i: number, overrides: Record<string, unknown> = {}) => ({
    id: `log_01JOLD${String(i).padStart(20, '0')}`,
    at_ms: now - 60_000 + i,
    method: 'GET',
    operation_id: 'listServices',
    path: '/api/v1/services',
    status: 200,
    duration_ms: 1,
    ip: '127.0.0.1',
    client_id: 'cli_old',
    request_id: `old-${i}`,
    request_body: null,
    response_body: null,
    query: null,
    request_headers: null,
    request_body_hash: null,
    response_body_hash: null,
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openDatabase({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath });
    const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo('0008_request_log_bodies');
    if (error) throw error;
    // biome-ignore lint/suspicious/noExplicitAny: the request_log table of 0008 is gone from today's schema types
    const old = db.kysely as any;
    await old
      .insertInto('request_log_body')
      .values({ hash: 'hash-of-a-list', body: '{"items":[]}', last_at_ms: now - 50_000 })
      .execute();
    await old
      .insertInto('request_log')
      .values([
        // Before 0008: bodies inline.
        row(0, {
          method: 'POST',
          operation_id: 'login',
          path: '/api/v1/auth/login',
          status: 401,
          request_body: '{"email":"a@example.test","password":"[REDACTED]"}',
          response_body: '{"title":"Wrong email or password"}',
        }),
        // Since 0008: bodies by hash, headers and query kept.
        row(1, {
          response_body_hash: 'hash-of-a-list',
          query: 'limit=5',
          request_headers: '{"authorization":"Basic [REDACTED]"}',
        }),
        // Past the retention period.
        row(2, { at_ms: now - 40 * 86_400_000, request_id: 'old-expired' }),
        ...Array.from({ length: 600 }, (_, i) => row(3 + i)),
      ])
      .execute();
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('finds every entry, in its old order', async () => {
    const all = await searchLog({ db }, { limit: 1000 });
    expect(all.map((e) => e.request_id)).toEqual(
      ['old-0', 'old-1', 'old-expired', ...Array.from({ length: 600 }, (_, i) => `old-${3 + i}`)].reverse(),
    );
    expect(await searchLog({ db }, { clientId: 'cli_old', status: 401, limit: 10 })).toHaveLength(1);
  });

  it('shows their bodies, headers and query, inline or stored once', async () => {
    const [login] = await searchLog({ db }, { route: 'login' });
    expect(await getEntry({ db }, login!.id)).toMatchObject({
      method: 'POST',
      status: 401,
      request_body: '{"email":"a@example.test","password":"[REDACTED]"}',
      response_body: '{"title":"Wrong email or password"}',
    });
    const withHeaders = (await searchLog({ db }, { limit: 1000 })).find((e) => e.request_id === 'old-1')!;
    expect(await getEntry({ db }, withHeaders.id)).toMatchObject({
      query: 'limit=5',
      request_headers: { authorization: 'Basic [REDACTED]' },
      response_body: '{"items":[]}',
    });
  });

  it('lets retention remove the old entries past the period', async () => {
    const app = {
      db,
      clock: { nowMs: () => Date.now() },
      settings: { snapshot: { 'userapi.log_retention_days': 14 } },
    } as unknown as Pick<AppContext, 'db' | 'clock' | 'settings'>;
    expect(await pruneLog(app)).toBe(1);
    const left = await searchLog({ db }, { limit: 1000 });
    expect(left).toHaveLength(602);
    expect(left.map((e) => e.request_id)).not.toContain('old-expired');
  });
});
