import { createHash } from 'node:crypto';
import type { RequestLogBodyTable, RequestLogSegmentTable } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { KEEP_HEADERS, keptHeader, redactBody, redactHeaders, redactQuery } from './redact.js';

/**
 * One request as the log hooks capture it. Its fields are appended at once to the batch that goes
 * to the request log's thread (writer.ts); redaction and storage happen there.
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
  /** The response body as sent (undefined when it was not text). */
  response_body: string | undefined;
  /**
   * The request's headers as received. Only KEEP_HEADERS are taken, and credentials are cut down
   * to what the log stores of them while the entry is appended, on the request thread: secrets
   * never reach the log's thread.
   */
  request_headers: Record<string, string | string[] | undefined>;
}

/** An entry as the log's thread receives it: bodies as text, headers already cut down. */
export interface HandedOverRequest extends Omit<CapturedRequest, 'request_body' | 'response_body' | 'request_headers'> {
  request_body: string | null;
  /** `null` when it repeats the last response of the same route and client (see ResponseDedup). */
  response_body: string | null | undefined;
  request_headers: Record<string, string>;
}

/**
 * Entries cross to the log's thread as one flat array per batch: each entry's fields pushed one
 * after the other (FIELDS_PER_ENTRY of them), primitives only. Pushing them costs the request
 * thread almost nothing, and the structured clone of an array of primitives is a straight copy
 * (encoding each entry as JSON instead cost the request thread about three times as much under
 * load, ADR 0006).
 */
export type EntryBatch = (string | number | null | undefined)[];
const FIXED_FIELDS = 12;
const FIELDS_PER_ENTRY = FIXED_FIELDS + KEEP_HEADERS.length;

/** Appends one entry to a batch; `response` is the response body as ResponseDedup decided to hand it over. */
export function appendEntry(batch: EntryBatch, entry: CapturedRequest, response: string | null | undefined): void {
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
    response,
  );
  for (const name of KEEP_HEADERS) batch.push(keptHeader(name, entry.request_headers[name]));
}

function textAt(batch: EntryBatch, i: number): string {
  return String(batch[i] ?? '');
}

/** The entries of one batch (appendEntry). */
export function decodeEntries(batch: EntryBatch): HandedOverRequest[] {
  const entries: HandedOverRequest[] = [];
  for (let at = 0; at + FIELDS_PER_ENTRY <= batch.length; at += FIELDS_PER_ENTRY) {
    const request_headers: Record<string, string> = {};
    KEEP_HEADERS.forEach((name, i) => {
      const value = batch[at + FIXED_FIELDS + i];
      if (typeof value === 'string') request_headers[name] = value;
    });
    entries.push({
      at_ms: Number(batch[at]),
      status: Number(batch[at + 1]),
      duration_ms: Number(batch[at + 2]),
      method: textAt(batch, at + 3),
      operation_id: (batch[at + 4] as string | null) ?? null,
      path: textAt(batch, at + 5),
      query: textAt(batch, at + 6),
      ip: textAt(batch, at + 7),
      client_id: (batch[at + 8] as string | null) ?? null,
      request_id: textAt(batch, at + 9),
      request_body: (batch[at + 10] as string | null) ?? null,
      response_body: batch[at + 11] as string | null | undefined,
      request_headers,
    });
  }
  return entries;
}

/**
 * Scripts poll: the same client gets the same answer from the same route again and again. Within
 * one batch, the request thread hands a repeated response body over as `null` ("as last time"),
 * which spares copying it between threads; the log's thread, which reads the batch in the same
 * order, puts it back and reuses its redaction. Each side uses one of these per batch, so a batch
 * never depends on another (a lost batch or a restarted thread cannot misplace a body).
 */
export class ResponseDedup {
  private last = new Map<string, { body: string; redacted: string | null }>();

  /** Request thread: the body to hand over (`null` for a repeat). */
  compress(entry: CapturedRequest): string | null | undefined {
    const body = entry.response_body;
    if (typeof body !== 'string') return body;
    const key = `${entry.operation_id} ${entry.client_id}`;
    if (this.last.get(key)?.body === body) return null;
    this.last.set(key, { body, redacted: null });
    return body;
  }

  /** Log thread: the redacted response body of an entry, repeats resolved. */
  redactedResponse(entry: HandedOverRequest): string | null {
    const key = `${entry.operation_id} ${entry.client_id}`;
    const body = entry.response_body;
    if (body === null) {
      const seen = this.last.get(key);
      if (!seen) return null;
      seen.redacted ??= redactBody(seen.body);
      return seen.redacted;
    }
    const redacted = redactBody(body);
    if (typeof body === 'string') this.last.set(key, { body, redacted });
    return redacted;
  }

  reset(): void {
    this.last.clear();
  }
}

/**
 * The bodies of one batch of rows, each stored once (request_log_body) however many rows show
 * it: a polling script's identical answers cost one hash reference per row instead of a copy.
 * The hash of a body text is remembered across batches, so a repeat is not hashed again.
 */
export class BodyBatch {
  private static readonly known = new Map<string, string>();
  readonly bodies = new Map<string, RequestLogBodyTable>();

  /** The hash the row stores for a redacted body (null for none). */
  add(body: string | null, atMs: number): string | null {
    if (body === null) return null;
    let hash = BodyBatch.known.get(body);
    if (hash === undefined) {
      hash = createHash('sha256').update(body).digest('base64url').slice(0, 24);
      if (BodyBatch.known.size >= 256) BodyBatch.known.clear();
      BodyBatch.known.set(body, hash);
    }
    const stored = this.bodies.get(hash);
    if (stored) stored.last_at_ms = Math.max(stored.last_at_ms, atMs);
    else this.bodies.set(hash, { hash, body, last_at_ms: atMs });
    return hash;
  }
}

/**
 * One entry as stored in a segment's JSON array, by position (0009's migration writes the same
 * layout): secrets redacted, bodies by their hash in request_log_body, headers as an object.
 */
export type StoredEntry = [
  at_ms: number,
  method: string,
  operation_id: string | null,
  path: string,
  query: string | null,
  status: number,
  duration_ms: number,
  ip: string,
  client_id: string | null,
  request_id: string,
  request_body_hash: string | null,
  response_body_hash: string | null,
  request_headers: Record<string, string>,
];

/** The stored entry: secrets redacted, bodies capped and stored once (in `bodies`). */
export function toStoredEntry(entry: HandedOverRequest, dedup: ResponseDedup, bodies: BodyBatch): StoredEntry {
  return [
    entry.at_ms,
    entry.method,
    entry.operation_id,
    entry.path,
    redactQuery(entry.query),
    entry.status,
    entry.duration_ms,
    entry.ip,
    entry.client_id,
    entry.request_id,
    bodies.add(redactBody(entry.request_body), entry.at_ms),
    bodies.add(dedup.redactedResponse(entry), entry.at_ms),
    redactHeaders(entry.request_headers),
  ];
}

/** A segment holds at most this many entries, logged within SEGMENT_SPAN_MS of its first. */
export const SEGMENT_ENTRIES = 500;
const SEGMENT_SPAN_MS = 1_000;
// Segment ids sort in the order this thread wrote them, even when several start in one millisecond.
let lastSegmentMs = 0;

function segmentId(firstAtMs: number): string {
  const recent = firstAtMs <= lastSegmentMs && firstAtMs > lastSegmentMs - SEGMENT_SPAN_MS;
  lastSegmentMs = recent ? lastSegmentMs + 1 : firstAtMs;
  return newId('log', lastSegmentMs);
}

/** Values listed one per line between newlines: `LIKE '%\n<value>\n%'` finds a segment holding one. */
export function listed(values: Iterable<string>): string {
  let out = '\n';
  for (const value of values) out += `${value}\n`;
  return out;
}

/**
 * Gathers stored entries, in the order they were logged, into segments (request_log_segment): a
 * new one starts after SEGMENT_ENTRIES entries or when an entry falls outside the first's second,
 * so retention, which drops whole segments, is exact to a second.
 */
export class SegmentBuilder {
  readonly segments: RequestLogSegmentTable[] = [];
  private entries: StoredEntry[] = [];
  private firstAtMs = 0;
  private lastAtMs = 0;
  private readonly clients = new Set<string>();
  private readonly routes = new Set<string>();
  private readonly statuses = new Set<string>();
  private readonly ips = new Set<string>();

  add(entry: StoredEntry): void {
    const atMs = entry[0];
    if (
      this.entries.length >= SEGMENT_ENTRIES ||
      (this.entries.length > 0 && (atMs < this.firstAtMs || atMs - this.firstAtMs > SEGMENT_SPAN_MS))
    )
      this.close();
    if (this.entries.length === 0) this.firstAtMs = atMs;
    if (atMs > this.lastAtMs) this.lastAtMs = atMs;
    this.entries.push(entry);
    if (entry[8] !== null) this.clients.add(entry[8]);
    if (entry[2] !== null) this.routes.add(entry[2]);
    this.routes.add(entry[3]);
    this.statuses.add(String(entry[5]));
    this.ips.add(entry[7]);
  }

  /** The segments of every entry added. */
  finish(): RequestLogSegmentTable[] {
    this.close();
    return this.segments;
  }

  private close(): void {
    if (this.entries.length === 0) return;
    this.segments.push({
      id: segmentId(this.firstAtMs),
      first_at_ms: this.firstAtMs,
      last_at_ms: this.lastAtMs,
      entry_count: this.entries.length,
      client_ids: listed(this.clients),
      routes: listed(this.routes),
      statuses: listed(this.statuses),
      ips: listed(this.ips),
      entries: JSON.stringify(this.entries),
    });
    this.entries = [];
    this.lastAtMs = 0;
    this.clients.clear();
    this.routes.clear();
    this.statuses.clear();
    this.ips.clear();
  }
}
