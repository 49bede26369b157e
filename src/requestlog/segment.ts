import { createHash } from 'node:crypto';
import type { RequestLogBodyTable, RequestLogSegmentTable } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { type EntryBatch, F, FIELDS_PER_ENTRY, REPEATABLE } from './entry.js';
import { KEEP_HEADERS, redactBody, redactKeptHeader, redactQuery } from './redact.js';

/**
 * How the request log is stored (ADR 0007): a segment per row, holding the entries one write of
 * the log's thread gathered (up to SEGMENT_ENTRIES, logged within SEGMENT_SPAN_MS of the first).
 * Its `entries` column is JSON: `{"strings": [...], "entries": [[...], ...]}`, each entry an
 * array by position (StoredEntry) whose text fields are indexes into `strings`, so the method,
 * route, IP, client, headers and body hashes a script repeats are written once per segment.
 * Secrets are redacted and bodies stored once, by hash, in request_log_body.
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
  /** JSON of the kept headers, redacted. */
  request_headers: string,
];
/** The positions of a stored entry held as an index into the segment's strings. */
const CODED = [1, 2, 3, 4, 7, 8, 10, 11, 12] as const;

const SEGMENT_ENTRIES = 500;
const SEGMENT_SPAN_MS = 1_000;

/** A segment's entries, text fields resolved. */
export function decodeSegment(json: string): StoredEntry[] {
  const { strings, entries } = JSON.parse(json) as { strings: string[]; entries: (string | number | null)[][] };
  for (const entry of entries) {
    for (const at of CODED) {
      const code = entry[at];
      if (typeof code === 'number') entry[at] = strings[code] ?? null;
    }
  }
  return entries as StoredEntry[];
}

/** Values listed one per line between newlines: `LIKE '%\n<value>\n%'` finds a segment holding one. */
function listed(values: Iterable<string>): string {
  let out = '\n';
  for (const value of values) out += `${value}\n`;
  return out;
}

// Segment ids sort in the order this thread wrote them, even when several start in one millisecond.
let lastSegmentMs = 0;

function segmentId(firstAtMs: number): string {
  const recent = firstAtMs <= lastSegmentMs && firstAtMs > lastSegmentMs - SEGMENT_SPAN_MS;
  lastSegmentMs = recent ? lastSegmentMs + 1 : firstAtMs;
  return newId('log', lastSegmentMs);
}

/**
 * Gathers entries, in the order they were logged, into segments: a new one starts after
 * SEGMENT_ENTRIES entries or when an entry falls outside the first's second, so retention, which
 * drops whole segments, is exact to a second.
 */
class SegmentBuilder {
  readonly segments: RequestLogSegmentTable[] = [];
  private entries: (string | number | null)[][] = [];
  private strings: string[] = [];
  private readonly codes = new Map<string, number>();
  private firstAtMs = 0;
  private lastAtMs = 0;
  private readonly clients = new Set<string>();
  private readonly routes = new Set<string>();
  private readonly statuses = new Set<number>();
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
    if (entry[8] !== null) this.clients.add(entry[8]);
    if (entry[2] !== null) this.routes.add(entry[2]);
    this.routes.add(entry[3]);
    this.statuses.add(entry[5]);
    this.ips.add(entry[7]);
    const coded: (string | number | null)[] = entry;
    for (const at of CODED) {
      const value = coded[at];
      if (typeof value === 'string') coded[at] = this.code(value);
    }
    this.entries.push(coded);
  }

  /** The segments of every entry added. */
  finish(): RequestLogSegmentTable[] {
    this.close();
    return this.segments;
  }

  private code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.strings.length;
      this.strings.push(value);
      this.codes.set(value, code);
    }
    return code;
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
      statuses: listed([...this.statuses].map(String)),
      ips: listed(this.ips),
      entries: JSON.stringify({ strings: this.strings, entries: this.entries }),
    });
    this.entries = [];
    this.strings = [];
    this.codes.clear();
    this.lastAtMs = 0;
    this.clients.clear();
    this.routes.clear();
    this.statuses.clear();
    this.ips.clear();
  }
}

/**
 * The bodies of one write, each stored once (request_log_body) however many entries show it: a
 * polling script's identical answers cost one hash reference per entry instead of a copy. The
 * hash of a body text is remembered across writes, so a repeat is not hashed again.
 */
class BodyBatch {
  private static readonly known = new Map<string, string>();
  readonly bodies = new Map<string, RequestLogBodyTable>();

  /** The hash the entry stores for a redacted body (null for none). */
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
 * Turns the batches handed over by the request thread (entry.ts) into segments, as they arrive:
 * fields handed over as "as before" are resolved, secrets redacted (a repeated header set or
 * response is redacted once), bodies stored once. `take` returns what was gathered since the last
 * call, in order.
 */
export class SegmentGatherer {
  private bodies = new BodyBatch();
  private builder = new SegmentBuilder();
  private readonly fields: EntryBatch = [];
  private query: string | null = null;
  private headers = '{}';

  add(batch: EntryBatch): void {
    const { fields, bodies, builder } = this;
    // A repeated response refers to the last one of its route and client in the same batch.
    const responses = new Map<string, string | null>();
    for (let at = 0; at + FIELDS_PER_ENTRY <= batch.length; at += FIELDS_PER_ENTRY) {
      let queryChanged = false;
      let headersChanged = false;
      for (const i of REPEATABLE) {
        const value = batch[at + i];
        if (typeof value === 'number') continue;
        fields[i] = value;
        if (i >= F.headers) headersChanged = true;
        else if (i === F.query) queryChanged = true;
      }
      if (queryChanged) this.query = redactQuery(String(fields[F.query] ?? ''));
      if (headersChanged) this.headers = redactedHeaders(fields);
      const atMs = Number(batch[at + F.at]);
      const operation = (fields[F.operation] as string | null) ?? null;
      const client = (fields[F.client] as string | null) ?? null;
      const sent = batch[at + F.response];
      const key = `${operation} ${client}`;
      let response: string | null;
      if (sent === null) response = responses.get(key) ?? null;
      else {
        response = redactBody(sent as string | undefined);
        if (typeof sent === 'string') responses.set(key, response);
      }
      builder.add([
        atMs,
        String(fields[F.method]),
        operation,
        String(fields[F.path]),
        this.query,
        Number(batch[at + F.status]),
        Number(batch[at + F.duration]),
        String(fields[F.ip]),
        client,
        String(batch[at + F.requestId]),
        bodies.add(redactBody(batch[at + F.requestBody] as string | null), atMs),
        bodies.add(response, atMs),
        this.headers,
      ]);
    }
  }

  take(): { segments: RequestLogSegmentTable[]; bodies: Iterable<RequestLogBodyTable> } {
    const taken = { segments: this.builder.finish(), bodies: this.bodies.bodies.values() };
    this.builder = new SegmentBuilder();
    this.bodies = new BodyBatch();
    return taken;
  }
}

/** The segments and distinct bodies of these batches (SegmentGatherer). */
export function storedSegments(batches: EntryBatch[]) {
  const gatherer = new SegmentGatherer();
  for (const batch of batches) gatherer.add(batch);
  return gatherer.take();
}

/** The redacted headers of an entry, as JSON (the request thread handed them over already cut down). */
function redactedHeaders(fields: EntryBatch): string {
  const headers: Record<string, string> = {};
  KEEP_HEADERS.forEach((name, i) => {
    const kept = fields[F.headers + i];
    if (typeof kept === 'string') headers[name] = redactKeptHeader(name, kept);
  });
  return JSON.stringify(headers);
}
