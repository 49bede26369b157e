import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import type { CapturedRequest } from '../../src/requestlog/entry.js';
import { getEntry, type LogSummary, pruneLog, searchLog } from '../../src/requestlog/search.js';
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

  /** The logged entries of these requests, as the admin's list finds them. */
  async function logged(requestIds: string[]): Promise<Map<string, LogSummary>> {
    const entries = await searchLog(t.app, { limit: 1000 });
    return new Map(entries.filter((e) => requestIds.includes(e.request_id)).map((e) => [e.request_id, e]));
  }

  it('writes every entry, redacted, and flush waits until they are stored', async () => {
    const { logger } = captureLogs('warn');
    const writer = new RequestLogWriter({ databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath }, logger);
    const entries = Array.from({ length: 150 }, () => captured());
    for (const entry of entries) writer.push(entry);
    await writer.flush();
    const rows = [...(await logged(entries.map((e) => e.request_id))).values()];
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
    const byRequest = await logged(sequence.map((e) => e.request_id));
    const shown = await Promise.all(
      sequence.map(async (e) => (await getEntry(t.app, byRequest.get(e.request_id)!.id)).response_body),
    );
    const redactedSecret = '{"token":"[REDACTED]","id":"tok_1"}';
    expect(shown).toEqual([list, list, '{"items":[]}', redactedSecret, redactedSecret, list, null]);
    // Each distinct body is stored once, apart from the entries, which only point at it.
    const stored = await t.app.db.kysely
      .selectFrom('request_log_body')
      .select('body')
      .where('body', 'in', [list, '{"items":[]}', redactedSecret])
      .execute();
    expect(stored.map((b) => b.body).sort()).toEqual([list, '{"items":[]}', redactedSecret].sort());
    const segments = await t.app.db.kysely.selectFrom('request_log_segment').select('entries').execute();
    for (const segment of segments) {
      expect(segment.entries).not.toContain('svc_1');
      expect(segment.entries).not.toContain('tok_1');
    }
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
    const recent = (await logged([sequence[2]!.request_id])).get(sequence[2]!.request_id)!;
    expect(await logged([sequence[0]!.request_id, sequence[1]!.request_id])).toEqual(new Map());
    expect((await getEntry(t.app, recent.id)).response_body).toBe(shared);
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
    const stored = await logged(entries.map((e) => e.request_id));
    expect([...stored.keys()].sort()).toEqual(
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
    expect((await logged([entry.request_id])).size).toBe(1);
    writer.push(captured());
    expect(writer.dropped).toBe(1);
  });
});
