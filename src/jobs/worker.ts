import { leaseOwner } from '../platform/poll-loop.js';
import { recordHeartbeat, removeHeartbeat } from './heartbeat-store.js';
import { runJob } from './runner.js';
import { claimJob } from './store.js';
import type { JobDeps, JobType } from './types.js';

/**
 * Claims and runs jobs: in-process under `portico serve`, or alone as `portico worker` (any
 * number of them). Stopping finishes the jobs in hand; a worker that dies instead leaves leases
 * that expire, and its jobs are picked up again.
 */
export interface WorkerOptions {
  concurrency?: number;
  /**
   * How soon to look again after a poll found nothing; doubled after each further empty poll up to
   * IDLE_POLL_MAX_MS (or pollMs, if longer). A job of this worker finishing looks at once.
   */
  pollMs?: number;
  leaseMs?: number;
  backoffBaseMs?: number;
  /** How often the worker writes its heartbeat (`/readyz` reports the newest, src/jobs/health.ts). */
  heartbeatMs?: number;
}

/** An idle worker polls at least this often (250 ms, the default poll). */
export const IDLE_POLL_MAX_MS = 250;

/** The default heartbeat interval; a worker silent for HEARTBEAT_STALE_MS is reported stale. */
export const HEARTBEAT_MS = 5000;

export class Worker {
  readonly owner = leaseOwner();
  private running = false;
  private readonly active = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private readonly options: Required<WorkerOptions>;

  constructor(
    private readonly app: JobDeps,
    private readonly types: Map<string, JobType<unknown>>,
    options: WorkerOptions = {},
  ) {
    this.options = {
      concurrency: 4,
      pollMs: 250,
      leaseMs: 30_000,
      backoffBaseMs: 1000,
      heartbeatMs: HEARTBEAT_MS,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    const startedAtMs = this.app.clock.nowMs();
    const beat = () => {
      // One write at a time: a slow database does not pile up heartbeats.
      this.beating ??= recordHeartbeat(this.app.db.kysely, this.owner, startedAtMs, this.app.clock.nowMs())
        .catch((err) => this.app.logger.warn({ err }, 'writing the worker heartbeat failed; will try again'))
        .finally(() => {
          this.beating = undefined;
        });
    };
    beat();
    this.heartbeat = setInterval(beat, this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  private async run(): Promise<void> {
    // With every server busy (their jobs wait for the lock) or nothing queued, polling every few
    // milliseconds read the whole waiting queue hundreds of times a second: back off instead.
    // A lock freed by this worker's own job wakes the loop at once; one freed elsewhere is seen
    // within IDLE_POLL_MAX_MS.
    let idleMs = this.options.pollMs;
    while (this.running) {
      let claimed = false;
      try {
        if (this.active.size < this.options.concurrency) {
          const job = await claimJob(this.app.db.kysely, {
            dialect: this.app.db.dialect,
            owner: this.owner,
            nowMs: this.app.clock.nowMs(),
            leaseMs: this.options.leaseMs,
          });
          if (job) {
            claimed = true;
            const task = runJob(this.app, this.types, job, {
              owner: this.owner,
              leaseMs: this.options.leaseMs,
              backoffBaseMs: this.options.backoffBaseMs,
            })
              .catch((err) => this.app.logger.error({ err, jobId: job.id }, 'job runner crashed'))
              .finally(() => {
                this.active.delete(task);
                this.wake?.();
              });
            this.active.add(task);
          }
        }
      } catch (err) {
        this.app.logger.warn({ err }, 'claiming a job failed; will try again');
      }
      if (claimed) idleMs = this.options.pollMs;
      else {
        const waitMs = idleMs;
        idleMs = Math.min(idleMs * 2, Math.max(this.options.pollMs, IDLE_POLL_MAX_MS));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /** Finishes the jobs in hand, then stops claiming. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.heartbeat);
    this.wake?.();
    await this.loop;
    await Promise.all(this.active);
    await this.beating;
    await removeHeartbeat(this.app.db.kysely, this.owner).catch((err) =>
      this.app.logger.warn({ err }, 'removing the worker heartbeat failed; it will show as stale'),
    );
  }
}
