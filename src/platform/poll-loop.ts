import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * The background loop of the queues a worker drains (events, mail, webhooks): run `tick` until
 * it finds nothing to do, then wait `pollMs` (or until stopped) and go again. A tick that throws
 * is logged and the loop goes on: the queue's rows, not the loop, hold what is left to do.
 */
export class PollLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly tick: () => Promise<number>,
    private readonly options: { pollMs: number; onError: (error: unknown) => void },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop after the tick in progress, if any. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.tick();
      } catch (error) {
        this.options.onError(error);
      }
      if (handled === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}

/** Who holds a lease: host, process and a random part (two loops in one process differ). */
export function leaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
