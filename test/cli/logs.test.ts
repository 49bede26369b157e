import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedRequest } from '../../src/requestlog/entry.js';
import { RequestLogWriter } from '../../src/requestlog/writer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { newClient } from '../helpers/factories.js';
import { captureLogs } from '../helpers/logs.js';

/** `portico logs search`, as an operator reads the request log from the shell. */
describe('portico logs', () => {
  let t: TestApp;
  const now = Date.now();
  const entry = (i: number, overrides: Partial<CapturedRequest> = {}): CapturedRequest => ({
    at_ms: now - 1_000 + i,
    method: 'GET',
    operation_id: 'listServices',
    path: '/api/v1/services',
    query: '',
    status: 200,
    duration_ms: 2,
    ip: '198.51.100.7',
    client_id: 'cli_scripted',
    request_id: `cli-test-${i}`,
    request_body: undefined,
    response_body: '{"items":[]}',
    request_headers: { 'user-agent': 'script/2', authorization: 'Bearer eyJ.secret' },
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.logging', 'on');
    await newClient(t.app, { id: 'cli_scripted', name: 'Scripted Ltd', email: 'ops@scripted.example' });
    const writer = new RequestLogWriter(
      { databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath },
      captureLogs('warn').logger,
    );
    for (let i = 0; i < 5; i++) writer.push(entry(i));
    writer.push(entry(5, { status: 404, path: '/api/v1/nope', operation_id: null, client_id: null }));
    await writer.close();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists entries newest first, filtered, and prints one in full by its id', async () => {
    const all = await runCli(t.db, ['logs', 'search', '--since', '1h']);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/ 404 GET +\/api\/v1\/nope 2ms 198\.51\.100\.7 - log_\w{26}\.\d{4}$/);

    const mine = await runCli(t.db, ['logs', 'search', '--client', 'cli_scripted', '--limit', '2']);
    expect(mine.stdout.trim().split('\n')).toHaveLength(2);
    expect(mine.stdout).not.toContain('/api/v1/nope');

    const id = lines[1]!.split(' ').at(-1)!;
    const shown = await runCli(t.db, ['logs', 'search', '--show', id]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id,
      request_id: 'cli-test-4',
      client_id: 'cli_scripted',
      response_body: '{"items":[]}',
      request_headers: { 'user-agent': 'script/2', authorization: 'Bearer [REDACTED]' },
    });
  });

  it("names the client by name and email, and finds a client's entries by email in any case", async () => {
    const byEmail = await runCli(t.db, ['logs', 'search', '--email', 'OPS@Scripted.example']);
    expect(byEmail.code).toBe(0);
    const lines = byEmail.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines)
      expect(line).toMatch(/ cli_scripted Scripted Ltd <ops@scripted\.example> log_\w{26}\.\d{4}$/);
    const nobody = await runCli(t.db, ['logs', 'search', '--email', 'nobody@scripted.example']);
    expect(nobody.stdout).toContain('No entries match.');
  });

  it('says so when nothing matches, and when an entry is gone', async () => {
    const none = await runCli(t.db, ['logs', 'search', '--status', '500']);
    expect(none.stdout).toContain('No entries match.');
    const gone = await runCli(t.db, ['logs', 'search', '--show', 'log_00000000000000000000000000.0000']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('No log entry log_00000000000000000000000000.0000');
  });
});
