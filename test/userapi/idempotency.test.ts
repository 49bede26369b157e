import { randomBytes } from 'node:crypto';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.js';
import { SecretBox } from '../../src/platform/crypto/secretbox.js';
import { sha256Hex } from '../../src/platform/crypto/tokens.js';
import { type Db, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { migrations } from '../../src/platform/db/migrations/index.js';
import { AppError } from '../../src/platform/http/errors.js';
import { withIdempotency } from '../../src/userapi/idempotency.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { newClient } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';

/** The Idempotency-Key record, driven directly so the first request can be held mid-flight. */
describe('Idempotency-Key while the first request is still running', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('answers 409 to a retry during the first request, then replays its response', async () => {
    const me = await newClient(t.app);
    const input = { clientId: me.row.id, key: 'pay-inv-1', method: 'POST', path: '/api/v1/x', body: { a: 1 } };
    let finish: (value: { status: number; body: unknown }) => void = () => {};
    let runs = 0;
    const first = withIdempotency(t.app, input, () => {
      runs += 1;
      return new Promise((resolve) => {
        finish = resolve;
      });
    });
    // The first request has claimed the key once its handler runs.
    await waitFor(() => runs === 1, { message: 'the first request running' });
    const retry = withIdempotency(t.app, input, async () => {
      runs += 1;
      return { status: 201, body: { paid: 'twice' } };
    });
    const refused = await retry.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('conflict');
    expect((refused as AppError).status).toBe(409);
    expect((refused as AppError).message).toMatch(/still being processed; retry in a moment/);
    expect((refused as AppError).options.headers).toEqual({ 'retry-after': '1' });

    finish({ status: 201, body: { paid: 'once' } });
    expect(await first).toEqual({ status: 201, body: { paid: 'once' }, replayed: false });
    const replay = await withIdempotency(t.app, input, async () => {
      runs += 1;
      return { status: 201, body: { paid: 'twice' } };
    });
    expect(replay).toEqual({ status: 201, body: { paid: 'once' }, replayed: true });
    expect(runs).toBe(1);
  });
});

describe('Idempotency-Key on POST /tokens, and what it keeps at rest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('a retried token creation gets the same token, which the stored row does not hold in clear', async () => {
    const me = await newClient(t.app);
    const create = () =>
      t.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: me.basic, 'idempotency-key': 'make-ci-token-1' },
        payload: { name: 'ci', scope: 'write' },
      });
    const first = await create();
    expect(first.statusCode).toBe(201);
    const replay = await create();
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const tokens = await t.inject({ method: 'GET', url: '/api/v1/tokens', headers: { authorization: me.basic } });
    expect(tokens.json().items.filter((tk: { name: string }) => tk.name === 'ci')).toHaveLength(1);

    const rows = await t.app.db.kysely
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('client_id', '=', me.row.id)
      .execute();
    expect(rows).toHaveLength(1);
    const secret = first.json().token.split('_').slice(2).join('_');
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]!.response_body).toMatch(/^v1:/);
  });
});

describe('upgrading stored secrets (migration 0012)', () => {
  let database: TestDatabase;
  let db: Db;
  const box = new SecretBox(randomBytes(32));
  const response = { operation_id: 'job_01JOLD', database: 'u1_shop', user: 'u1_shop', password: 'Dplain-text-pass' };
  const request = {
    clientId: 'cli_old',
    key: 'db-1',
    method: 'POST',
    path: '/api/v1/services/svc_old/databases',
    body: { name: 'shop', user: 'shop' },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openDatabase({ databaseUrl: database.databaseUrl, sqlitePath: database.sqlitePath });
    const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo('0009_request_log_segments');
    if (error) throw error;
    // biome-ignore lint/suspicious/noExplicitAny: the tables as 0009 left them, not as today's schema types say
    const old = db.kysely as any;
    const now = Date.now();
    await old
      .insertInto('idempotency_keys')
      .values([
        {
          client_id: 'cli_old',
          key: 'db-1',
          // As the version before 0012 stored it: the request's hash, the response in clear.
          request_hash: sha256Hex(`${request.method} ${request.path}\n${JSON.stringify(request.body)}`),
          response_status: 202,
          response_body: JSON.stringify(response),
          created_at_ms: now,
        },
        // Still running when the upgrade came: nothing to seal.
        {
          client_id: 'cli_old',
          key: 'db-2',
          request_hash: 'h2',
          response_status: null,
          response_body: null,
          created_at_ms: now,
        },
      ])
      .execute();
    await old
      .insertInto('admins')
      .values({
        id: 'adm_old',
        email: 'ops@example.test',
        name: 'Ops',
        password_hash: 'x',
        created_at_ms: now,
        updated_at_ms: now,
      })
      .execute();
    await old
      .insertInto('admin_sessions')
      .values({
        id: 'ses_old',
        admin_id: 'adm_old',
        token_hash: 'hash-of-cookie',
        csrf_token: 'plain-csrf-token',
        ip: '127.0.0.1',
        created_at_ms: now,
        expires_at_ms: now + 3600_000,
      })
      .execute();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('refuses to run without the master key when there are responses to seal', async () => {
    await expect(migrateToLatest(db)).rejects.toThrow(/needs the master key/);
  });

  it('seals stored responses and drops stored CSRF tokens; replays still answer the original', async () => {
    expect(await migrateToLatest(db, { secrets: () => box })).toContain('0012_secrets_at_rest');
    const raw = JSON.stringify(await db.kysely.selectFrom('idempotency_keys').selectAll().execute());
    expect(raw).not.toContain('Dplain-text-pass');
    const sessions = JSON.stringify(await db.kysely.selectFrom('admin_sessions').selectAll().execute());
    expect(sessions).not.toContain('plain-csrf-token');
    expect(sessions).toContain('ses_old');

    const replay = await withIdempotency({ db, clock: systemClock, secrets: () => box }, request, async () => {
      throw new Error('a replay must not run the request again');
    });
    expect(replay).toEqual({ status: 202, body: response, replayed: true });
  });
});
