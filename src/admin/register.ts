import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { HandlerContext } from '../platform/http/handler-context.js';
import { toRouterPath } from '../platform/http/route.js';
import { authenticateAdmin, authorize, checkAllowedAddress } from './guard.js';
import type { AdminPrincipal } from './principal.js';
import type { AdminRouteSpec } from './route.js';

export const ADMIN_API_PREFIX = '/admin/api/v1';

/** An Admin API handler's context: the admin is the principal; admin requests are not in the User API's request log. */
class AdminHandlerContext extends HandlerContext<AppContext, AdminPrincipal | undefined> {
  logClient(): void {}
}

/**
 * Registers the declared Admin API routes below /admin/api/v1. The guard runs before the body is
 * read: the address allowlist for every route, admin credentials (Basic, or the admin area's
 * session with its CSRF token on changes) for all but logging in, then the route's permission
 * against the staff member's role.
 */
export function registerAdminRoutes(server: FastifyInstance, app: AppContext, specs: readonly AdminRouteSpec[]): void {
  server.decorateRequest('admin', undefined);
  for (const spec of specs) {
    const successStatus = spec.response.status;
    server.route({
      method: spec.method,
      url: `${ADMIN_API_PREFIX}${toRouterPath(spec.path)}`,
      schema: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        ...(spec.response.schema ? { response: { [successStatus]: spec.response.schema } } : {}),
      },
      onRequest: async (request) => {
        if (spec.auth === 'none') checkAllowedAddress(app, request);
        else {
          request.admin = await authenticateAdmin(app, request);
          authorize(spec, request.admin);
        }
      },
      handler: async (request, reply) => {
        const ctx = new AdminHandlerContext(app, request, reply, request.admin, successStatus);
        const { status, body: result } = await ctx.invoke(spec);
        reply.code(status);
        if (status === 204) return reply.send();
        if (spec.response.contentType) reply.type(spec.response.contentType);
        return result;
      },
    });
  }
}
