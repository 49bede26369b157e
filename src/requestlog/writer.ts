import type { Worker } from 'node:worker_threads';
import type { Logger } from '../platform/log.js';
import { siblingModule, startModuleWorker } from '../platform/threads.js';
import { BatchEncoder, type CapturedRequest } from './entry.js';
import type { FromLogThread, ToLogThread } from './thread.js';

/**
 * Request-log rows are written off the request path. The request thread only appends what it
 * must copy to a batch (entry.ts) and hands the batch over every 256 entries or 20 ms to the
 * request log's own thread (thread.ts), which redacts the secrets and inserts the rows in batches
 * on its own database connection. A failing write never fails or slows a request: the rows are
 * dropped, counted and reported in the log. The thread starts with the first logged request.
 */
export interface RequestLogTarget {
  databaseUrl?: string | undefined;
  sqlitePath: string;
}

const HAND_OVER_ENTRIES = 256;
const HAND_OVER_MS = 20;
/** A thread that died is not restarted before this pause (entries meanwhile are dropped, counted). */
const RESTART_AFTER_FAILURE_MS = 5_000;

export class RequestLogWriter {
  /** Entries waiting to be handed over. */
  private encoder = new BatchEncoder();
  private timer: NodeJS.Timeout | undefined;
  private thread: Worker | undefined;
  private nextId = 1;
  /** Rows handed to the thread and not yet answered for. */
  private inFlightRows = 0;
  private readonly flushes = new Map<number, () => void>();
  private closed = false;
  private restartAfterMs = 0;
  /** Rows lost to a full buffer or a failed write (reported in the log). */
  dropped = 0;

  constructor(
    private readonly target: RequestLogTarget,
    private readonly logger: Logger,
    private readonly options: { maxBuffer?: number } = {},
  ) {}

  push(entry: CapturedRequest): void {
    if (this.closed || this.encoder.count + this.inFlightRows >= (this.options.maxBuffer ?? 10_000)) {
      this.dropped += 1;
      return;
    }
    this.encoder.append(entry);
    if (this.encoder.count >= HAND_OVER_ENTRIES) this.handOver();
    else
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.handOver();
      }, HAND_OVER_MS);
  }

  /** Resolves once everything pushed so far is written (or counted as dropped). */
  async flush(): Promise<void> {
    this.handOver();
    if (this.thread) await this.request('flush');
  }

  async close(): Promise<void> {
    this.handOver();
    this.closed = true;
    const thread = this.thread;
    if (!thread) return;
    await this.request('close');
    await thread.terminate();
    this.thread = undefined;
  }

  private handOver(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { batch, count } = this.encoder;
    if (count === 0) return;
    // Each batch stands alone: a repeat refers only to an entry earlier in the same batch.
    this.encoder = new BatchEncoder();
    let thread: Worker;
    try {
      thread = this.ensureThread();
    } catch (error) {
      this.lose(count, error);
      return;
    }
    this.inFlightRows += count;
    thread.postMessage({ type: 'entries', batch, count } satisfies ToLogThread);
  }

  /** A flush or close, answered by the thread once everything handed over before it is written. */
  private request(type: 'flush' | 'close'): Promise<void> {
    const thread = this.thread;
    if (!thread) return Promise.resolve();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.flushes.set(id, resolve);
      thread.postMessage({ type, id } satisfies ToLogThread);
    });
  }

  private ensureThread(): Worker {
    if (this.thread) return this.thread;
    if (Date.now() < this.restartAfterMs) {
      throw new Error('the request log thread failed moments ago; it is restarted after a pause');
    }
    const thread = startModuleWorker(siblingModule('thread', import.meta.url), {
      databaseUrl: this.target.databaseUrl,
      sqlitePath: this.target.sqlitePath,
    });
    // The thread never keeps the process alive on its own: shutdown closes it after a last flush.
    thread.unref();
    thread.on('message', (reply: FromLogThread) => {
      if (reply.type === 'written') {
        this.inFlightRows -= reply.rows;
        if (reply.failed) this.lose(reply.rows, new Error(reply.failed));
        return;
      }
      this.flushes.get(reply.id)?.();
      this.flushes.delete(reply.id);
    });
    const fail = (error: unknown) => {
      if (this.thread !== thread) return;
      this.thread = undefined;
      this.restartAfterMs = Date.now() + RESTART_AFTER_FAILURE_MS;
      // What the thread had not written is lost; the next entries start a new thread.
      this.lose(this.inFlightRows, error);
      this.inFlightRows = 0;
      for (const done of this.flushes.values()) done();
      this.flushes.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`the request log thread exited (code ${code})`)));
    this.thread = thread;
    return thread;
  }

  private lose(rows: number, error: unknown): void {
    if (rows === 0) return;
    this.dropped += rows;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      { reason, rows, droppedTotal: this.dropped },
      `request log write failed; rows dropped (requests were not affected): ${reason}`,
    );
  }
}
