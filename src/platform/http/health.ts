import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { Logger } from '../log.js';
import type { RedisConnection } from '../redis.js';
import { AppError, toProblem } from './errors.js';

/** One store the process needs to serve: readiness asks each whether it answers. */
export interface ReadinessCheck {
  /** The key in `/readyz`'s body and in `checks`, e.g. `database`. */
  name: string;
  /** Resolves true when the store answers; false (or a throw) reports it unreachable. */
  reachable(): Promise<boolean>;
  /** What a ready `/readyz` says for this store (default `ready`), e.g. the database's dialect. */
  readyAs?: string;
}

type State = 'ready' | 'unreachable';

/**
 * Liveness (the process answers) and readiness (it can reach every store it needs). Not ready is
 * a 503 problem+json whose `checks` names the store that is down. Which stores there are is the
 * caller's to say: the database always, Redis when it is configured.
 */
export function registerHealthRoutes(server: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (request, reply) => {
    const states = await Promise.all(checks.map(async (check) => [check, await stateOf(check)] as const));
    const down = states.filter(([, state]) => state !== 'ready').map(([check]) => check.name);
    if (down.length === 0) {
      return { status: 'ready', ...Object.fromEntries(checks.map((c) => [c.name, c.readyAs ?? 'ready'])) };
    }
    const error = new AppError('unavailable', `Not ready: ${down.join(' and ')} unreachable.`);
    return reply
      .code(503)
      .header('retry-after', '5')
      .type('application/problem+json')
      .send({
        ...toProblem(error, { requestId: request.id, instance: '/readyz' }),
        checks: Object.fromEntries(states.map(([check, state]) => [check.name, state])),
      });
  });
}

async function stateOf(check: ReadinessCheck): Promise<State> {
  try {
    return (await check.reachable()) ? 'ready' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

/** The database answers a trivial query; a ready `/readyz` names its dialect. */
export function databaseCheck(db: Db, logger: Logger): ReadinessCheck {
  return {
    name: 'database',
    readyAs: db.dialect,
    async reachable() {
      try {
        await sql`select 1`.execute(db.kysely);
        return true;
      } catch (error) {
        logger.warn({ err: error }, 'readiness check failed: database unreachable');
        return false;
      }
    },
  };
}

/** Redis, when REDIS_URL is set: rate limits and login throttling cannot be counted without it. */
export function redisCheck(redis: RedisConnection): ReadinessCheck {
  return { name: 'redis', reachable: () => redis.ping() };
}
