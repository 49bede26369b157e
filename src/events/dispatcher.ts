import type { Kysely } from 'kysely';
import type { AppContext } from '../app-context.js';
import type { Database } from '../platform/db/schema.js';
import { leaseOwner, PollLoop } from '../platform/poll-loop.js';
import { claimDelivery, type EventRow, findEvent, finishDelivery } from './store.js';

/**
 * Hands each consumer its events (see src/events/events.ts for the contract). Runs beside the
 * job worker (`portico serve` unless PORTICO_WORKER=off, and `portico worker`); any number may
 * run at once: a delivery is claimed under a lease, and one that a dead worker held is claimed
 * again once its lease has expired.
 */
export type DispatchDeps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'settings'>;

export interface EventConsumerHandler {
  /** Handles one event in `trx`; the delivery is marked done in the same transaction. */
  handle(trx: Kysely<Database>, event: EventRow, deps: DispatchDeps): Promise<void>;
  maxAttempts?: number;
}

export interface DispatcherOptions {
  pollMs?: number;
  leaseMs?: number;
  backoffBaseMs?: number;
}

export class EventDispatcher {
  readonly owner = leaseOwner();
  private readonly loop: PollLoop;
  private readonly options: Required<DispatcherOptions>;

  constructor(
    private readonly deps: DispatchDeps,
    private readonly consumers: Record<string, EventConsumerHandler>,
    options: DispatcherOptions = {},
  ) {
    this.options = { pollMs: 250, leaseMs: 30_000, backoffBaseMs: 1000, ...options };
    this.loop = new PollLoop(() => this.tick(), {
      pollMs: this.options.pollMs,
      onError: (err) => this.deps.logger.warn({ err }, 'dispatching events failed; will try again'),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Delivers what is due to every consumer; returns how many deliveries it handled. */
  async tick(): Promise<number> {
    let handled = 0;
    for (const [consumer, handler] of Object.entries(this.consumers)) {
      // At most a batch per consumer per tick, so one busy consumer does not starve the others.
      for (let n = 0; n < 100; n++) {
        if (!(await this.deliverOne(consumer, handler))) break;
        handled += 1;
      }
    }
    return handled;
  }

  private async deliverOne(consumer: string, handler: EventConsumerHandler): Promise<boolean> {
    const { db, clock, logger } = this.deps;
    const delivery = await claimDelivery(db.kysely, {
      dialect: db.dialect,
      consumer,
      owner: this.owner,
      nowMs: clock.nowMs(),
      leaseMs: this.options.leaseMs,
    });
    if (!delivery) return false;
    try {
      await db.kysely.transaction().execute(async (trx) => {
        const event = await findEvent(trx, delivery.event_id);
        if (event) await handler.handle(trx, event, this.deps);
        const now = clock.nowMs();
        if (
          !(await finishDelivery(trx, delivery, this.owner, {
            state: 'done',
            finished_at_ms: now,
            last_error: null,
            updated_at_ms: now,
          }))
        ) {
          // Another worker took it over after our lease expired: roll back what we wrote.
          throw new LeaseLost();
        }
      });
    } catch (error) {
      if (error instanceof LeaseLost) return true;
      const message = error instanceof Error ? error.message : String(error);
      const max = handler.maxAttempts ?? 10;
      const now = clock.nowMs();
      const givingUp = delivery.attempts >= max;
      logger.warn(
        { err: error, consumer, eventId: delivery.event_id, attempts: delivery.attempts },
        givingUp ? 'event delivery failed for good' : 'event delivery failed; will retry',
      );
      await finishDelivery(db.kysely, delivery, this.owner, {
        state: givingUp ? 'failed' : 'pending',
        run_after_ms: now + backoff(this.options.backoffBaseMs, delivery.attempts),
        last_error: message.slice(0, 1000),
        finished_at_ms: givingUp ? now : null,
        updated_at_ms: now,
      });
    }
    return true;
  }
}

class LeaseLost extends Error {}

/** Exponential backoff with jitter, capped at an hour. */
export function backoff(baseMs: number, attempts: number): number {
  const exp = Math.min(3_600_000, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
