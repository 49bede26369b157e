import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { registerAdminRoutes } from './register.js';
import { adminApiRoutes } from './routes.js';
import { registerAdminUi } from './ui.js';

/**
 * The Admin API: separate from the User API (own prefix, own authentication, optional address
 * allowlist), and the admin area (a web UI that is just another client of it). Its routes are
 * declared like the User API's (src/admin/route.ts), listed in src/admin/routes.ts.
 */
export async function registerAdminApi(server: FastifyInstance, app: AppContext): Promise<void> {
  registerAdminRoutes(server, app, adminApiRoutes);
  registerAdminUi(server);
}
