import { describe, expect, it } from 'vitest';
import { BatchEncoder, type CapturedRequest, FIELDS_PER_ENTRY } from '../../src/requestlog/entry.js';
import { decodeSegment, type StoredEntry, storedSegments } from '../../src/requestlog/segment.js';

const base: CapturedRequest = {
  at_ms: 1_764_000_000_123,
  method: 'POST',
  operation_id: 'login',
  path: '/api/v1/auth/login',
  query: 'a=1&b=:-~&token=qs-secret',
  status: 401,
  duration_ms: 12,
  ip: '2001:db8::1',
  client_id: null,
  request_id: 'req-1',
  request_body: { email: 'ü@example.test', note: '12:ab-~\n😀', password: 'pw-secret' },
  response_body: '{"title":"Wrong password: try again 😀"}',
  request_headers: {
    authorization: 'Bearer eyJ.secret.sig',
    'user-agent': 'curl/8',
    'x-forwarded-for': ['203.0.113.1', '198.51.100.2'],
    cookie: 'sid=secret',
    'x-api-key': 'ptk_secret',
    'x-other': 'not kept',
  },
};

/** What the log stores of `base`: secrets redacted, the kept headers only. */
const storedBase = {
  at_ms: base.at_ms,
  method: 'POST',
  operation_id: 'login',
  path: '/api/v1/auth/login',
  query: 'a=1&b=%3A-%7E&token=[REDACTED]',
  status: 401,
  duration_ms: 12,
  ip: '2001:db8::1',
  client_id: null,
  request_id: 'req-1',
  request_body: '{"email":"ü@example.test","note":"12:ab-~\\n😀","password":"[REDACTED]"}',
  response_body: base.response_body,
  request_headers: {
    authorization: 'Bearer [REDACTED]',
    'user-agent': 'curl/8',
    'x-forwarded-for': '203.0.113.1, 198.51.100.2',
    cookie: '[REDACTED]',
    'x-api-key': '[REDACTED]',
  },
};

/** Hands the batches over as the writer does (a structured clone each), and reads back what is stored. */
function throughTheLog(...batches: CapturedRequest[][]) {
  const handedOver = batches.map((entries) => {
    const encoder = new BatchEncoder();
    for (const entry of entries) encoder.append(entry);
    return structuredClone(encoder.batch);
  });
  const { segments, bodies } = storedSegments(handedOver);
  const bodyOf = new Map([...bodies].map((b) => [b.hash, b.body]));
  return segments.flatMap((s) =>
    decodeSegment(s.entries).map((e: StoredEntry) => ({
      at_ms: e[0],
      method: e[1],
      operation_id: e[2],
      path: e[3],
      query: e[4],
      status: e[5],
      duration_ms: e[6],
      ip: e[7],
      client_id: e[8],
      request_id: e[9],
      request_body: e[10] === null ? null : bodyOf.get(e[10]),
      response_body: e[11] === null ? null : bodyOf.get(e[11]),
      request_headers: JSON.parse(e[12]),
    })),
  );
}

describe('request log hand-over between threads, and what is stored', () => {
  it('stores every field, redacted, whatever characters the values hold', () => {
    const other: CapturedRequest = {
      ...base,
      method: 'GET',
      operation_id: null,
      path: '/api/v1/nope',
      client_id: 'cli_1',
      query: '',
      request_id: 'req-2',
      request_body: undefined,
      response_body: undefined,
      request_headers: {},
    };
    expect(throughTheLog([base, other])).toEqual([
      storedBase,
      {
        ...storedBase,
        method: 'GET',
        operation_id: null,
        path: '/api/v1/nope',
        client_id: 'cli_1',
        query: null,
        request_id: 'req-2',
        request_body: null,
        response_body: null,
        request_headers: {},
      },
    ]);
  });

  it('hands over only what changed from the previous entry, and stores each entry whole', () => {
    const repeat = (i: number, changes: Partial<CapturedRequest> = {}) => ({
      ...base,
      request_id: `req-${i}`,
      ...changes,
    });
    const sequence = [
      repeat(1),
      repeat(2),
      repeat(3, { ip: '198.51.100.9', request_headers: { 'user-agent': 'other/1' } }),
      repeat(4),
      repeat(5, { query: '' }),
    ];
    const encoder = new BatchEncoder();
    for (const entry of sequence) encoder.append(entry);
    const second = JSON.stringify(encoder.batch.slice(FIELDS_PER_ENTRY, 2 * FIELDS_PER_ENTRY));
    expect(second).toContain('req-2');
    for (const repeated of ['/api/v1/auth/login', '2001:db8::1', 'curl/8', 'token=', 'Wrong password'])
      expect(second).not.toContain(repeated);
    const other = { ...storedBase.request_headers };
    expect(throughTheLog(sequence)).toEqual([
      { ...storedBase, request_id: 'req-1' },
      { ...storedBase, request_id: 'req-2' },
      { ...storedBase, request_id: 'req-3', ip: '198.51.100.9', request_headers: { 'user-agent': 'other/1' } },
      { ...storedBase, request_id: 'req-4', request_headers: other },
      { ...storedBase, request_id: 'req-5', query: null },
    ]);
  });

  it('never lets a credential cross to the log thread', () => {
    const encoder = new BatchEncoder();
    encoder.append(base);
    const handedOver = JSON.stringify(encoder.batch);
    for (const secret of ['eyJ.secret.sig', 'sid=secret', 'ptk_secret', 'not kept'])
      expect(handedOver).not.toContain(secret);
  });

  it('shows a repeated response in every entry, across routes, clients and batches', () => {
    const answer = (client_id: string, response_body: string | undefined, i: number) => ({
      ...base,
      client_id,
      response_body,
      request_id: `req-${i}`,
    });
    const first = [
      answer('cli_a', '{"n":1}', 1),
      answer('cli_a', '{"n":1}', 2),
      answer('cli_b', '{"n":1}', 3),
      answer('cli_a', undefined, 4),
      answer('cli_a', '{"n":1}', 5),
    ];
    const second = [answer('cli_b', '{"n":1}', 6), answer('cli_b', '{"n":2}', 7)];
    expect(throughTheLog(first, second).map((e) => e.response_body)).toEqual([
      '{"n":1}',
      '{"n":1}',
      '{"n":1}',
      null,
      '{"n":1}',
      '{"n":1}',
      '{"n":2}',
    ]);
  });
});
