import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { registerBillingAdminRoutes } from '../orders/admin-routes.js';
import { registerServerAdminRoutes } from '../servers/admin-routes.js';
import { registerUserApiAdminRoutes } from '../userapi/admin-routes.js';
import { authenticateAdmin, checkAllowedAddress, verifyAdminPassword } from './guard.js';
import { endSession, sessionFor, startSession } from './sessions.js';
import { registerAdminUi } from './ui.js';

export const ADMIN_API_PREFIX = '/admin/api/v1';

/**
 * The Admin API: separate from the User API (own prefix, own authentication, optional address
 * allowlist), and the admin area (a web UI that is just another client of it). Each feature adds
 * its admin routes here.
 */
export async function registerAdminApi(server: FastifyInstance, app: AppContext): Promise<void> {
  await server.register(
    async (admin) => {
      admin.decorateRequest('admin', undefined);
      // Logging in is the one call without credentials; the address allowlist still applies.
      admin.post<{ Body: { email: string; password: string } }>(
        '/session',
        {
          schema: {
            body: Type.Object(
              { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) },
              { additionalProperties: false },
            ),
          },
        },
        async (request, reply) => {
          checkAllowedAddress(app, request);
          const basic = `Basic ${Buffer.from(`${request.body.email}:${request.body.password}`).toString('base64')}`;
          const principal = await verifyAdminPassword(app, request, basic);
          return startSession(app, request, reply, principal);
        },
      );
      await admin.register(async (guarded) => {
        guarded.addHook('onRequest', async (request) => {
          request.admin = await authenticateAdmin(app, request);
        });
        guarded.get('/session', async (request) => {
          const session = await sessionFor(app, request);
          return { email: request.admin?.email, csrf_token: session?.csrf_token ?? null };
        });
        guarded.delete('/session', async (request, reply) => {
          await endSession(app, request, reply);
          return reply.code(204).send();
        });
        registerServerAdminRoutes(guarded, app);
        registerBillingAdminRoutes(guarded, app);
        registerUserApiAdminRoutes(guarded, app);
      });
    },
    { prefix: ADMIN_API_PREFIX },
  );
  registerAdminUi(server);
}
