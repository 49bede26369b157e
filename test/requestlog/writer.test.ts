import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import type { CapturedRequest } from '../../src/requestlog/entry.js';
import { getEntry, pruneLog } from '../../src/requestlog/search.js';
import { RequestLogWriter } from '../../src/requestlog/writer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { captureLogs } from '../helpers/logs.js';

function captured(overrides: Partial<CapturedRequest> = {}): CapturedRequest {
  const now = Date.now();
  return {
    at_ms: now,
    method: 'POST',
    operation_id: 'login',
    path: '/api/v1/auth/login',
    query: '',
    status: 200,
    duration_ms: 3,
    ip: '127.0.0.1',
    client_id: null,
    request_id: newId('request', now),
    request_body: { email: 'a@example.test', password: 'hunter2-secret' },
    response_body: '{"access_token":"eyJ.secret.sig","token_type":"Bearer"}',
    request_headers: { authorization: 'Basic ZGVtbzpodW50ZXIy', 'user-agent': 'curl/8', cookie: 'sid=abc' },
    ...overrides,
  };
}

describe('request log writer (its own thread)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes every entry, redacted, and flush waits until they are stored', async () => {
    const { logger } = captureLogs('warn');
    const writer = new RequestLogWriter({ databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath }, logger);
    const entries = Array.from({ length: 150 }, () => captured());
    for (const entry of entries) writer.push(entry);
    await writer.flush();
    const rows = await t.app.db.kysely
      .selectFrom('request_log')
      .selectAll()
      .where(
        'request_id',
        'in',
        entries.map((e) => e.request_id),
      )
      .execute();
    expect(rows).toHaveLength(150);
    const row = await getEntry(t.app, rows[0]!.id);
    expect(row.request_body).toContain('[REDACTED]');
    expect(row.request_body).not.toContain('hunter2-secret');
    expect(row.response_body).toContain('"token_type":"Bearer"');
    expect(row.response_body).not.toContain('eyJ.secret.sig');
    expect(row.request_headers).toEqual({
      authorization: 'Basic [REDACTED]',
      'user-agent': 'curl/8',
      cookie: '[REDACTED]',
    });
    expect(writer.dropped).toBe(0);
    await writer.close();
  });

  it('shows a repeated response in full in each entry, and stores it once', async () => {
    const { logger } = captureLogs('warn');
    const writer = new RequestLogWriter({ databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath }, logger);
    const list = '{"items":[{"id":"svc_1","domain":"a.test"}],"next_cursor":null}';
    const secret = '{"token":"ptk_secret_value","id":"tok_1"}';
    const sequence = [
      captured({ operation_id: 'listServices', client_id: 'cli_a', response_body: list }),
      captured({ operation_id: 'listServices', client_id: 'cli_a', response_body: list }),
      captured({ operation_id: 'listServices', client_id: 'cli_b', response_body: '{"items":[]}' }),
      captured({ operation_id: 'createToken', client_id: 'cli_a', response_body: secret }),
      captured({ operation_id: 'createToken', client_id: 'cli_a', response_body: secret }),
      captured({ operation_id: 'listServices', client_id: 'cli_a', response_body: list }),
      captured({ operation_id: 'listServices', client_id: 'cli_a', response_body: undefined }),
    ];
    for (const entry of sequence) writer.push(entry);
    await writer.flush();
    const rows = await t.app.db.kysely
      .selectFrom('request_log')
      .select(['id', 'request_id', 'response_body_hash'])
      .where(
        'request_id',
        'in',
        sequence.map((e) => e.request_id),
      )
      .execute();
    const byRequest = new Map(rows.map((r) => [r.request_id, r]));
    const shown = await Promise.all(
      sequence.map(async (e) => (await getEntry(t.app, byRequest.get(e.request_id)!.id)).response_body),
    );
    expect(shown).toEqual([
      list,
      list,
      '{"items":[]}',
      '{"token":"[REDACTED]","id":"tok_1"}',
      '{"token":"[REDACTED]","id":"tok_1"}',
      list,
      null,
    ]);
    // Three distinct bodies, each stored once: the repeats point at the same stored body.
    const hashes = sequence.map((e) => byRequest.get(e.request_id)!.response_body_hash);
    expect(new Set(hashes.filter((h) => h !== null)).size).toBe(3);
    expect(hashes[0]).toBe(hashes[5]);
    const stored = await t.app.db.kysely
      .selectFrom('request_log_body')
      .select('body')
      .where(
        'hash',
        'in',
        hashes.filter((h): h is string => h !== null),
      )
      .execute();
    expect(stored.map((b) => b.body).sort()).toEqual(
      [list, '{"items":[]}', '{"token":"[REDACTED]","id":"tok_1"}'].sort(),
    );
    await writer.close();
  });

  it('retention removes a stored body with the last entry that showed it', async () => {
    const { logger } = captureLogs('warn');
    const writer = new RequestLogWriter({ databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath }, logger);
    const old = Date.now() - 40 * 86_400_000;
    const shared = `{"items":["shared-${newId('request')}"]}`;
    const onlyOld = `{"items":["only-old-${newId('request')}"]}`;
    const sequence = [
      captured({ at_ms: old, client_id: 'cli_old', response_body: shared }),
      captured({ at_ms: old, client_id: 'cli_old2', response_body: onlyOld }),
      captured({ client_id: 'cli_new', response_body: shared }),
    ];
    for (const entry of sequence) writer.push(entry);
    await writer.close();
    const bodies = () =>
      t.app.db.kysely
        .selectFrom('request_log_body')
        .select('body')
        .where('body', 'in', [shared, onlyOld])
        .execute()
        .then((rows) => rows.map((r) => r.body).sort());
    expect(await bodies()).toEqual([onlyOld, shared].sort());
    expect(await pruneLog(t.app)).toBeGreaterThanOrEqual(2);
    expect(await bodies()).toEqual([shared]);
    const recent = await t.app.db.kysely
      .selectFrom('request_log')
      .select('id')
      .where('request_id', '=', sequence[2]!.request_id)
      .executeTakeFirstOrThrow();
    expect((await getEntry(t.app, recent.id)).response_body).toBe(shared);
  });

  it('still shows the bodies of entries written before bodies were stored once', async () => {
    const id = newId('log');
    await t.app.db.kysely
      .insertInto('request_log')
      .values({
        id,
        at_ms: Date.now(),
        method: 'POST',
        operation_id: 'login',
        path: '/api/v1/auth/login',
        status: 401,
        duration_ms: 2,
        ip: '127.0.0.1',
        client_id: null,
        request_id: newId('request'),
        request_body: '{"email":"a@example.test","password":"[REDACTED]"}',
        response_body: '{"title":"Wrong email or password"}',
        query: null,
        request_headers: null,
        request_body_hash: null,
        response_body_hash: null,
      })
      .execute();
    const entry = await getEntry(t.app, id);
    expect(entry.request_body).toBe('{"email":"a@example.test","password":"[REDACTED]"}');
    expect(entry.response_body).toBe('{"title":"Wrong email or password"}');
  });

  it('drops, counts and reports rows it cannot write, without throwing', async () => {
    // A database without the request_log table: every write fails.
    const path = join(mkdtempSync(join(tmpdir(), 'portico-log-')), 'empty.sqlite');
    new SQLite(path).close();
    const { logger, lines } = captureLogs('warn');
    const writer = new RequestLogWriter({ sqlitePath: path }, logger);
    for (let i = 0; i < 5; i++) writer.push(captured());
    await writer.flush();
    expect(writer.dropped).toBe(5);
    expect(lines.join('')).toMatch(/request log write failed; rows dropped/);
    expect(lines.join('')).toMatch(/no such table: request_log/);
    // It keeps working: later entries are tried again (and counted again).
    writer.push(captured());
    await writer.flush();
    expect(writer.dropped).toBe(6);
    await writer.close();
  });

  it('caps what waits in memory, and counts what it refused', async () => {
    const { logger } = captureLogs('warn');
    const writer = new RequestLogWriter({ databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath }, logger, {
      maxBuffer: 3,
    });
    const entries = Array.from({ length: 5 }, () => captured());
    for (const entry of entries) writer.push(entry);
    expect(writer.dropped).toBe(2);
    await writer.flush();
    const stored = await t.app.db.kysely
      .selectFrom('request_log')
      .select('request_id')
      .where(
        'request_id',
        'in',
        entries.map((e) => e.request_id),
      )
      .execute();
    expect(stored.map((r) => r.request_id).sort()).toEqual(
      entries
        .slice(0, 3)
        .map((e) => e.request_id)
        .sort(),
    );
    await writer.close();
  });

  it('writes what is still waiting when it is closed, then refuses more', async () => {
    const { logger } = captureLogs('warn');
    const writer = new RequestLogWriter({ databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath }, logger);
    const entry = captured();
    writer.push(entry);
    await writer.close();
    const stored = await t.app.db.kysely
      .selectFrom('request_log')
      .select('id')
      .where('request_id', '=', entry.request_id)
      .execute();
    expect(stored).toHaveLength(1);
    writer.push(captured());
    expect(writer.dropped).toBe(1);
  });
});
