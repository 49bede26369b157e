import type { Worker } from 'node:worker_threads';
import type { Logger } from '../platform/log.js';
import { startModuleWorker } from '../platform/threads.js';
import type { CapturedRequest } from './entry.js';
import type { FromLogThread, ToLogThread } from './thread.js';

/**
 * Request-log rows are written off the request path. The request thread only captures what it
 * must copy (entry.ts) into a buffer, handed every 100 ms to the request log's own thread
 * (thread.ts), which redacts the secrets and inserts the batch on its own database connection.
 * Redacting and inserting on the request thread cost ~25 % of throughput; off it, a few percent
 * (`npm run bench`). A failing write never fails or slows a request: the batch is dropped,
 * counted and reported in the log. The thread starts with the first logged request.
 */
export interface RequestLogTarget {
  databaseUrl?: string | undefined;
  sqlitePath: string;
}

export class RequestLogWriter {
  private buffer: CapturedRequest[] = [];
  private timer: NodeJS.Timeout | undefined;
  private thread: Worker | undefined;
  private nextId = 1;
  private inFlightRows = 0;
  private readonly pending = new Map<number, { rows: number; done: () => void }>();
  private closed = false;
  /** Rows lost to a full buffer or a failed write (reported in the log). */
  dropped = 0;

  constructor(
    private readonly target: RequestLogTarget,
    private readonly logger: Logger,
    private readonly options: { flushMs?: number; maxBuffer?: number } = {},
  ) {}

  push(entry: CapturedRequest): void {
    if (this.closed || this.buffer.length + this.inFlightRows >= (this.options.maxBuffer ?? 10_000)) {
      this.dropped += 1;
      return;
    }
    this.buffer.push(entry);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, this.options.flushMs ?? 100);
  }

  /** Resolves once everything pushed so far is written (or counted as dropped). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Batches are handled in order, so the answer to this one (even empty) covers every earlier one.
    if (this.thread || this.buffer.length > 0) await this.send();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    const thread = this.thread;
    if (!thread) return;
    await this.post({ type: 'close', id: this.nextId++ }, 0);
    await thread.terminate();
    this.thread = undefined;
  }

  private send(): Promise<void> {
    const entries = this.buffer;
    this.buffer = [];
    return this.post({ type: 'write', id: this.nextId++, entries }, entries.length);
  }

  private post(message: ToLogThread, rows: number): Promise<void> {
    return new Promise((resolve) => {
      let thread: Worker;
      try {
        thread = this.ensureThread();
      } catch (error) {
        this.lose(rows, error);
        resolve();
        return;
      }
      this.inFlightRows += rows;
      this.pending.set(message.id, {
        rows,
        done: () => {
          this.inFlightRows -= rows;
          resolve();
        },
      });
      thread.postMessage(message);
    });
  }

  private ensureThread(): Worker {
    if (this.thread) return this.thread;
    const thread = startModuleWorker(new URL('./thread.ts', import.meta.url), {
      databaseUrl: this.target.databaseUrl,
      sqlitePath: this.target.sqlitePath,
    });
    // The thread never keeps the process alive on its own: shutdown closes it after a last flush.
    thread.unref();
    thread.on('message', (reply: FromLogThread) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.failed) this.lose(reply.failed.rows, new Error(reply.failed.message));
      waiting?.done();
    });
    const fail = (error: unknown) => {
      if (this.thread !== thread) return;
      this.thread = undefined;
      // Whatever the thread had not answered is lost; the next batch starts a new thread.
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        this.lose(waiting.rows, error);
        waiting.done();
      }
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`the request log thread exited (code ${code})`)));
    this.thread = thread;
    return thread;
  }

  private lose(rows: number, error: unknown): void {
    if (rows === 0) return;
    this.dropped += rows;
    this.logger.warn(
      { err: error, rows, droppedTotal: this.dropped },
      'request log write failed; rows dropped (requests were not affected)',
    );
  }
}
