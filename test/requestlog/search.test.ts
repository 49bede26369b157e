import { beforeAll, describe, expect, it } from 'vitest';
import type { CapturedRequest } from '../../src/requestlog/entry.js';
import { getEntry, type LogFilter, searchLog } from '../../src/requestlog/search.js';
import { RequestLogWriter } from '../../src/requestlog/writer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { captureLogs } from '../helpers/logs.js';

/**
 * The log is stored a segment per row: these check that searching finds exactly the entries an
 * admin asks for, in order, across many segments, whatever the filter values look like.
 */
const CLIENTS = ['cli_a', 'cli_b', 'cli%', 'cliXa', null] as const;
const IPS = ['10.0.0.1', '10.0.0.10', '2001:db8::1'];
const ROUTES = [
  ['listServices', '/api/v1/services'],
  ['getService', '/api/v1/services/svc_1'],
  ['getService', '/api/v1/cloud/svc_1'],
  [null, '/api/v1/nope'],
] as const;
const STATUSES = [200, 201, 404, 429];
const COUNT = 1_300;
const START_MS = Date.now() - 3_600_000;

const entries: CapturedRequest[] = Array.from({ length: COUNT }, (_, i) => {
  const [operation_id, path] = ROUTES[i % ROUTES.length]!;
  return {
    // 10 ms apart: 13 s in all, so the entries fill many segments (each spans at most a second).
    at_ms: START_MS + i * 10,
    method: 'GET',
    operation_id,
    path,
    query: '',
    status: STATUSES[(i * 7) % STATUSES.length]!,
    duration_ms: i % 50,
    ip: IPS[i % IPS.length]!,
    client_id: CLIENTS[(i * 3) % CLIENTS.length]!,
    request_id: `req-${i}`,
    request_body: undefined,
    response_body: `{"n":${i % 3}}`,
    request_headers: { 'user-agent': 'script/1' },
  };
});

/** What a search must return: the matching entries, newest first. */
function expected(filter: LogFilter): string[] {
  return entries
    .filter(
      (e) =>
        (!filter.clientId || e.client_id === filter.clientId) &&
        (!filter.route || e.operation_id === filter.route || e.path === filter.route) &&
        (filter.status === undefined || e.status === filter.status) &&
        (!filter.ip || e.ip === filter.ip) &&
        (filter.sinceMs === undefined || e.at_ms >= filter.sinceMs) &&
        (filter.untilMs === undefined || e.at_ms <= filter.untilMs),
    )
    .map((e) => e.request_id)
    .reverse();
}

describe('request log search', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    const writer = new RequestLogWriter(
      { databaseUrl: t.db.databaseUrl, sqlitePath: t.db.sqlitePath },
      captureLogs('warn').logger,
    );
    for (const entry of entries) writer.push(entry);
    await writer.close();
    expect(writer.dropped).toBe(0);
  });

  it('stores the entries in many segments and lists them newest first', async () => {
    const segments = await t.app.db.kysely.selectFrom('request_log_segment').select('id').execute();
    expect(segments.length).toBeGreaterThanOrEqual(13);
    const listed = await searchLog(t.app, { limit: 1000 });
    expect(listed.map((e) => e.request_id)).toEqual(expected({}).slice(0, 1000));
    const ids = listed.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('pages through every entry with `before`, none twice, none missed', async () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await searchLog(t.app, { limit: 97, beforeId: before });
      seen.push(...page.map((e) => e.request_id));
      if (page.length < 97) break;
      before = page.at(-1)!.id;
    }
    expect(seen).toEqual(expected({}));
  });

  it.each<[string, LogFilter]>([
    ['a client', { clientId: 'cli_a' }],
    ['a client id holding LIKE wildcards', { clientId: 'cli%' }],
    ['an IP that prefixes another', { ip: '10.0.0.1' }],
    ['an IPv6 address', { ip: '2001:db8::1' }],
    ['a route by operation id (an alias included)', { route: 'getService' }],
    ['a route by the path called', { route: '/api/v1/cloud/svc_1' }],
    ['a route in the wrong case (no match)', { route: 'listservices' }],
    ['a status', { status: 404 }],
    ['a time range', { sinceMs: START_MS + 2_005, untilMs: START_MS + 4_500 }],
    ['everything at once', { clientId: 'cli_b', ip: '10.0.0.10', status: 200, sinceMs: START_MS + 1_000 }],
  ])('finds exactly the entries of %s', async (_, filter) => {
    const found = await searchLog(t.app, { ...filter, limit: 1000 });
    expect(found.map((e) => e.request_id)).toEqual(expected(filter));
  });

  it('opens any listed entry in full', async () => {
    const [newest] = await searchLog(t.app, { limit: 1 });
    const full = await getEntry(t.app, newest!.id);
    const last = entries.at(-1)!;
    expect(full).toMatchObject({
      request_id: last.request_id,
      at: new Date(last.at_ms).toISOString(),
      route: last.operation_id,
      path: last.path,
      status: last.status,
      ip: last.ip,
      client_id: last.client_id,
      response_body: last.response_body,
      request_headers: { 'user-agent': 'script/1' },
    });
    await expect(getEntry(t.app, `${newest!.id.slice(0, -4)}9999`)).rejects.toThrow(/No log entry/);
  });
});
