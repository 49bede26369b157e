import { createRequire } from 'node:module';
import type * as Flexible from 'rate-limiter-flexible';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../http/errors.js';
import type { RedisConnection } from '../redis.js';

let flexibleModule: typeof Flexible | undefined;
/** rate-limiter-flexible, required when the first limit is counted: a CLI command counts none. */
function flexible(): typeof Flexible {
  flexibleModule ??= createRequire(import.meta.url)('rate-limiter-flexible') as typeof Flexible;
  return flexibleModule;
}

/**
 * Fixed-window counters behind one small interface: in memory on a single instance, in Redis when
 * several instances must share one limit. rate-limiter-flexible does the counting (atomically in
 * Redis); this only picks the store and keeps one limiter per rule so a changed rule takes effect
 * at once.
 */
export interface RateRule {
  points: number;
  durationS: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetS: number;
}

export interface RateLimitStore {
  /** Counts one request for key under rule and says whether it is allowed. */
  consume(bucket: string, key: string, rule: RateRule): Promise<RateDecision>;
  /** Current state without counting (for failed-login checks before verifying). */
  peek(bucket: string, key: string, rule: RateRule): Promise<RateDecision>;
  /** Forgets a key (e.g. an account's failed logins after a success). */
  reset(bucket: string, key: string, rule: RateRule): Promise<void>;
}

function decide(res: RateLimiterRes, rule: RateRule, allowed: boolean): RateDecision {
  return {
    allowed,
    limit: rule.points,
    remaining: Math.max(0, rule.points - res.consumedPoints),
    resetS: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}

/** How long a caller is asked to wait while the store is down: about Redis's reconnect interval. */
export const STORE_RETRY_AFTER_S = 5;

function storeUnavailable(cause?: unknown): AppError {
  return new AppError(
    'unavailable',
    `The rate-limit store (Redis) is unreachable, so requests cannot be counted. Retry after ${STORE_RETRY_AFTER_S} seconds.`,
    { headers: { 'retry-after': String(STORE_RETRY_AFTER_S) }, ...(cause ? { cause } : {}) },
  );
}

export class LimiterStore implements RateLimitStore {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  /**
   * `available` says whether the backing store is reachable; while it is not, every call fails at
   * once with 503 `unavailable` (Retry-After) instead of waiting on a dead connection, and so does
   * a call whose store command fails.
   */
  constructor(
    private readonly make: (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract,
    private readonly available: () => boolean = () => true,
  ) {}

  private async run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.available()) throw storeUnavailable();
    try {
      return await work();
    } catch (error) {
      if (error instanceof flexible().RateLimiterRes) throw error;
      throw storeUnavailable(error);
    }
  }

  private limiter(bucket: string, rule: RateRule): RateLimiterAbstract {
    const id = `${bucket}:${rule.points}/${rule.durationS}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = this.make({ keyPrefix: id, points: rule.points, duration: rule.durationS });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  async consume(bucket: string, key: string, rule: RateRule): Promise<RateDecision> {
    try {
      return decide(await this.run(() => this.limiter(bucket, rule).consume(key)), rule, true);
    } catch (rejection) {
      if (rejection instanceof flexible().RateLimiterRes) return decide(rejection, rule, false);
      throw rejection;
    }
  }

  async peek(bucket: string, key: string, rule: RateRule): Promise<RateDecision> {
    const res = await this.run(() => this.limiter(bucket, rule).get(key));
    if (!res) return { allowed: true, limit: rule.points, remaining: rule.points, resetS: rule.durationS };
    return decide(res, rule, res.consumedPoints < rule.points);
  }

  async reset(bucket: string, key: string, rule: RateRule): Promise<void> {
    await this.run(() => this.limiter(bucket, rule).delete(key));
  }
}

export function memoryRateLimitStore(): RateLimitStore {
  return new LimiterStore((opts) => new (flexible().RateLimiterMemory)(opts));
}

/** `namespace` keeps parallel test runs (and several Portico installs on one Redis) apart. */
export function redisRateLimitStore(redis: RedisConnection, namespace: string): RateLimitStore {
  return new LimiterStore(
    (opts) =>
      new (flexible().RateLimiterRedis)({
        ...opts,
        keyPrefix: `${namespace}:rl:${opts.keyPrefix}`,
        storeClient: redis.client,
      }),
    () => redis.available(),
  );
}
