import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { registerBillingAdminRoutes } from '../orders/admin-routes.js';
import { registerServerAdminRoutes } from '../servers/admin-routes.js';
import { registerUserApiAdminRoutes } from '../userapi/admin-routes.js';
import { authenticateAdmin } from './guard.js';

export const ADMIN_API_PREFIX = '/admin/api/v1';

/**
 * The Admin API: separate from the User API (own prefix, own authentication, optional address
 * allowlist). Each feature adds its admin routes here.
 */
export async function registerAdminApi(server: FastifyInstance, app: AppContext): Promise<void> {
  await server.register(
    async (admin) => {
      admin.decorateRequest('admin', undefined);
      admin.addHook('onRequest', async (request) => {
        request.admin = await authenticateAdmin(app, request);
      });
      registerServerAdminRoutes(admin, app);
      registerBillingAdminRoutes(admin, app);
      registerUserApiAdminRoutes(admin, app);
    },
    { prefix: ADMIN_API_PREFIX },
  );
}
