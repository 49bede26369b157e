import type { RequestLogTable } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { KEEP_HEADERS, redactBody, redactHeaders, redactQuery } from './redact.js';

/**
 * One request as the log hooks capture it: what the request thread must copy, nothing more.
 * Redaction and storage happen on the request log's own thread (writer.ts).
 */
export interface CapturedRequest {
  /** When it was answered; the log row's id (made on the log's thread) carries this time. */
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
  /** The response body as sent; `null` when it repeats the last one of the same route and client (see ResponseDedup). */
  response_body: string | undefined | null;
  /** Only the headers the log keeps (KEEP_HEADERS), still unredacted. */
  request_headers: Record<string, string | string[]>;
}

/**
 * The headers the log keeps. Credentials are cut down here, on the request thread, to what the
 * log stores of them (the scheme of `Authorization`, nothing of a cookie or key): secrets never
 * reach the log's thread, and the copy handed over stays small.
 */
export function pickHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const name of KEEP_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    if (name === 'authorization') {
      const text = Array.isArray(value) ? (value[0] ?? '') : value;
      const space = text.indexOf(' ');
      kept[name] = space === -1 ? text : text.slice(0, space);
    } else if (name === 'cookie' || name === 'x-api-key') {
      kept[name] = '';
    } else {
      kept[name] = value;
    }
  }
  return kept;
}

/**
 * Scripts poll: the same client gets the same answer from the same route again and again. The
 * request thread hands a repeated response body over as `null` ("as last time"), which spares
 * copying it between threads; the log's thread, which sees the entries in the same order, puts
 * it back and reuses its redaction. Both sides keep one of these, and reset it together.
 */
export class ResponseDedup {
  private last = new Map<string, { body: string; redacted: string | null }>();

  /** Request thread: the body to hand over (`null` for a repeat). */
  compress(entry: CapturedRequest): void {
    const body = entry.response_body;
    if (typeof body !== 'string') return;
    const key = `${entry.operation_id} ${entry.client_id}`;
    if (this.last.get(key)?.body === body) {
      entry.response_body = null;
      return;
    }
    this.remember(key, body, null);
  }

  /** Log thread: the redacted response body of an entry, repeats resolved. */
  redactedResponse(entry: CapturedRequest): string | null {
    const key = `${entry.operation_id} ${entry.client_id}`;
    const body = entry.response_body;
    if (body === null) {
      const seen = this.last.get(key);
      if (!seen) return null;
      seen.redacted ??= redactBody(seen.body);
      return seen.redacted;
    }
    const redacted = redactBody(body);
    if (typeof body === 'string') this.remember(key, body, redacted);
    return redacted;
  }

  reset(): void {
    this.last.clear();
  }

  private remember(key: string, body: string, redacted: string | null): void {
    // The same bound on both sides keeps them in step.
    if (this.last.size >= 1000 && !this.last.has(key)) this.last.clear();
    this.last.set(key, { body, redacted });
  }
}

/** The stored row: secrets redacted, bodies capped. */
export function toLogRow(entry: CapturedRequest, dedup: ResponseDedup): RequestLogTable {
  return {
    id: newId('log', entry.at_ms),
    at_ms: entry.at_ms,
    method: entry.method,
    operation_id: entry.operation_id,
    path: entry.path,
    status: entry.status,
    duration_ms: entry.duration_ms,
    ip: entry.ip,
    client_id: entry.client_id,
    request_id: entry.request_id,
    request_body: entry.request_body === undefined ? null : redactBody(JSON.stringify(entry.request_body)),
    response_body: dedup.redactedResponse(entry),
    query: redactQuery(entry.query),
    request_headers: redactHeaders(entry.request_headers),
  };
}
