import { describe, expect, it } from 'vitest';
import {
  appendEntry,
  type CapturedRequest,
  decodeEntries,
  type EntryBatch,
  ResponseDedup,
} from '../../src/requestlog/entry.js';

const base: CapturedRequest = {
  at_ms: 1_764_000_000_123,
  method: 'POST',
  operation_id: 'login',
  path: '/api/v1/auth/login',
  query: 'a=1&b=:-~',
  status: 401,
  duration_ms: 12,
  ip: '2001:db8::1',
  client_id: null,
  request_id: 'req-1',
  request_body: { email: 'ü@example.test', note: '12:ab-~\n😀' },
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

describe('request log hand-over between threads', () => {
  it('round-trips every field, whatever characters the values hold', () => {
    const second: CapturedRequest = {
      ...base,
      operation_id: null,
      client_id: 'cli_1',
      query: '',
      request_body: undefined,
      response_body: undefined,
      request_headers: {},
    };
    const batch: EntryBatch = [];
    appendEntry(batch, base, base.response_body);
    appendEntry(batch, second, null);
    // As the log's thread receives it: a structured clone.
    const [first, next] = decodeEntries(structuredClone(batch));
    expect(first).toEqual({
      ...base,
      request_body: JSON.stringify(base.request_body),
      request_headers: {
        authorization: 'Bearer',
        'user-agent': 'curl/8',
        'x-forwarded-for': '203.0.113.1, 198.51.100.2',
        cookie: '',
        'x-api-key': '',
      },
    });
    expect(next).toEqual({ ...second, request_body: null, response_body: null, request_headers: {} });
  });

  it('never lets a credential cross to the log thread', () => {
    const batch: EntryBatch = [];
    appendEntry(batch, base, base.response_body);
    const handedOver = JSON.stringify(batch);
    for (const secret of ['eyJ.secret.sig', 'sid=secret', 'ptk_secret', 'not kept'])
      expect(handedOver).not.toContain(secret);
  });

  it('hands a repeated response over once per batch, and the log thread puts it back', () => {
    const sender = new ResponseDedup();
    const entries = [base, base, { ...base, client_id: 'cli_other' }, base];
    const batch: EntryBatch = [];
    for (const e of entries) appendEntry(batch, e, sender.compress(e));
    const decoded = decodeEntries(structuredClone(batch));
    expect(decoded.map((e) => e.response_body)).toEqual([base.response_body, null, base.response_body, null]);
    const receiver = new ResponseDedup();
    expect(decoded.map((e) => receiver.redactedResponse(e))).toEqual(entries.map(() => base.response_body));
  });
});
