import { KEEP_HEADERS, keptHeader } from './redact.js';

/**
 * One request as the log hooks capture it. Its fields are appended at once to the batch that goes
 * to the request log's thread (writer.ts); redaction and storage happen there (segment.ts).
 */
export interface CapturedRequest {
  /** When it was answered. */
  at_ms: number;
  method: string;
  operation_id: string | null;
  path: string;
  query: string;
  status: number;
  duration_ms: number;
  ip: string;
  client_id: string | null;
  request_id: string;
  /** The parsed JSON body, as the route saw it (undefined when there was none). */
  request_body: unknown;
  /** The response body as sent (undefined when it was not text). */
  response_body: string | undefined;
  /**
   * The request's headers as received. Only KEEP_HEADERS are taken, and credentials are cut down
   * to what the log stores of them while the entry is appended, on the request thread: secrets
   * never reach the log's thread.
   */
  request_headers: Record<string, string | string[] | undefined>;
}

/**
 * Entries cross to the log's thread as one flat array per batch: each entry's fields pushed one
 * after the other (FIELDS_PER_ENTRY of them), primitives only. Pushing them costs the request
 * thread almost nothing, and the structured clone of an array of primitives is a straight copy
 * (encoding each entry as JSON instead cost the request thread about three times as much under
 * load, ADR 0006). Within a batch, a text field equal to the previous entry's is handed over as
 * AS_BEFORE (a script's requests repeat their method, route, IP, client and headers), and a
 * response body equal to the last one of the same route and client as `null`: copying a small
 * number costs less than copying the text again.
 */
export type EntryBatch = (string | number | null | undefined)[];

/** Positions in an entry. */
export const F = {
  at: 0,
  status: 1,
  duration: 2,
  method: 3,
  operation: 4,
  path: 5,
  query: 6,
  ip: 7,
  client: 8,
  requestId: 9,
  requestBody: 10,
  response: 11,
  /** The KEEP_HEADERS values, in that order, follow. */
  headers: 12,
} as const;
export const FIELDS_PER_ENTRY = F.headers + KEEP_HEADERS.length;
/** Stands for "the same as the previous entry's" at the text positions (never a number otherwise). */
const AS_BEFORE = 0;
/** The positions that can be handed over as AS_BEFORE. */
export const REPEATABLE = [
  F.method,
  F.operation,
  F.path,
  F.query,
  F.ip,
  F.client,
  ...KEEP_HEADERS.map((_, i) => F.headers + i),
];

/** Builds one batch on the request thread (a new one for each hand-over). */
export class BatchEncoder {
  readonly batch: EntryBatch = [];
  count = 0;
  private readonly previous: EntryBatch = [];
  private readonly responses = new Map<string, string>();
  /** The last response handed over or repeated, with its route and client. */
  private last: { body: string; operation: string | null; client: string | null } | undefined;

  append(entry: CapturedRequest): void {
    const { batch, previous } = this;
    const start = batch.length;
    batch.push(
      entry.at_ms,
      entry.status,
      entry.duration_ms,
      entry.method,
      entry.operation_id,
      entry.path,
      entry.query,
      entry.ip,
      entry.client_id,
      entry.request_id,
      entry.request_body === undefined ? null : JSON.stringify(entry.request_body),
      this.response(entry),
    );
    for (const name of KEEP_HEADERS) batch.push(keptHeader(name, entry.request_headers[name]));
    if (this.count > 0) {
      for (const at of REPEATABLE) {
        const value = batch[start + at];
        if (value === previous[at]) batch[start + at] = AS_BEFORE;
        else previous[at] = value;
      }
    } else for (const at of REPEATABLE) previous[at] = batch[start + at];
    this.count += 1;
  }

  /** The response body to hand over: `null` when it repeats the last one of this route and client. */
  private response(entry: CapturedRequest): string | null | undefined {
    const body = entry.response_body;
    if (typeof body !== 'string') return body;
    const { last } = this;
    // A script repeating one call: the same route, client and answer as the entry before.
    if (last && body === last.body && entry.operation_id === last.operation && entry.client_id === last.client)
      return null;
    const key = `${entry.operation_id} ${entry.client_id}`;
    this.last = { body, operation: entry.operation_id, client: entry.client_id };
    if (this.responses.get(key) === body) return null;
    this.responses.set(key, body);
    return body;
  }
}
