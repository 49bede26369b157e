import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';
import { BatchEncoder, type CapturedRequest, type EntryBatch } from '../src/requestlog/entry.js';
import { storedSegments } from '../src/requestlog/segment.js';
import { sqliteSink } from '../src/requestlog/thread.js';
import { median } from './load.js';

/**
 * The request log's cost per entry, stage by stage, in this process (no HTTP, no load generator):
 * what the request thread pays to append an entry to its batch (and the copy to the other
 * thread), what the log's thread pays to decode and redact it and gather it into a segment, and
 * to insert the segments into SQLite (holding up to `BENCH_LOG_ROWS` entries). The entries are a
 * polling script's: the same route, client and answer each time.
 */
const ROWS = Number(process.env.BENCH_LOG_ROWS ?? 100_000);
const BATCH = 256;
const WRITE_EVERY = 2_048;

const response = JSON.stringify({
  items: Array.from({ length: 3 }, (_, i) => ({
    id: `svc_01JBENCH00000000000000000${i}`,
    domain: `example-${i}.test`,
    status: 'active',
    product_id: 'prd_01JBENCH0000000000000000000',
    next_due_at: '2026-12-24T10:00:00.000Z',
  })),
  next_cursor: null,
});
const headers = {
  host: '127.0.0.1:8080',
  authorization: `Bearer ${'e'.repeat(800)}`,
  'user-agent': 'curl/8.5.0',
  accept: 'application/json',
};
const entry = (i: number): CapturedRequest => ({
  at_ms: Date.now(),
  method: 'GET',
  operation_id: 'listServices',
  path: '/api/v1/services',
  query: '',
  status: 200,
  duration_ms: 1,
  ip: '203.0.113.7',
  client_id: 'cli_01JBENCH0000000000000000000',
  request_id: `req_01JBENCH${String(i).padStart(18, '0')}`,
  request_body: undefined,
  response_body: response,
  request_headers: headers,
});

const dir = mkdtempSync(join(tmpdir(), 'portico-bench-log-'));
try {
  const path = join(dir, 'portico.sqlite');
  const db = openDatabase({ sqlitePath: path });
  await migrateToLatest(db);
  await db.close();
  const sink = sqliteSink(path);
  const timings = { encode: [] as number[], decode: [] as number[], insert: [] as number[] };
  for (let written = 0; written < ROWS; written += WRITE_EVERY) {
    let t = performance.now();
    const batches: EntryBatch[] = [];
    for (let b = 0; b < WRITE_EVERY / BATCH; b++) {
      const encoder = new BatchEncoder();
      for (let i = 0; i < BATCH; i++) encoder.append(entry(written + b * BATCH + i));
      batches.push(structuredClone(encoder.batch));
    }
    timings.encode.push(((performance.now() - t) * 1000) / WRITE_EVERY);
    t = performance.now();
    const { segments, bodies } = storedSegments(batches);
    timings.decode.push(((performance.now() - t) * 1000) / WRITE_EVERY);
    t = performance.now();
    await sink.write(segments, bodies);
    timings.insert.push(((performance.now() - t) * 1000) / WRITE_EVERY);
  }
  await sink.close();
  const sqlite = new SQLite(path, { readonly: true });
  const bytes = sqlite
    .prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE '%request_log%'")
    .pluck()
    .get() as number;
  sqlite.close();
  const last = (xs: number[]) => median(xs.slice(Math.floor(xs.length / 2))).toFixed(2);
  console.log(`\nRequest log, per entry (median of the second half of ${ROWS} entries, in this process):`);
  console.log(`  request thread, append to the batch and copy it:  ${last(timings.encode)} µs`);
  console.log(`  log thread, decode, redact, make segments:         ${last(timings.decode)} µs`);
  console.log(`  log thread, SQLite insert:                         ${last(timings.insert)} µs`);
  console.log(
    `  stored: ${(bytes / ROWS).toFixed(0)} bytes an entry with its indexes (the ${response.length}-byte response stored once)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
