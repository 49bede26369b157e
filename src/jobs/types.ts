import type { AppContext } from '../app-context.js';
import type { Config } from '../config.js';
import type { PanelError } from '../panel/adapter.js';
import type { JobRow } from './store.js';

/**
 * What the queue hands a job (and runs it with): the database, time, logs, metrics, the secret
 * box and the panel timeouts — not the whole application context.
 */
export interface JobDeps extends Pick<AppContext, 'db' | 'clock' | 'logger' | 'metrics' | 'secrets' | 'settings'> {
  config: Pick<Config, 'panelMutationTimeoutMs'>;
}

/**
 * A job type is declared once: its name, how many attempts it gets, and its handler, which runs
 * named steps through the context. A finished step's output is recorded, so a retry (after a
 * crash, a timeout, a transient panel error) resumes after the last finished step.
 *
 * A step whose effect must be undone when the job gives up names its compensation here, under
 * the step's name. Compensations run from the recorded outputs alone, newest step first, each
 * as a recorded step of its own (`undo:<step>`), retried like any step; the job is finished only
 * when every one has succeeded or the job says what is left where.
 */
export interface JobType<P = unknown> {
  type: string;
  maxAttempts: number;
  parse(payload: unknown): P;
  run(ctx: JobContext<P>): Promise<void>;
  compensations?: Record<string, Compensation<P>>;
}

export interface Compensation<P> {
  /** What the step left behind, for an admin: `panel user u1 on server web1`. */
  describe(ctx: CompensationContext<P>): Promise<string>;
  /** Undoes it; throws a JobFailure to be retried (or given up on) like a step's. */
  run(ctx: CompensationContext<P>): Promise<void>;
}

export interface CompensationContext<P> {
  deps: JobDeps;
  job: JobRow;
  payload: P;
  correlationId: string;
  /** The recorded output of a finished step of this job (undefined if it has none). */
  output<T>(step: string): T | undefined;
}

export interface JobContext<P> {
  deps: JobDeps;
  job: JobRow;
  payload: P;
  correlationId: string;
  /**
   * Runs `fn` once per job: on a retry a finished step returns its recorded output. A step that
   * must be undone if the job later fails has a compensation under its name in the job type.
   */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Binds the job to a server (taking that server's lock), for jobs that pick their server. */
  bindServer(serverId: string): Promise<void>;
}

/** A failure with a verdict: retry later, give up (compensate), or stop the server's queue. */
export class JobFailure extends Error {
  override name = 'JobFailure';
  constructor(
    readonly kind: 'retry' | 'permanent' | 'auth',
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  static fromPanel(error: PanelError, what: string): JobFailure {
    const kind = error.authFailure ? 'auth' : error.retryable ? 'retry' : 'permanent';
    return new JobFailure(kind, error.code, `${what}: ${error.message}`);
  }
}

/** Not a failure: the server is busy with another job; try again shortly without using an attempt. */
export class ServerBusy extends Error {
  override name = 'ServerBusy';
}
