import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { Logger } from '../log.js';
import type { RedisConnection } from '../redis.js';
import { AppError, toProblem } from './errors.js';

/** What one check found: `ready`, or the word for what is wrong (`unreachable`, `stale` …). */
export interface CheckResult {
  state: string;
  /** What a ready `/readyz` says at the top level instead of `ready` (the database's dialect). */
  readyAs?: string;
  /** Facts for the operator, shown under `details.<name>` (e.g. the last heartbeat's age). */
  detail?: Record<string, unknown>;
}

/** One dependency of the process: readiness asks each for its state. */
export interface ReadinessCheck {
  /** The key in `/readyz`'s body and in `checks`, e.g. `database`. */
  name: string;
  /**
   * Required (the default): any state but `ready` makes `/readyz` answer 503. Not required: the
   * state is reported, the answer stays 200.
   */
  required?: boolean;
  check(): Promise<CheckResult>;
}

/** A check that has not answered in this long is `unreachable`: `/readyz` never hangs. */
const CHECK_TIMEOUT_MS = 2000;

/**
 * Liveness (the process answers) and readiness (it can reach every store it needs). The body
 * names every check and its state under `checks` (and, for the callers of old, each at the top
 * level); not ready is a 503 problem+json whose detail names the required checks that failed.
 * Which checks there are is the caller's to say: the database always, Redis when it is
 * configured, the workers' heartbeat (reported, not required: src/jobs/health.ts says why).
 */
export function registerHealthRoutes(server: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (request, reply) => {
    const results = await Promise.all(checks.map(async (check) => [check, await resultOf(check)] as const));
    const states = Object.fromEntries(results.map(([check, r]) => [check.name, r.state]));
    const details = Object.fromEntries(
      results.filter(([, r]) => r.detail).map(([check, r]) => [check.name, r.detail] as const),
    );
    const failed = results.filter(([check, r]) => check.required !== false && r.state !== 'ready');
    const extra = { checks: states, ...(Object.keys(details).length ? { details } : {}) };
    if (failed.length === 0) {
      const top = Object.fromEntries(
        results.map(([check, r]) => [check.name, r.state === 'ready' ? (r.readyAs ?? 'ready') : r.state]),
      );
      return { status: 'ready', ...top, ...extra };
    }
    const what = failed.map(([check, r]) => `${check.name} ${r.state}`).join(' and ');
    const error = new AppError('unavailable', `Not ready: ${what}.`);
    return reply
      .code(503)
      .header('retry-after', '5')
      .type('application/problem+json')
      .send({ ...toProblem(error, { requestId: request.id, instance: '/readyz' }), ...extra });
  });
}

async function resultOf(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ state: 'unreachable', detail: { error: 'no answer in 2 s' } }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([check.check(), timeout]);
  } catch {
    return { state: 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** The database answers a trivial query; a ready `/readyz` names its dialect. */
export function databaseCheck(db: Db, logger: Logger): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      try {
        await sql`select 1`.execute(db.kysely);
        return { state: 'ready', readyAs: db.dialect };
      } catch (error) {
        logger.warn({ err: error }, 'readiness check failed: database unreachable');
        return { state: 'unreachable', detail: { dialect: db.dialect } };
      }
    },
  };
}

/** Redis, when REDIS_URL is set: rate limits and login throttling cannot be counted without it. */
export function redisCheck(redis: RedisConnection): ReadinessCheck {
  return { name: 'redis', check: async () => ({ state: (await redis.ping()) ? 'ready' : 'unreachable' }) };
}
