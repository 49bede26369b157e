import type { AppContext } from '../app-context.js';
import type { PanelError } from '../panel/adapter.js';
import type { JobRow } from './store.js';

/**
 * A job type is declared once: its name, how many attempts it gets, and its handler, which runs
 * named steps through the context. A finished step's output is recorded, so a retry (after a
 * crash, a timeout, a transient panel error) resumes after the last finished step.
 */
export interface JobType<P = unknown> {
  type: string;
  maxAttempts: number;
  parse(payload: unknown): P;
  run(ctx: JobContext<P>): Promise<void>;
}

export interface JobContext<P> {
  app: AppContext;
  job: JobRow;
  payload: P;
  correlationId: string;
  /**
   * Runs `fn` once per job: on a retry a finished step returns its recorded output. A step that
   * must be undone if the job later fails permanently names its compensation.
   */
  step<T>(name: string, fn: () => Promise<T>, options?: { compensate?: (output: T) => Promise<void> }): Promise<T>;
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
