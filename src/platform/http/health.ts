import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import { AppError, toProblem } from './errors.js';

type Check = 'ready' | 'unreachable';

/**
 * Liveness (the process answers) and readiness (it can reach every store it needs: the database,
 * and Redis when REDIS_URL is set — rate limits and login throttling cannot be counted without
 * it). Not ready is a 503 problem+json whose `checks` names the store that is down.
 */
export function registerHealthRoutes(server: FastifyInstance, app: AppContext): void {
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (request, reply) => {
    const [database, redis] = await Promise.all([databaseCheck(app), redisCheck(app)]);
    const checks = { database, ...(redis ? { redis } : {}) };
    const down = Object.entries(checks)
      .filter(([, state]) => state !== 'ready')
      .map(([name]) => name);
    if (down.length === 0) return { status: 'ready', database: app.db.dialect, ...(redis ? { redis } : {}) };
    const error = new AppError('unavailable', `Not ready: ${down.join(' and ')} unreachable.`);
    return reply
      .code(503)
      .header('retry-after', '5')
      .type('application/problem+json')
      .send({ ...toProblem(error, { requestId: request.id, instance: '/readyz' }), checks });
  });
}

async function databaseCheck(app: AppContext): Promise<Check> {
  try {
    await sql`select 1`.execute(app.db.kysely);
    return 'ready';
  } catch (error) {
    app.logger.warn({ err: error }, 'readiness check failed: database unreachable');
    return 'unreachable';
  }
}

async function redisCheck(app: AppContext): Promise<Check | undefined> {
  if (!app.redis) return undefined;
  return (await app.redis.ping()) ? 'ready' : 'unreachable';
}
