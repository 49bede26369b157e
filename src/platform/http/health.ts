import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';

/** Liveness (the process answers) and readiness (it can reach its database). */
export function registerHealthRoutes(server: FastifyInstance, app: AppContext): void {
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(app.db.kysely);
      return { status: 'ready', database: app.db.dialect };
    } catch (error) {
      app.logger.warn({ err: error }, 'readiness check failed: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: app.db.dialect });
    }
  });
}
